// @ts-check
/** roster.js: member titles, removal with renumbering and the open cards, without a browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { memberTitle, openAfterRemoval, removalSubject, rosterHidden, withoutMember } from './roster.js';

/** @typedef {import('../../questionnaire/validate.js').Row} Row */

test('a card is titled with the member number and trimmed name', () => {
  assert.equal(memberTitle({ r401: 3, r402: '  SITI AMINAH ' }, 2, 'r401', 'r402', 'Anggota baru'), '3. SITI AMINAH');
  assert.equal(memberTitle({ r401: 1 }, 0, 'r401', 'r402', 'Anggota baru'), '1. Anggota baru');
  assert.equal(memberTitle({ r401: 1, r402: '   ' }, 0, 'r401', 'r402', 'Anggota baru'), '1. Anggota baru');
  assert.equal(memberTitle({ r401: 1, r402: 7 }, 0, 'r401', 'r402', 'New member'), '1. New member');
  // without a number the position counts; a missing row is a new member
  assert.equal(memberTitle({ r402: 'ADI' }, 4, 'r401', 'r402', 'Anggota baru'), '5. ADI');
  assert.equal(memberTitle(undefined, 1, 'r401', 'r402', 'Anggota baru'), '2. Anggota baru');
  assert.equal(memberTitle({ r401: 9, r402: 'ADI' }, 0, null, null, 'Anggota baru'), '1. Anggota baru');
});

test('the removal question names the member number and name', () => {
  assert.deepEqual(removalSubject({ r401: 2, r402: 'RINA' }, 1, 'r401', 'r402'), { number: 2, name: 'RINA' });
  assert.deepEqual(removalSubject({ r401: 2, r402: ' ' }, 1, 'r401', 'r402'), { number: 2, name: ' ' });
  assert.deepEqual(removalSubject({ r401: 2 }, 1, 'r401', 'r402'), { number: 2, name: '' });
  assert.deepEqual(removalSubject({ r402: 5 }, 1, 'r401', 'r402'), { number: 2, name: '' });
  assert.deepEqual(removalSubject({ r401: null }, 3, 'r401', null), { number: 4, name: '' });
  assert.deepEqual(removalSubject({ r401: 7 }, 3, null, null), { number: 4, name: '' });
});

test('removing a member moves the later ones up and renumbers them', () => {
  /** @type {Row[]} */
  const members = [
    { r401: 1, r402: 'BUDI' }, { r401: 2, r402: 'RINA' }, { r401: 3, r402: 'ADI' }, { r402: 'DEWI', r401: 4 },
  ];
  const before = structuredClone(members);
  const after = withoutMember(members, 1, 'r401');
  assert.deepEqual(after, [{ r401: 1, r402: 'BUDI' }, { r401: 2, r402: 'ADI' }, { r402: 'DEWI', r401: 3 }]);
  assert.deepEqual(Object.keys(after[2]), ['r402', 'r401'], 'the keys keep their order');
  assert.deepEqual(members, before, 'the input is not changed');
  assert.equal(after[0], members[0], 'the rows before it are kept as they are');

  assert.deepEqual(withoutMember(members, 3, 'r401').map((row) => row.r402), ['BUDI', 'RINA', 'ADI']);
  assert.deepEqual(withoutMember(members, 0, 'r401').map((row) => row.r401), [1, 2, 3]);
  assert.deepEqual(withoutMember([{ r401: 1 }], 0, 'r401'), []);
  // a row without a number gets one; an index past the end removes nothing
  assert.deepEqual(withoutMember([{ r401: 1 }, { r402: 'X' }, { r402: 'Y' }], 0, 'r401'), [{ r402: 'X', r401: 1 }, { r402: 'Y', r401: 2 }]);
  assert.deepEqual(withoutMember(members, 9, 'r401'), members);
  // without a number variable the rows are only moved
  assert.deepEqual(withoutMember([{ a: 1 }, { a: 2 }, { a: 3 }], 0, null), [{ a: 2 }, { a: 3 }]);
});

test('the open cards follow their members after a removal', () => {
  assert.deepEqual([...openAfterRemoval(new Set([0, 1, 3]), 1)], [0, 2]);
  assert.deepEqual([...openAfterRemoval([2], 0)], [1]);
  assert.deepEqual([...openAfterRemoval([0], 3)], [0]);
  assert.deepEqual([...openAfterRemoval([], 0)], []);
});

test('the roster says it is skipped only while rows are left, and empty only while asked', () => {
  assert.deepEqual(rosterHidden(true, 0), { skipped: true, empty: false, add: false });
  assert.deepEqual(rosterHidden(true, 2), { skipped: true, empty: true, add: false });
  assert.deepEqual(rosterHidden(false, 0), { skipped: true, empty: true, add: true });
  assert.deepEqual(rosterHidden(false, 2), { skipped: false, empty: true, add: true });
});
