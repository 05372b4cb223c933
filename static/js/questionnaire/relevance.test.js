// @ts-check
/**
 * relevance.js against the real definition (regsosek22k-1). Run with
 * `node --test static/js/questionnaire/`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { emptyRecord, memberGroup, memberNumberId, newMember, pruneIrrelevant, relevance } from './relevance.js';
import { isAnswered, validate } from './validate.js';

/** @typedef {import('./validate.js').Definition} Definition */
/** @typedef {import('./relevance.js').FamilyRecord} FamilyRecord */

const ROOT = new URL('../../../', import.meta.url);

/** @type {Definition} */
const DEFINITION = JSON.parse(readFileSync(new URL('households/questionnaire/definitions/regsosek22k-1.json', ROOT), 'utf8'));

/** @type {{name: string, context: Record<string, unknown>, record: FamilyRecord}[]} */
const BASICS = JSON.parse(readFileSync(new URL('tests/questionnaire/vectors/01-basics.json', ROOT), 'utf8'));
const CLEAN = BASICS.find((vector) => vector.name === 'clean complete family');
assert.ok(CLEAN, 'the vectors hold the clean complete family');
const CONTEXT = CLEAN.context;

/** @returns {FamilyRecord} a fresh copy of the clean family (4 members: head 42, wife 39, child 17, child 3) */
function clean() {
  return structuredClone(CLEAN?.record ?? emptyRecord(DEFINITION));
}

/**
 * @param {unknown} value
 * @returns {unknown}
 */
function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) {
      deepFreeze(item);
    }
    Object.freeze(value);
  }
  return value;
}

/**
 * @param {FamilyRecord} record
 * @returns {import('./validate.js').Issue[]}
 */
function relevantIssues(record) {
  return validate(DEFINITION, record, CONTEXT).filter((issue) => issue.check === 'relevant');
}

test('the clean family: every block, the group and the expected variables are relevant', () => {
  const now = relevance(DEFINITION, clean(), CONTEXT);
  assert.deepEqual([...now.blocks], ['I', 'II', 'III', 'IV', 'V', 'VI']);
  assert.deepEqual([...now.required], ['I', 'II', 'III', 'IV', 'V', 'VI']);
  assert.equal(now.group, true);
  assert.equal(now.members.length, 4);
  assert.ok(now.family.has('r301b'), '301b is asked when 301a = 1');
  assert.ok(now.family.has('nama_responden'));
  assert.ok(!now.family.has('r306b'), '306b is skipped when 306a = 2');
  assert.ok(now.family.has('r501a_bln') && !now.family.has('r501b_bln'));
  const [head, wife, , small] = now.members;
  assert.ok(!head.has('r410'), 'a man is not asked 410');
  assert.ok(wife.has('r410'), 'a married woman of 39 is asked 410');
  assert.ok(head.has('r416b') && !wife.has('r416b'), '416b only when 416a = 1');
  assert.ok(small.has('r427') && !small.has('r412') && !small.has('r428g'), 'a child of 3');
  assert.ok(small.has('r428a'), '428a from age 2');
  assert.ok(!head.has('r427'));
  assert.ok(!head.has('r431e') && now.members[2].has('r431e'), '431e for ages 5-30');
  for (const set of now.members) {
    assert.ok(set.has('r401') && set.has('r402') && set.has('r404'));
  }
});

test('the family variables that are answered and not relevant are exactly the relevant issues', () => {
  const record = clean();
  record.family.r301a = 2; // 301b stays answered
  record.family.r306b = 1; // 306a = 2
  record.members[0].r410 = 2; // a man
  record.members[3].r412 = 1; // a child of 3
  const now = relevance(DEFINITION, record, CONTEXT);
  const expected = [
    ...Object.keys(record.family).filter((id) => !now.family.has(id) && isAnswered(record.family[id])).map((id) => `-:${id}`),
    ...record.members.flatMap((member, index) => Object.keys(member)
      .filter((id) => !now.members[index].has(id) && isAnswered(member[id])).map((id) => `${index}:${id}`)),
  ].sort();
  const got = relevantIssues(record).map((issue) => `${issue.member_index ?? '-'}:${issue.variable}`).sort();
  assert.deepEqual(got, expected);
  assert.deepEqual(got, ['-:r301b', '-:r306b', '0:r410', '3:r412']);
});

test('205 = 3: Blok III-V are skipped, pruning removes 301a, members are kept', () => {
  const record = clean();
  record.family.r205 = 3;
  const now = relevance(DEFINITION, record, CONTEXT);
  assert.deepEqual([...now.blocks], ['I', 'II', 'VI']);
  assert.equal(now.group, false);
  assert.deepEqual(now.members.map((set) => set.size), [0, 0, 0, 0]);
  assert.ok(!now.family.has('nama_responden'));
  const pruned = pruneIrrelevant(DEFINITION, record, CONTEXT);
  assert.ok(!('r301a' in pruned.family) && !('r301b' in pruned.family) && !('r502a' in pruned.family));
  assert.ok(!('nama_responden' in pruned.family) && !('hp_responden' in pruned.family));
  assert.equal(pruned.family.r101, '36');
  assert.deepEqual(pruned.members, record.members, 'members are never removed or emptied silently');
  const issues = relevantIssues(pruned);
  assert.deepEqual(issues.map((issue) => issue.variable), ['members'], 'only the group itself is left to fix');
});

test('205 = 2: Blok III is still asked but no longer required', () => {
  const record = clean();
  record.family.r205 = 2;
  const now = relevance(DEFINITION, record, CONTEXT);
  assert.ok(now.blocks.has('III') && now.family.has('r301a'));
  assert.deepEqual([...now.required], ['I', 'II', 'VI']);
  assert.deepEqual(pruneIrrelevant(DEFINITION, record, CONTEXT), record);
});

test('301b depends on 301a', () => {
  const record = clean();
  record.family.r301a = 3;
  assert.ok(!relevance(DEFINITION, record, CONTEXT).family.has('r301b'));
  const pruned = pruneIrrelevant(DEFINITION, record, CONTEXT);
  assert.ok(!('r301b' in pruned.family));
  assert.equal(pruned.family.r301a, 3);
  record.family.r301a = 1;
  assert.ok(relevance(DEFINITION, record, CONTEXT).family.has('r301b'));
  delete record.family.r301a;
  assert.ok(!relevance(DEFINITION, record, CONTEXT).family.has('r301b'), 'unanswered 301a skips 301b');
});

test('member variables follow 404, age, sex and marital status', () => {
  const record = clean();
  const wife = record.members[1];
  wife.r407 = 60;
  let now = relevance(DEFINITION, record, CONTEXT).members[1];
  assert.ok(!now.has('r410') && now.has('r429'), 'no 410 after 54, 429 from 60');
  wife.r407 = 39;
  wife.r408 = 1;
  now = relevance(DEFINITION, record, CONTEXT).members[1];
  assert.ok(!now.has('r410'), 'never married');
  wife.r404 = 3; // moved away
  now = relevance(DEFINITION, record, CONTEXT).members[1];
  assert.deepEqual([...now].sort(), ['r401', 'r402', 'r403', 'r404']);
  const pruned = pruneIrrelevant(DEFINITION, record, CONTEXT);
  assert.deepEqual(Object.keys(pruned.members[1]).sort(), ['r401', 'r402', 'r403', 'r404']);
  assert.deepEqual(pruned.members[0], record.members[0], 'other members keep their answers');
});

test('427 needs an answered age', () => {
  const record = clean();
  delete record.members[3].r407;
  assert.ok(!relevance(DEFINITION, record, CONTEXT).members[3].has('r427'));
  record.members[3].r407 = 4;
  assert.ok(relevance(DEFINITION, record, CONTEXT).members[3].has('r427'));
  record.members[3].r407 = 5;
  assert.ok(!relevance(DEFINITION, record, CONTEXT).members[3].has('r427'));
});

test('pruning repeats until nothing changes (428g answered keeps 429 for one round)', () => {
  const record = clean();
  const head = record.members[0];
  head.r407 = 70;
  head.r428g = 1;
  head.r429 = 2;
  assert.deepEqual(relevantIssues(record), []);
  head.r407 = 3; // typing mistake: now a child of 3
  const once = relevance(DEFINITION, record, CONTEXT).members[0];
  assert.ok(!once.has('r428g') && once.has('r429'), 'in the first round 429 is still asked, because 428g = 1');
  const pruned = pruneIrrelevant(DEFINITION, record, CONTEXT);
  assert.ok(!('r428g' in pruned.members[0]));
  assert.ok(!('r429' in pruned.members[0]), 'the second round removes 429');
  assert.deepEqual(relevantIssues(pruned), []);
  assert.deepEqual(pruneIrrelevant(DEFINITION, pruned, CONTEXT), pruned, 'idempotent');
});

test('the input is never mutated', () => {
  const record = clean();
  record.family.r205 = 1;
  record.family.r301a = 2;
  record.members[0].r404 = 2;
  const before = structuredClone(record);
  deepFreeze(record);
  const pruned = pruneIrrelevant(DEFINITION, record, CONTEXT);
  assert.deepEqual(record, before);
  assert.notEqual(pruned, record);
  assert.notEqual(pruned.family, record.family);
  assert.notEqual(pruned.members[1], record.members[1]);
  assert.ok(!('r301b' in pruned.family) && !('r405' in pruned.members[0]));
  relevance(DEFINITION, record, CONTEXT);
});

test('unknown keys, nulls and an empty record', () => {
  const record = clean();
  record.family.zzz = 1;
  record.members[0].yyy = 2;
  record.family.r301a = 2;
  record.family.r301b = null;
  const pruned = pruneIrrelevant(DEFINITION, record, CONTEXT);
  assert.equal(pruned.family.zzz, 1, 'unknown keys are left to the validator');
  assert.equal(pruned.members[0].yyy, 2);
  assert.ok(!('r301b' in pruned.family));
  const empty = emptyRecord(DEFINITION);
  assert.deepEqual(pruneIrrelevant(DEFINITION, empty, null), empty);
  const now = relevance(DEFINITION, empty, null);
  assert.deepEqual([...now.blocks], ['I', 'II', 'VI'], 'unanswered 205 skips Blok III-V');
  assert.deepEqual(now.members, []);
});

test('malformed records throw like validate()', () => {
  assert.throws(() => relevance(DEFINITION, { form: 'x', version: '1', family: {}, members: [] }, null));
  assert.throws(() => relevance(DEFINITION, { form: 'regsosek22k', version: '1', family: [], members: [] }, null));
  assert.throws(() => pruneIrrelevant(DEFINITION, { form: 'regsosek22k', version: '1', family: {}, members: [1] }, null));
  assert.throws(() => relevance(DEFINITION, null, null));
});

test('emptyRecord fills Blok I from question numbers', () => {
  const prefill = {
    101: '36', 102: '74', 103: '010', 104: '001', 105: '0001', '105a': '00', 106: 'RT 001 RW 002',
    202: 'ambiguous', 999: 'unknown', 107: null,
  };
  const record = emptyRecord(DEFINITION, prefill);
  assert.deepEqual(record, {
    form: 'regsosek22k',
    version: '1',
    family: { r101: '36', r102: '74', r103: '010', r104: '001', r105: '0001', r105a: '00', r106: 'RT 001 RW 002' },
    members: [],
  });
  assert.deepEqual(emptyRecord(DEFINITION), { form: 'regsosek22k', version: '1', family: {}, members: [] });
  const issues = validate(DEFINITION, record, CONTEXT);
  assert.ok(!issues.some((issue) => ['r101', 'r102', 'r103', 'r104', 'r105', 'r105a', 'r106'].includes(issue.variable)));
});

test('newMember numbers the row', () => {
  assert.equal(memberNumberId(DEFINITION), 'r401');
  assert.deepEqual(newMember(DEFINITION, 0), { r401: 1 });
  assert.deepEqual(newMember(DEFINITION, 4), { r401: 5 });
  assert.equal(memberGroup(DEFINITION)?.block.id, 'IV');
  const record = clean();
  record.members.push(newMember(DEFINITION, record.members.length));
  const issues = validate(DEFINITION, record, CONTEXT).filter((issue) => issue.member_index === 4);
  assert.ok(!issues.some((issue) => issue.variable === 'r401'));
  assert.ok(issues.some((issue) => issue.variable === 'r402' && issue.check === 'required'));
});

/**
 * A small deterministic PRNG (mulberry32).
 * @param {number} seed
 * @returns {() => number}
 */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('after pruning, validate() reports no skipped answer (random edits of the clean family)', () => {
  const group = memberGroup(DEFINITION)?.group;
  assert.ok(group);
  const familyVariables = DEFINITION.blocks.flatMap((block) => block.items.filter((item) => item.type !== 'group'));
  const memberVariables = group.variables ?? [];
  /** @type {Record<string, unknown[]>} */
  const interesting = {
    r205: [1, 2, 3, 4, 5], r404: [1, 2, 3, 4, 5], r407: [0, 1, 3, 4, 5, 10, 15, 30, 31, 54, 55, 60, 80, null],
    r405: [1, 2, null], r408: [1, 2, 3, 4], r412: [1, 2, 3, null], r416a: [1, 2], r420: [1, 2],
  };
  const next = random(20221018);
  /**
   * @param {import('./validate.js').Item} variable
   * @returns {unknown}
   */
  const anyValue = (variable) => {
    const pool = interesting[variable.id] ?? (variable.codes
      ? [...variable.codes.map((entry) => entry.code), null]
      : [null, 1, 'X']);
    return pool[Math.floor(next() * pool.length)];
  };
  let prunedRounds = 0;
  let skippedRounds = 0;
  for (let round = 0; round < 150; round += 1) {
    const record = clean();
    if (next() < 0.15) {
      record.family.r205 = [2, 3, 4, 5, null][Math.floor(next() * 5)];
    }
    const edits = 1 + Math.floor(next() * 6);
    for (let edit = 0; edit < edits; edit += 1) {
      if (next() < 0.4) {
        const variable = familyVariables[Math.floor(next() * familyVariables.length)];
        record.family[variable.id] = anyValue(variable);
      } else {
        const drivers = ['r404', 'r407', 'r405', 'r408', 'r412', 'r416a', 'r420'];
        const driver = drivers[Math.floor(next() * drivers.length)];
        const variable = next() < 0.5
          ? memberVariables.find((item) => item.id === driver)
          : memberVariables[Math.floor(next() * memberVariables.length)];
        assert.ok(variable);
        const member = record.members[Math.floor(next() * record.members.length)];
        member[variable.id] = anyValue(variable);
      }
    }
    const before = relevance(DEFINITION, record, CONTEXT);
    const expected = [
      ...Object.keys(record.family)
        .filter((id) => !before.family.has(id) && isAnswered(record.family[id])).map((id) => `-:${id}`),
      ...(before.group
        ? record.members.flatMap((member, index) => Object.keys(member)
          .filter((id) => !before.members[index].has(id) && isAnswered(member[id])).map((id) => `${index}:${id}`))
        : ['-:members']),
    ].sort();
    const reported = relevantIssues(record).map((issue) => `${issue.member_index ?? '-'}:${issue.variable}`).sort();
    assert.deepEqual(reported, expected, `round ${round}: relevance() agrees with validate()`);
    const frozen = structuredClone(record);
    const pruned = pruneIrrelevant(DEFINITION, record, CONTEXT);
    assert.deepEqual(record, frozen, 'input unchanged');
    const left = relevantIssues(pruned).filter((issue) => issue.variable !== 'members');
    assert.deepEqual(left, [], `round ${round}: ${JSON.stringify(record)}`);
    assert.deepEqual(pruneIrrelevant(DEFINITION, pruned, CONTEXT), pruned, `round ${round}: a fixpoint`);
    if (JSON.stringify(pruned) !== JSON.stringify(record)) {
      prunedRounds += 1;
    }
    assert.equal(pruned.members.length, record.members.length);
    const groupSkipped = !relevance(DEFINITION, pruned, CONTEXT).group;
    if (groupSkipped) {
      skippedRounds += 1;
      assert.deepEqual(pruned.members, record.members, 'a skipped group keeps its rows untouched');
    }
  }
  assert.ok(prunedRounds > 30, `pruning changed ${prunedRounds} records`);
  assert.ok(skippedRounds > 3, `the group was skipped in ${skippedRounds} records`);
});
