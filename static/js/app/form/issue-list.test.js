// @ts-check
/** issue-list.js: where issues go, their text and counts, which ones go stale; without a browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { countIssues, issueKey, issueText, issuesAfterEdit, issuesBeforeMember, locateIssue, summaryText } from './issue-list.js';

/** @typedef {import('../../questionnaire/validate.js').Issue} Issue */
/** @typedef {import('./issue-list.js').FieldPlace} FieldPlace */

/**
 * @param {string} variable
 * @param {number | null} member
 * @param {Partial<Issue>} [fields]
 * @returns {Issue}
 */
function issue(variable, member, fields = {}) {
  return {
    variable, number: variable.replace(/^r/, ''), member_index: member, check: 'c', severity: 'error',
    message: 'Isian tidak sesuai', message_en: 'Wrong answer', ...fields,
  };
}

/** The rendered fields of a small form: 101 in Blok I, 301b skipped in Blok III, member 0's 402 and 410 (skipped). */
const PLACES = new Map(/** @type {[string, FieldPlace][]} */ ([
  ['f-r101', { blockId: 'I', member: null, hidden: false }],
  ['f-r301b', { blockId: 'III', member: null, hidden: true }],
  ['m0-r402', { blockId: 'IV', member: 0, hidden: false }],
  ['m0-r410', { blockId: 'IV', member: 0, hidden: true }],
]));
/** @param {string} key */
const fieldAt = (key) => PLACES.get(key);
const GROUP = { id: 'members', blockId: 'IV' };

test('an issue names the field of its variable in the family or its member row', () => {
  assert.equal(issueKey(issue('r101', null)), 'f-r101');
  assert.equal(issueKey(issue('r402', 3)), 'm3-r402');
});

test('an issue is shown under its field while the field is shown', () => {
  assert.deepEqual(locateIssue(issue('r101', null), fieldAt, GROUP), { target: { blockId: 'I', member: null, key: 'f-r101' }, placed: true });
  assert.deepEqual(locateIssue(issue('r402', 0), fieldAt, GROUP), { target: { blockId: 'IV', member: 0, key: 'm0-r402' }, placed: true });
});

test('an issue of a skipped question points at its block and member only', () => {
  assert.deepEqual(locateIssue(issue('r301b', null), fieldAt, GROUP), { target: { blockId: 'III', member: null, key: null }, placed: false });
  assert.deepEqual(locateIssue(issue('r410', 0), fieldAt, GROUP), { target: { blockId: 'IV', member: 0, key: null }, placed: false });
});

test('issues of the member group or a row without a field point at the roster; unknown keys nowhere', () => {
  assert.deepEqual(locateIssue(issue('members', null), fieldAt, GROUP), { target: { blockId: 'IV', member: null, key: null }, placed: false });
  assert.deepEqual(locateIssue(issue('r999', 2), fieldAt, GROUP), { target: { blockId: 'IV', member: 2, key: null }, placed: false });
  assert.deepEqual(locateIssue(issue('r999', null), fieldAt, GROUP), { target: { blockId: null, member: null, key: null }, placed: false });
  // a form without a member group
  assert.deepEqual(locateIssue(issue('r402', 0), () => null, null), { target: { blockId: null, member: 0, key: null }, placed: false });
  assert.deepEqual(locateIssue(issue('members', null), () => null, null), { target: { blockId: null, member: null, key: null }, placed: false });
});

test('an issue reads "<number>: <message>" unless its message starts with the number', () => {
  assert.equal(issueText(issue('r101', null, { message: 'Harus 2 angka' })), '101: Harus 2 angka');
  assert.equal(issueText(issue('r101', null, { message: '101 Provinsi wajib diisi' })), '101 Provinsi wajib diisi');
  assert.equal(issueText(issue('r101', null, { message: '1011 lain' })), '101: 1011 lain');
  assert.equal(issueText(issue('catatan', null, { number: null, message: 'Terlalu panjang' })), 'Terlalu panjang');
  assert.equal(summaryText(issue('r402', 1, { message: 'Nama tidak wajar' }), 'Anggota'), 'Anggota 2: 402: Nama tidak wajar');
  assert.equal(summaryText(issue('r101', null, { message: 'Harus 2 angka' }), 'Member'), '101: Harus 2 angka');
});

test('errors are counted per block and member; warnings only in the totals', () => {
  const issues = [
    issue('r999', null),
    issue('r101', null, { severity: 'warning' }),
    issue('r101', null),
    issue('r402', 0),
    issue('r410', 0),
    issue('r402', 0, { severity: 'warning' }),
    issue('members', null),
  ];
  const located = issues.map((one) => ({ issue: one, target: locateIssue(one, fieldAt, GROUP).target }));
  const counts = countIssues(located);
  assert.deepEqual([...counts.blockErrors], [['I', 1], ['IV', 3]]);
  assert.deepEqual([...counts.memberErrors], [[0, 2]]);
  assert.equal(counts.errors, 5, 'the unknown key counts too');
  assert.equal(counts.warnings, 2);
  assert.deepEqual(counts.firstError, { blockId: null, member: null, key: null });
  assert.deepEqual(counts.firstWarning, { blockId: 'I', member: null, key: 'f-r101' });

  const none = countIssues([]);
  assert.deepEqual([none.blockErrors.size, none.memberErrors.size, none.errors, none.warnings, none.firstError, none.firstWarning], [0, 0, 0, 0, null, null]);
});

test('an edit takes away the issues of its field and of the fields it hid', () => {
  const issues = [issue('r101', null), issue('r301b', null), issue('r402', 0), issue('r410', 0), issue('r999', null)];
  /** @param {string} key */
  const hidden = (key) => Boolean(PLACES.get(key)?.hidden);
  assert.deepEqual(issuesAfterEdit(issues, 'f-r101', hidden).map(issueKey), ['m0-r402', 'f-r999']);
  assert.deepEqual(issuesAfterEdit(issues, 'f-r205', () => false).map(issueKey), issues.map(issueKey));
});

test('removing a member keeps the issues of the family and of the rows before it', () => {
  const issues = [issue('r101', null), issue('r402', 0), issue('r402', 1), issue('r407', 2), issue('members', null)];
  assert.deepEqual(issuesBeforeMember(issues, 1).map(issueKey), ['f-r101', 'm0-r402', 'f-members']);
  assert.deepEqual(issuesBeforeMember(issues, 0).map(issueKey), ['f-r101', 'f-members']);
  assert.deepEqual(issuesBeforeMember(issues, 5), issues);
});
