import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/dist/**", "static/vendor/**", "node_modules/**", ".local/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, ...globals.serviceworker },
    },
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["static/js/**/*.test.js", "static/js/**/*-cli.js", "static/js/**/property-harness.js"],
    languageOptions: { globals: { ...globals.node } },
  },
];
