// @ts-check
/**
 * The shared vectors (tests/questionnaire/vectors/*.json) through validate.js; pytest runs
 * the same vectors through the Python validator. Run with `node --test static/js/questionnaire/`.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { applyRule, assertWhitelisted, possibleAges } from './operations.js';
import { derive, validate } from './validate.js';

const ROOT = new URL('../../../', import.meta.url);
const VECTORS_DIR = new URL('tests/questionnaire/vectors/', ROOT);
const DEFINITIONS_DIR = new URL('households/questionnaire/definitions/', ROOT);

/**
 * @param {URL} url
 * @returns {any}
 */
function readJson(url) {
  return JSON.parse(readFileSync(url, 'utf8'));
}

/**
 * @param {string} form
 * @param {string} version
 * @returns {import('./validate.js').Definition}
 */
function loadDefinition(form, version) {
  return readJson(new URL(`${form}-${version}.json`, DEFINITIONS_DIR));
}

/** @type {{file: string, name: string, record: any, context: any, expected: any[], derived?: any}[]} */
const vectors = readdirSync(VECTORS_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .flatMap((file) => readJson(new URL(file, VECTORS_DIR)).map((/** @type {any} */ v) => ({ ...v, file })));

test('there are at least 100 vectors', () => {
  assert.ok(vectors.length >= 100, `only ${vectors.length} vectors`);
});

for (const vector of vectors) {
  test(`${vector.file}: ${vector.name}`, () => {
    const definition = loadDefinition(vector.record.form, vector.record.version);
    const issues = validate(definition, vector.record, vector.context);
    const pinned = issues.map(({ variable, member_index: memberIndex, check, severity }) => ({
      variable, member_index: memberIndex, check, severity,
    }));
    assert.deepEqual(pinned, vector.expected);
    for (const issue of issues) {
      assert.ok(issue.message && issue.message_en);
    }
    if (vector.derived !== undefined) {
      assert.deepEqual(derive(definition, vector.record, vector.context), vector.derived);
    }
  });
}

test('a record of another form version is refused', () => {
  const definition = loadDefinition('regsosek22k', '1');
  const record = { ...vectors[0].record, version: '2' };
  assert.throws(() => validate(definition, record, {}), /version/);
});

test('members must be a list of objects', () => {
  const definition = loadDefinition('regsosek22k', '1');
  assert.throws(() => validate(definition, { ...vectors[0].record, members: {} }, {}), /members/);
});

test('operators outside the whitelist are refused before evaluation', () => {
  assert.throws(() => applyRule({ and: [false, { log: 1 }] }, {}), /Unrecognized operation log/);
  assert.throws(() => assertWhitelisted({ '?:': [1, 2, 3] }), /Unrecognized operation/);
  assert.doesNotThrow(() => assertWhitelisted({ '==': [{ var: 'a' }, { x: 1, y: 2 }] }));
});

test('a definition with a non-whitelisted rule is refused', () => {
  const definition = loadDefinition('regsosek22k', '1');
  const broken = structuredClone(definition);
  broken.derived = [{ id: 'x', rule: { log: 'boo' } }];
  assert.throws(() => validate(broken, vectors[0].record, {}), /Unrecognized operation log/);
});

test('possible ages around a birthday and with unknown parts', () => {
  assert.deepEqual(possibleAges('2022-10-18', 1980, 10, 19), [41]);
  assert.deepEqual(possibleAges('2022-10-18', 1980, 10, 18), [42]);
  assert.deepEqual(possibleAges('2022-10-18', 1980, 10, 98), [41, 42]);
  assert.deepEqual(possibleAges('2022-10-18', 1980, 98, 98), [41, 42]);
  assert.deepEqual(possibleAges('2022-10-18', 2022, 10, 98), [0]);
  assert.deepEqual(possibleAges('2022-10-18', 2022, 11, 1), []);
  assert.deepEqual(possibleAges('2022-10-18', 2021, 2, 29), []);
  assert.deepEqual(possibleAges('2022-02-30', 1980, 1, 1), []);
});

test('custom operators run inside json-logic-js', () => {
  assert.equal(applyRule({ is_digits: [{ var: 'nik' }, 16] }, { nik: '3674071503800001' }), true);
  assert.equal(applyRule({ is_digits: ['081234', 9, 13] }, {}), false);
  assert.equal(applyRule({ is_upper_alnum: ['67B4PT', 6] }, {}), true);
  assert.equal(applyRule({ is_name: ["SITI NUR'AINI"] }, {}), true);
  assert.equal(applyRule({ is_date: ['2023-02-29'] }, {}), false);
});
