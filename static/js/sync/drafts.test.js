// @ts-check
/**
 * New drafts, discarding, the interview times and the supervisor's notes per answer, against
 * fake-indexeddb (a fresh IndexedDB per test).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

import { openDatabase } from './db.js';
import { setMark } from './marks.js';
import {
  applyPushResults,
  countWork,
  discardDraft,
  discardIfUntouched,
  enqueueFamily,
  isoNow,
  openPushItems,
  saveDraft,
  saveGeotag,
  takeBatch,
} from './outbox.js';
import { addPhoto } from './photos.js';
import { mergePull } from './pull.js';
import { readFamily } from './sealing.js';
import { testVault } from './testing.js';

const T0 = Date.parse('2022-10-18T02:00:00Z');
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const vault = await testVault();

function fresh() {
  let n = 0;
  const db = openDatabase('regsosek', { indexedDB: new IDBFactory(), IDBKeyRange });
  return { db, deps: { now: T0, newId: () => `op-${++n}`, vault } };
}

/**
 * @param {string} uuid
 * @param {Record<string, unknown>} [family]
 */
function input(uuid, family = { r101: '36' }) {
  return { client_uuid: uuid, sls: 1, record: { form: 'regsosek22k', version: '1', family, members: [] } };
}

/**
 * A new family as "Mulai wawancara" starts it: the draft (untouched) and its VK1 mark.
 * @param {import('./db.js').RegsosekDB} db
 * @param {string} uuid
 * @param {number} row
 */
async function start(db, uuid, row) {
  await saveDraft(db, { ...input(uuid), untouched: true }, T0, vault);
  await setMark(db, { rowId: row, status: 'found', familyUuid: uuid }, T0);
}

test('an untouched new draft and its VK1 mark are not unsent work; the first answer makes them so', async () => {
  const { db } = fresh();
  await start(db, A, 10);
  let work = await countWork(db);
  assert.equal(work.families.draft, 1);
  assert.equal(work.untouched, 1);
  assert.equal(work.unsent, 0, 'nothing was entered: sign-out is not refused for it');

  await saveDraft(db, { ...input(A, { r101: '36', r302: 45 }), interview_started_at: isoNow(T0 + 1000) }, T0 + 1000, vault);
  work = await countWork(db);
  assert.equal(work.untouched, 0);
  assert.equal(work.unsent, 2, 'the family and its mark');
  assert.equal((await db.families.get(A))?.untouched, false);
});

test('an untouched draft left without an answer is discarded with its mark; a touched one stays', async () => {
  const { db } = fresh();
  await start(db, A, 10);
  await start(db, B, 11);
  await saveDraft(db, input(B, { r101: '36', r302: 50 }), T0, vault);
  assert.equal(await discardIfUntouched(db, A), true);
  assert.equal(await discardIfUntouched(db, B), false);
  assert.equal(await db.families.get(A), undefined);
  assert.equal(await db.marks.get('row:10'), undefined, 'the VK1 row is offered again');
  assert.ok(await db.families.get(B));
  assert.ok(await db.marks.get('row:11'));
});

test('a draft nobody finalised is discarded with its photos, mark and unshared geotag', async () => {
  const { db } = fresh();
  await start(db, A, 10);
  await start(db, B, 11);
  const geotag = { client_uuid: 'g1', sls: 1, building_no: '001', lat: -6.3, lon: 106.7, accuracy_m: 5, captured_at: isoNow(T0), provider: 'gps', accepted_reason: '' };
  const lonely = { ...geotag, client_uuid: 'g2', building_no: '002' };
  await saveGeotag(db, geotag, vault);
  await saveGeotag(db, lonely, vault);
  await saveDraft(db, { ...input(A, { r109: '002' }), geotag_uuid: 'g2' }, T0, vault);
  await saveDraft(db, { ...input(B, { r109: '001' }), geotag_uuid: 'g1' }, T0, vault);
  await addPhoto(db, { client_uuid: 'p1', family_uuid: A, blob: new Blob([new Uint8Array([1, 2, 3])]), sha256: 'a'.repeat(64) }, T0, vault);

  assert.equal(await discardDraft(db, A), true);
  assert.equal(await db.families.get(A), undefined);
  assert.equal(await db.photos.count(), 0);
  assert.equal(await db.geotags.get('g2'), undefined);
  assert.ok(await db.geotags.get('g1'), "another family's geotag stays");
  assert.equal(await db.marks.get('row:10'), undefined);
  assert.equal(await discardDraft(db, A), false, 'already gone');
});

test('a finalised or sent family is never discarded', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  await assert.rejects(discardDraft(db, A), /not_discardable/);

  // Sent and acknowledged, then edited again as a draft: still the server's family.
  await enqueueFamily(db, input(B), deps);
  const { entries } = await takeBatch(db, { now: T0, limit: 50, force: true });
  await applyPushResults(db, entries, entries.map((e) => ({ client_uuid: e.client_uuid, result: 'created', revision: 1, status: 'submitted' })), { now: T0, random: () => 0, vault });
  await saveDraft(db, input(B, { r101: '36', r302: 9 }), T0, vault);
  assert.equal((await db.families.get(B))?.status, 'draft');
  await assert.rejects(discardDraft(db, B), /not_discardable/);
  assert.ok(await db.families.get(A));
  assert.ok(await db.families.get(B));
});

test('the interview starts with the first answer, ends when finalised, and both are sent', async () => {
  const { db, deps } = fresh();
  await start(db, A, 10);
  assert.equal((await db.families.get(A))?.interview_started_at, null);
  const first = isoNow(T0 + 60_000);
  await saveDraft(db, { ...input(A, { r302: 1 }), interview_started_at: first }, T0 + 60_000, vault);
  await saveDraft(db, { ...input(A, { r302: 2 }), interview_started_at: isoNow(T0 + 120_000) }, T0 + 120_000, vault);
  assert.equal((await db.families.get(A))?.interview_started_at, first, 'a later save keeps the start');

  const finished = T0 + 40 * 60_000;
  await enqueueFamily(db, input(A, { r302: 3 }), { ...deps, now: finished });
  const { items } = await takeBatch(db, { now: finished, limit: 50, force: true });
  const [item] = await openPushItems(vault, items);
  assert.equal(item.interview_started_at, first);
  assert.equal(item.interview_finished_at, isoNow(finished));
  assert.match(item.interview_finished_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(Date.parse(item.interview_finished_at ?? ''), finished);
});

test("a correction after the server has the family keeps the interview's finish time", async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  const { entries } = await takeBatch(db, { now: T0, limit: 50, force: true });
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'created', revision: 1, status: 'submitted' }], { now: T0, random: () => 0, vault });
  await enqueueFamily(db, input(A, { r302: 7 }), { ...deps, now: T0 + 86_400_000 });
  assert.equal((await db.families.get(A))?.interview_finished_at, isoNow(T0));
});

test("the supervisor's notes per answer come with a return and stay with the family", async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  const { entries } = await takeBatch(db, { now: T0, limit: 50, force: true });
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'created', revision: 1, status: 'submitted' }], { now: T0, random: () => 0, vault });
  const notes = [
    { variable: 'r302', member: null, comment: 'Luas lantai <b>terlalu kecil</b>' },
    { variable: 'r407', member: 2, comment: 'Umur tidak sesuai KK' },
  ];
  const server = {
    client_uuid: A, sls: 1, revision: 1, status: 'returned', review_comment: 'Periksa lagi', review_notes: notes, return_id: 5,
    record: input(A).record,
  };
  await mergePull(db, { cursor: 'c', sls: [], prelist: [], families: [server], returned: [{ client_uuid: A, comment: 'Periksa lagi', notes, return_id: 5 }] }, T0, vault);
  const family = await readFamily(db, vault, A);
  assert.equal(family?.status, 'returned');
  assert.deepEqual(family?.review_notes, notes);
  const stored = JSON.stringify(await db.families.get(A));
  assert.ok(!stored.includes('terlalu kecil'), 'sealed at rest');

  // A later return without notes (an older server) keeps them; one with notes replaces them.
  await mergePull(db, { cursor: 'c', sls: [], prelist: [], families: [], returned: [{ client_uuid: A, comment: 'Lagi', return_id: 5 }] }, T0, vault);
  assert.deepEqual((await readFamily(db, vault, A))?.review_notes, notes);
  await mergePull(db, { cursor: 'c', sls: [], prelist: [], families: [], returned: [{ client_uuid: A, comment: 'Lagi', notes: [], return_id: 6 }] }, T0, vault);
  assert.deepEqual((await readFamily(db, vault, A))?.review_notes, []);
});
