// @ts-check
/**
 * Keep only what is needed: approved families leave the phone after the grace period (a fake
 * clock), with what they carried, and only when nothing of them is unsent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

import { createApi } from './api.js';
import { openDatabase } from './db.js';
import { createSyncEngine } from './engine.js';
import { createFakeServer } from './fake-server.js';
import { marksByKey, setMark } from './marks.js';
import { enqueueFamily, saveGeotag } from './outbox.js';
import { addPhoto, sha256Hex } from './photos.js';
import { DEFAULT_RETENTION_MS, retireApproved, storedSummary } from './retention.js';
import { testVault } from './testing.js';

const T0 = 1_700_000_000_000;
const HOUR = 60 * 60 * 1000;
const vault = await testVault();

/** @param {number} n */
function uuid(n) {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** @param {{retentionMs?: number | null}} [options] */
async function phone({ retentionMs } = {}) {
  const clock = { t: T0, now() { return this.t; } };
  const server = createFakeServer({ clock });
  server.addUser('ppl1', 'rahasia', [1]);
  server.setSls([{ id: 1, name: 'RT 001', full_code: '3674010001000100' }]);
  server.setPrelist([{ id: 11, sls: 1, line_no: 1, head_name: 'Budi' }]);
  const db = openDatabase('regsosek', { indexedDB: new IDBFactory(), IDBKeyRange });
  let ids = 0;
  const engine = createSyncEngine({
    db,
    api: createApi({ fetch: server.fetch }),
    clock,
    random: () => 0,
    randomUUID: () => uuid(900 + ++ids),
    vault: () => vault,
    ...(retentionMs === undefined ? {} : { retentionMs }),
  });
  assert.equal((await engine.signIn({ username: 'ppl1', password: 'rahasia' })).ok, true);
  /**
   * A finalised family with a geotag, a photo and its VK1 mark.
   * @param {number} n
   */
  const family = async (n) => {
    const geotag = {
      client_uuid: uuid(200 + n), sls: 1, building_no: String(n), lat: -6.2, lon: 106.8, accuracy_m: 5,
      captured_at: '2022-10-18T09:30:00+07:00', provider: 'gps', accepted_reason: '',
    };  // prettier-ignore
    await saveGeotag(db, geotag, vault);
    const record = { form: 'regsosek22k', version: '1', family: { r302: 3, r108: `KELUARGA ${n}` }, members: [] };
    await enqueueFamily(db, { client_uuid: uuid(n), sls: 1, record, geotag_uuid: geotag.client_uuid }, { now: clock.now(), newId: () => uuid(800 + ++ids), vault });
    const blob = new Blob([`foto ${n}`], { type: 'image/jpeg' });
    await addPhoto(db, { client_uuid: uuid(300 + n), family_uuid: uuid(n), blob, sha256: await sha256Hex(blob) }, clock.now(), vault);
    await setMark(db, { rowId: n === 1 ? 11 : null, status: n === 1 ? 'found' : 'new', familyUuid: uuid(n) }, clock.now());
  };
  return { clock, server, db, engine, family };
}

test('an approved family leaves the phone after the grace period; its count and VK1 status stay', async () => {
  const { clock, server, db, engine, family } = await phone();
  await family(1);
  assert.equal((await engine.syncNow()).ok, true);
  server.approve(uuid(1));
  await engine.syncNow();
  const seen = await db.families.get(uuid(1));
  assert.equal(seen?.server_status, 'approved');
  assert.equal(seen?.approved_seen_at, T0, 'the grace period starts when the phone sees the approval');

  clock.t += DEFAULT_RETENTION_MS - HOUR;
  await engine.syncNow();
  assert.ok(await db.families.get(uuid(1)), 'kept during the grace period');

  clock.t += HOUR;
  assert.equal((await engine.syncNow()).ok, true);
  assert.equal(await db.families.get(uuid(1)), undefined, 'gone after 24 h');
  assert.equal(await db.photos.count(), 0);
  assert.equal(await db.outbox.count(), 0);
  assert.equal(await db.geotags.count(), 0, 'no family on the phone uses its geotag any more');
  assert.deepEqual(await db.retired.toArray(), [{ client_uuid: uuid(1), sls: 1, server_status: 'approved', retired_at: clock.now() }]);
  const marks = await marksByKey(db);
  assert.equal(marks.get('row:11')?.status, 'found', 'the VK1 status stays');
  assert.equal((await db.prelist.get(11))?.status, 'found');
  const summary = await storedSummary(db);
  assert.equal(summary.families, 0);
  assert.equal(summary.retired, 1);
  assert.deepEqual(summary.bySls.get(1), { families: 0, retired: 1 });

  // A full pull (the cursor lost) brings it again: it is not stored again.
  await db.meta.delete('cursor');
  await engine.syncNow();
  assert.equal(await db.families.get(uuid(1)), undefined);

  // Reopened by a supervisor (returned with a comment): the PPL needs it again.
  server.returnFamily(uuid(1), 'Cek lagi');
  await engine.syncNow();
  assert.equal((await db.families.get(uuid(1)))?.status, 'returned');
  assert.equal(await db.retired.count(), 0);
});

test('an approved family with anything unsent stays past the grace period', async () => {
  const { clock, server, db, engine, family } = await phone();
  await family(2);
  assert.equal((await engine.syncNow()).ok, true);
  server.approve(uuid(2));
  // A second photo taken later waits (the server refuses it for now).
  const blob = new Blob(['foto lagi'], { type: 'image/jpeg' });
  await addPhoto(db, { client_uuid: uuid(399), family_uuid: uuid(2), blob, sha256: await sha256Hex(blob) }, clock.now(), vault);
  server.fail({ method: 'PUT', path: `/api/v1/sync/photos/${uuid(399)}`, mode: 'status', status: 415, times: Infinity });
  await engine.syncNow({ force: true });
  assert.equal((await db.photos.get(uuid(399)))?.status, 'rejected');
  clock.t += 3 * DEFAULT_RETENTION_MS;
  await engine.syncNow({ force: true });
  assert.ok(await db.families.get(uuid(2)), 'kept: a photo of it was never accepted');
  assert.equal(await db.retired.count(), 0);
});

test('the grace period ends on a phone that stays offline, and can be turned off', async () => {
  const { clock, server, db, engine, family } = await phone({ retentionMs: null });
  await family(1);
  await engine.syncNow();
  server.approve(uuid(1));
  await engine.syncNow();
  clock.t += 10 * DEFAULT_RETENTION_MS;
  await engine.syncNow();
  assert.ok(await db.families.get(uuid(1)), 'retention off: kept');
  // What the app runs when it is unlocked, with or without a network.
  const first = await retireApproved(db, { now: clock.now(), graceMs: 2 * HOUR });
  assert.deepEqual(first, { started: 1, retired: 0 }, 'the approval was seen while retention was off: its period starts now');
  assert.deepEqual(await retireApproved(db, { now: clock.now() + 2 * HOUR, graceMs: 2 * HOUR }), { started: 0, retired: 1 });
  assert.equal(await db.families.count(), 0);
});
