// @ts-check
/**
 * The outbox and the pull merge against fake-indexeddb (a fresh IndexedDB per test).
 * Run with `node --test static/js/sync/`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

import { openDatabase } from './db.js';
import {
  applyPushResults,
  canonicalJson,
  countWork,
  enqueueFamily,
  listDueOps,
  openPushItems,
  pauseForAuth,
  requeueOps,
  resetInterrupted,
  resolveConflict,
  resumeAfterSignIn,
  saveDraft,
  saveGeotag,
  takeBatch,
} from './outbox.js';
import { setMark } from './marks.js';
import { addPhoto, listUploadablePhotos } from './photos.js';
import { mergePull } from './pull.js';
import { openGeotag, readFamily } from './sealing.js';
import { testVault } from './testing.js';

const T0 = 1_700_000_000_000;
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const vault = await testVault();

function fresh() {
  let n = 0;
  const db = openDatabase('regsosek', { indexedDB: new IDBFactory(), IDBKeyRange });
  return { db, deps: { now: T0, newId: () => `op-${++n}`, vault } };
}

/**
 * A family as the screens see it (decrypted).
 * @param {import('./db.js').RegsosekDB} db
 * @param {string} uuid
 */
function view(db, uuid) {
  return readFamily(db, vault, uuid);
}

/**
 * @param {string} uuid
 * @param {number} [r302]
 * @param {number} [sls]
 */
function input(uuid, r302 = 3, sls = 1) {
  return { client_uuid: uuid, sls, record: { form: 'regsosek22k', version: '1', family: { r302 }, members: [] } };
}

/**
 * @param {import('./db.js').RegsosekDB} db
 * @param {number} [now]
 */
async function take(db, now = T0) {
  const { entries, items } = await takeBatch(db, { now, limit: 50 });
  return { entries, items: await openPushItems(vault, items) };
}

test('finalising a family twice before it is sent keeps one op with the newest edit', async () => {
  const { db, deps } = fresh();
  const first = await enqueueFamily(db, input(A, 1), deps);
  const second = await enqueueFamily(db, input(A, 2), deps);
  assert.equal(second.op_id, first.op_id);
  assert.equal(await db.outbox.count(), 1);
  const { items } = await take(db);
  assert.equal(items.length, 1);
  assert.equal(items[0].record.family.r302, 2);
  assert.equal(items[0].base_revision, null);
});

test('a batch holds only due, finalised families and marks their ops sending', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  await enqueueFamily(db, input(B), deps);
  await saveDraft(db, input(B, 9), T0, vault); // back to draft: its op waits
  await enqueueFamily(db, input(C), { ...deps, now: T0 + 60_000 }); // not due yet
  const { entries, items } = await take(db);
  assert.deepEqual(items.map((i) => i.client_uuid), [A]);
  assert.equal((await db.outbox.get(entries[0].op_id))?.status, 'sending');
  assert.equal((await db.outbox.where('client_uuid').equals(B).first())?.status, 'pending');
  const forced = await takeBatch(db, { now: T0, limit: 50, force: true });
  assert.deepEqual(forced.items.map((i) => i.client_uuid), [C]);
});

test('the batch carries the geotag and the declared photos', async () => {
  const { db, deps } = fresh();
  const geotag = {
    client_uuid: 'g1', sls: 1, building_no: '001', lat: -6.3, lon: 106.6, accuracy_m: 8,
    captured_at: '2022-10-18T09:30:00+07:00', provider: 'gps', accepted_reason: '',
  };
  await saveGeotag(db, geotag, vault);
  await addPhoto(db, { client_uuid: 'p1', family_uuid: A, blob: new Blob(['x']), sha256: 'AB'.repeat(32) }, T0, vault);
  await enqueueFamily(db, { ...input(A), geotag_uuid: 'g1' }, deps);
  const { items } = await take(db);
  assert.equal(items[0].geotag?.latitude, -6.3);
  assert.equal(items[0].geotag?.longitude, 106.6);
  assert.deepEqual(items[0].photos, [{ client_uuid: 'p1', sha256: 'ab'.repeat(32) }]);
});

test('an op is sent only when the answer names its family', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  await enqueueFamily(db, input(B), deps);
  const { entries } = await take(db);
  const { counts } = await applyPushResults(db, entries, [{ client_uuid: A, result: 'created', revision: 1, status: 'submitted' }], {
    now: T0,
    random: () => 0,
    vault,
  });
  assert.deepEqual(counts, { created: 1, missing: 1 });
  const a = await view(db, A);
  assert.equal(a?.status, 'sent');
  assert.equal(a?.base_revision, 1);
  assert.equal(a?.server_revision, 1);
  assert.equal((await db.outbox.where('client_uuid').equals(A).first())?.status, 'sent');
  const opB = await db.outbox.where('client_uuid').equals(B).first();
  assert.equal(opB?.status, 'pending');
  assert.equal(opB?.attempts, 1);
  assert.equal(opB?.next_attempt_at, T0 + 1000);
  assert.equal((await db.families.get(B))?.status, 'final');
});

test('an edit made while the batch was in flight is sent again on top of the new revision', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A, 1), deps);
  const { entries } = await take(db);
  await enqueueFamily(db, input(A, 2), deps);
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'created', revision: 1 }], { now: T0, random: () => 0, vault });
  const family = await view(db, A);
  assert.equal(family?.status, 'final');
  assert.equal(family?.base_revision, 1);
  assert.equal((await db.outbox.get(entries[0].op_id))?.status, 'pending');
  const again = await take(db);
  assert.equal(again.items[0].record.family.r302, 2);
  assert.equal(again.items[0].base_revision, 1);
});

test('conflict, invalid and forbidden answers stay visible with the server reason', async () => {
  const { db, deps } = fresh();
  for (const uuid of [A, B, C]) await enqueueFamily(db, input(uuid), deps);
  const { entries } = await take(db);
  const server = { client_uuid: A, sls: 1, revision: 4, status: 'submitted', record: { family: { r302: 7 } } };
  await applyPushResults(
    db,
    entries,
    [
      { client_uuid: A, result: 'conflict', message: 'Sudah diubah.', server },
      { client_uuid: B, result: 'invalid', errors: [{ variable: 'r302', message: 'Tidak boleh negatif.' }] },
      { client_uuid: C, result: 'forbidden', message: 'SLS ini tidak ditugaskan kepada Anda.' },
    ],
    { now: T0, random: () => 0, vault },
  );
  const a = await view(db, A);
  assert.equal(a?.status, 'conflict');
  assert.equal(a?.record.family.r302, 3, 'the local copy is kept');
  assert.equal(a?.server?.revision, 4);
  assert.equal(a?.message, 'Sudah diubah.');
  const b = await view(db, B);
  assert.equal(b?.status, 'rejected');
  assert.equal(b?.errors?.[0].variable, 'r302');
  const c = await view(db, C);
  assert.equal(c?.status, 'rejected');
  assert.equal(c?.message, 'SLS ini tidak ditugaskan kepada Anda.');
  assert.deepEqual(
    (await db.outbox.toArray()).map((op) => op.status),
    ['rejected', 'rejected', 'rejected'],
  );
  const counts = await countWork(db);
  assert.equal(counts.families.conflict, 1);
  assert.equal(counts.families.rejected, 2);
  assert.equal(counts.unsent, 3);
  assert.equal((await take(db)).entries.length, 0, 'rejected ops are not resent by themselves');
});

test('a draft nothing was typed into is no unsent work, nor is its VK1 mark, until the first save', async () => {
  const { db } = fresh();
  await saveDraft(db, { ...input(A), untouched: true }, T0, vault);
  await setMark(db, { rowId: 7, status: 'found', familyUuid: A }, T0);
  await setMark(db, { rowId: 8, status: 'moved' }, T0);
  let counts = await countWork(db);
  assert.equal(counts.families.draft, 1);
  assert.equal(counts.untouched, 1);
  assert.equal(counts.marks, 1, 'only the mark of the other row');
  assert.equal(counts.unsent, 1);
  // The PPL types an answer: the form saves without `untouched`.
  await saveDraft(db, input(A, 4), T0 + 1, vault);
  assert.equal((await db.families.get(A))?.untouched, false);
  counts = await countWork(db);
  assert.equal(counts.untouched, 0);
  assert.equal(counts.marks, 2);
  assert.equal(counts.unsent, 3);
});

test('fixing a rejected family reuses its op', async () => {
  const { db, deps } = fresh();
  const op = await enqueueFamily(db, input(A, -1), deps);
  const { entries } = await take(db);
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'invalid', errors: [{ message: 'x' }] }], { now: T0, random: () => 0, vault });
  const again = await enqueueFamily(db, input(A, 2), deps);
  assert.equal(again.op_id, op.op_id);
  assert.equal(again.status, 'pending');
  assert.equal((await db.families.get(A))?.errors, null);
  assert.equal(await db.outbox.count(), 1);
});

test('a family in conflict must be resolved before it is finalised again', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  const { entries } = await take(db);
  const server = { client_uuid: A, sls: 1, revision: 2, status: 'returned', review_comment: 'Cek umur', record: { family: { r302: 5 } } };
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'conflict', server }], { now: T0, random: () => 0, vault });
  await assert.rejects(enqueueFamily(db, input(A, 4), deps), /conflict_unresolved/);

  const mine = await resolveConflict(db, A, 'mine', deps);
  assert.equal(mine.status, 'final');
  assert.equal(mine.base_revision, 2);
  assert.equal((await vault.open(mine.record)).family.r302, 3);
  assert.equal((await take(db)).items[0].base_revision, 2);
});

test('taking the server copy of a conflict replaces the local copy and closes the op', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  const { entries } = await take(db);
  const server = { client_uuid: A, sls: 1, revision: 2, status: 'returned', review_comment: 'Cek umur', record: { family: { r302: 5 } } };
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'conflict', server }], { now: T0, random: () => 0, vault });
  const theirs = await resolveConflict(db, A, 'server', deps);
  assert.equal(theirs.status, 'returned');
  assert.equal(theirs.review_comment && (await vault.open(theirs.review_comment)), 'Cek umur');
  assert.equal((await vault.open(theirs.record)).family.r302, 5);
  assert.equal((await db.outbox.get(entries[0].op_id))?.status, 'sent');
});

test('requeued ops back off by doubling and remember the content that may be stored', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  /** @type {number[]} */
  const delays = [];
  let now = T0;
  for (let i = 0; i < 4; i += 1) {
    const { entries } = await takeBatch(db, { now, limit: 50 });
    assert.equal(entries.length, 1);
    await requeueOps(db, entries, { now, random: () => 0, error: 'network' });
    const op = await db.outbox.get(entries[0].op_id);
    delays.push((op?.next_attempt_at ?? 0) - now);
    assert.equal((await takeBatch(db, { now, limit: 50 })).entries.length, 0, 'not due before its time');
    now = op?.next_attempt_at ?? now;
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
  const family = await view(db, A);
  assert.ok(family);
  assert.deepEqual(family.unacked.map((copy) => copy.record.family.r302), [3], 'one copy, however often it is sent');
});

test('a 401 pauses every waiting op until sign-in, and an interrupted send becomes pending', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  await enqueueFamily(db, input(B), deps);
  await takeBatch(db, { now: T0, limit: 1 });
  assert.equal(await pauseForAuth(db), 2);
  assert.deepEqual((await db.outbox.toArray()).map((o) => o.status), ['auth', 'auth']);
  assert.equal((await listDueOps(db, { now: T0, force: true })).length, 0);
  assert.equal(await resumeAfterSignIn(db, T0 + 5), 2);
  assert.equal((await listDueOps(db, { now: T0 + 5 })).length, 2);

  const { entries } = await takeBatch(db, { now: T0 + 5, limit: 1 });
  await resetInterrupted(db, T0 + 6);
  assert.equal((await db.outbox.get(entries[0].op_id))?.status, 'pending');
  assert.ok((await db.families.get(entries[0].client_uuid))?.unacked, 'the interrupted content may be on the server');
});

test('photos wait until the server acknowledged their family', async () => {
  const { db, deps } = fresh();
  await addPhoto(db, { client_uuid: 'p1', family_uuid: A, blob: new Blob(['x']), sha256: 'a'.repeat(64) }, T0, vault);
  await enqueueFamily(db, input(A), deps);
  assert.equal((await listUploadablePhotos(db, { now: T0 })).length, 0);
  const { entries } = await take(db);
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'created', revision: 1 }], { now: T0, random: () => 0, vault });
  assert.deepEqual((await listUploadablePhotos(db, { now: T0 })).map((p) => p.client_uuid), ['p1']);
});

test('canonical JSON ignores key order', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: null }] }), canonicalJson({ a: [{ c: null, d: 2 }], b: 1 }));
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: '1' }));
});

/**
 * @param {Partial<import('./pull.js').PullBody>} fields
 * @returns {import('./pull.js').PullBody}
 */
function pullBody(fields) {
  return { cursor: 'c1', sls: [], prelist: [], families: [], returned: [], ...fields };
}

test('a pull replaces SLS and prelist but never deletes a family', async () => {
  const { db, deps } = fresh();
  await db.sls.put({ id: 9, name: 'lama' });
  await db.prelist.put({ id: 90, sls: 9 });
  await enqueueFamily(db, input(A, 3, 9), deps);
  await mergePull(db, pullBody({ sls: [{ id: 1, name: 'baru' }], prelist: [{ id: 10, sls: 1 }] }), T0, vault);
  assert.deepEqual((await db.sls.toArray()).map((s) => s.id), [1]);
  assert.deepEqual((await db.prelist.toArray()).map((p) => p.id), [10]);
  assert.equal((await db.families.get(A))?.status, 'final');
  assert.equal(await db.outbox.count(), 1);
  assert.equal((await db.meta.get('cursor'))?.value, 'c1');
  assert.equal((await db.meta.get('last_sync_at'))?.value, T0);
});

test('a pull stores the geotags of its families, for display and reuse per building', async () => {
  const { db } = fresh();
  const geotag = {
    client_uuid: 'g-1', sls: 1, building_no: '007', lat: -6.3, lon: 106.6, accuracy_m: 9,
    captured_at: '2022-10-18T09:30:00+07:00', provider: 'gps', accepted_reason: '',
  };
  await mergePull(db, pullBody({ geotags: [geotag] }), T0, vault);
  await mergePull(db, pullBody({ geotags: [] }), T0, vault); // a later pull without it keeps it
  const stored = await db.geotags.where('[sls+building_no]').equals([1, '007']).toArray();
  assert.deepEqual(await Promise.all(stored.map((row) => openGeotag(vault, row))), [geotag]);
  assert.equal(JSON.stringify(stored).includes('106.6'), false, 'the coordinates are sealed');
});

test('a pull updates clean copies, keeps unsent edits and flags the ones the server moved past', async () => {
  const { db, deps } = fresh();
  for (const uuid of [A, B, C]) await enqueueFamily(db, input(uuid, 1), deps);
  const { entries } = await take(db);
  await applyPushResults(
    db,
    entries,
    [A, B, C].map((uuid) => ({ client_uuid: uuid, result: /** @type {const} */ ('created'), revision: 1 })),
    { now: T0, random: () => 0, vault },
  );
  await enqueueFamily(db, input(B, 2), deps); // unsent local edit, server unchanged
  await saveDraft(db, input(C, 2), T0, vault); // unsent local edit, server moved on
  const server = (/** @type {string} */ uuid, /** @type {number} */ revision, /** @type {number} */ r302) => ({
    client_uuid: uuid, sls: 1, revision, status: 'submitted', review_comment: null, record: { family: { r302 } },
  });
  const summary = await mergePull(db, pullBody({ families: [server(A, 2, 8), server(B, 1, 1), server(C, 2, 9)] }), T0, vault);
  assert.equal(summary.updated, 1);
  assert.equal(summary.conflicts, 1);
  const a = await view(db, A);
  assert.equal(a?.record.family.r302, 8);
  assert.equal(a?.base_revision, 2);
  const b = await view(db, B);
  assert.equal(b?.status, 'final');
  assert.equal(b?.record.family.r302, 2);
  const c = await view(db, C);
  assert.equal(c?.status, 'conflict');
  assert.equal(c?.record.family.r302, 2, 'the local edit is kept');
  assert.equal(c?.server?.record.family.r302, 9);
});

test('returned families become tasks with the comment', async () => {
  const { db, deps } = fresh();
  await enqueueFamily(db, input(A), deps);
  const { entries } = await take(db);
  await applyPushResults(db, entries, [{ client_uuid: A, result: 'created', revision: 1 }], { now: T0, random: () => 0, vault });
  await mergePull(db, pullBody({ returned: [{ client_uuid: A, comment: 'Umur kepala keluarga salah.' }] }), T0, vault);
  const a = await view(db, A);
  assert.equal(a?.status, 'returned');
  assert.equal(a?.review_comment, 'Umur kepala keluarga salah.');
});
