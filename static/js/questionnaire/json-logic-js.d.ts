// Types for the parts of json-logic-js 2.0.5 used by operations.js (the package ships none).
declare module 'json-logic-js' {
  interface JsonLogic {
    apply(rule: unknown, data?: unknown): any;
    add_operation(name: string, fn: (...args: any[]) => any): void;
    rm_operation(name: string): void;
    truthy(value: unknown): boolean;
  }
  const jsonLogic: JsonLogic;
  export default jsonLogic;
}
