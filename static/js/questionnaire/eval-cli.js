#!/usr/bin/env node
// @ts-check
/**
 * Line protocol used by the Python differential tests (tests/questionnaire/): one JSON
 * request per line on stdin, one JSON answer per line on stdout, in order.
 *
 *   {"op": "eval", "rule": R, "data": D}
 *       -> {"ok": true, "value": TAGGED} | {"ok": false, "error": "..."}
 *   {"op": "definition", "definition": DEF}      (kept for the validate requests)
 *       -> {"ok": true}
 *   {"op": "validate", "record": REC, "context": CTX}
 *       -> {"ok": true, "issues": [...], "derived": {...}} | {"ok": false, "error": "..."}
 *
 * TAGGED spells out JavaScript values that JSON cannot carry: ["u"] undefined,
 * ["z"] null, ["b", bool], ["n", String(number) or "-0"], ["s", str], ["a", [TAGGED...]],
 * ["o", [[key, TAGGED]...]].
 */
import { createInterface } from 'node:readline';

import { applyRule } from './operations.js';
import { derive, validate } from './validate.js';

/**
 * @param {unknown} value
 * @returns {unknown}
 */
export function tag(value) {
  if (value === undefined) {
    return ['u'];
  }
  if (value === null) {
    return ['z'];
  }
  if (typeof value === 'boolean') {
    return ['b', value];
  }
  if (typeof value === 'number') {
    return ['n', Object.is(value, -0) ? '-0' : String(value)];
  }
  if (typeof value === 'string') {
    return ['s', value];
  }
  if (Array.isArray(value)) {
    return ['a', value.map(tag)];
  }
  if (typeof value === 'object') {
    return ['o', Object.entries(value).map(([key, item]) => [key, tag(item)])];
  }
  return ['x', typeof value];
}

/**
 * @param {unknown} error
 * @returns {string}
 */
function describe(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function main() {
  /** @type {any} */
  let definition = null;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') {
      continue;
    }
    const request = JSON.parse(line);
    /** @type {Record<string, unknown>} */
    let answer;
    try {
      if (request.op === 'eval') {
        answer = { ok: true, value: tag(applyRule(request.rule, request.data)) };
      } else if (request.op === 'definition') {
        definition = request.definition;
        answer = { ok: true };
      } else if (request.op === 'validate') {
        answer = {
          ok: true,
          issues: validate(definition, request.record, request.context),
          derived: derive(definition, request.record, request.context),
        };
      } else {
        answer = { ok: false, error: `unknown op ${request.op}` };
      }
    } catch (error) {
      answer = { ok: false, error: describe(error) };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}

await main();
