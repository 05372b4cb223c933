// @ts-check
/** server-checks.js: the server's own checks, on the phone. Run with `node --test static/js/`. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { MAX_MEMBERS, serverChecks, unstorable } from './server-checks.js';

/** @typedef {import('./validate.js').Definition} Definition */
/** @typedef {import('./relevance.js').FamilyRecord} FamilyRecord */

const ROOT = new URL('../../../', import.meta.url);
/** @type {Definition} */
const DEFINITION = JSON.parse(readFileSync(new URL('households/questionnaire/definitions/regsosek22k-1.json', ROOT), 'utf8'));
/** @type {{name: string, record: FamilyRecord}[]} */
const BASICS = JSON.parse(readFileSync(new URL('tests/questionnaire/vectors/01-basics.json', ROOT), 'utf8'));

/** @returns {FamilyRecord} the clean complete family of the vectors */
function clean() {
  const found = BASICS.find((vector) => vector.name === 'clean complete family');
  assert.ok(found);
  return structuredClone(found.record);
}

/**
 * @param {ReturnType<typeof serverChecks>} issues
 * @returns {[string, number | null, string][]}
 */
const brief = (issues) => issues.map((i) => [i.variable, i.member_index, i.check]);

test('a clean family passes', () => {
  assert.deepEqual(serverChecks(DEFINITION, clean()), []);
});

test('long texts: 150 characters for the names, 500 for the rest, counted as Python counts', () => {
  const record = clean();
  record.members[1].r402 = 'A'.repeat(151);
  record.family.r108 = 'B'.repeat(150);
  record.family.r107 = '🏠'.repeat(500); // 1,000 UTF-16 units, 500 characters: allowed
  assert.deepEqual(brief(serverChecks(DEFINITION, record)), [['r402', 1, 'max_length']]);
  record.family.r107 += 'x';
  const issues = serverChecks(DEFINITION, record);
  assert.deepEqual(brief(issues), [['r107', null, 'max_length'], ['r402', 1, 'max_length']]);
  assert.equal(issues[1].message, 'Isian terlalu panjang (maksimal 150 karakter).');
  assert.equal(issues[1].number, '402');
});

test('NUL and half a surrogate pair cannot be stored; a whole emoji can', () => {
  assert.equal(unstorable('Sri 🌸'), false);
  assert.equal(unstorable('Sri \uD83C'), true);
  assert.equal(unstorable('\uDF38 Sri'), true);
  assert.equal(unstorable('a\u0000b'), true);
  const record = clean();
  record.members[0].r402 = 'BUDI \uD83C';
  assert.deepEqual(brief(serverChecks(DEFINITION, record)), [['r402', 0, 'character']]);
});

test('more than 60 members is one issue and nothing else is checked', () => {
  const record = clean();
  record.members = Array.from({ length: MAX_MEMBERS + 1 }, (_, i) => ({ ...record.members[3], r401: i + 1, r402: 'X'.repeat(900) }));
  assert.deepEqual(brief(serverChecks(DEFINITION, record)), [['members', null, 'max_members']]);
});
