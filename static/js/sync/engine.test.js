// @ts-check
/**
 * The sync engine against an in-memory server that keeps the docs/sync.md contract
 * (fake-server.js), with fake-indexeddb. Run with `node --test static/js/sync/`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

import { createApi } from './api.js';
import { BACKOFF_MAX_MS } from './backoff.js';
import { STORE_NAMES, getMeta, openDatabase } from './db.js';
import { IDLE_MS, createSyncEngine } from './engine.js';
import { createFakeServer } from './fake-server.js';
import { enqueueFamily, resolveConflict, saveDraft } from './outbox.js';
import { addPhoto, sha256Hex } from './photos.js';
import { setMark } from './marks.js';
import { openPrelistRow, readFamily } from './sealing.js';
import { testVault } from './testing.js';

const T0 = 1_700_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const vault = await testVault();

/**
 * A family as the screens see it (decrypted).
 * @param {import('./db.js').RegsosekDB} db
 * @param {string} uuid
 */
function view(db, uuid) {
  return readFamily(db, vault, uuid);
}

/** @param {number} n */
function uuid(n) {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/**
 * @param {string} clientUuid
 * @param {number} r302
 * @param {number} sls
 */
function input(clientUuid, r302 = 3, sls = 1) {
  return { client_uuid: clientUuid, sls, record: { form: 'regsosek22k', version: '1', family: { r302 }, members: [] } };
}

/**
 * @param {{batchSize?: number, maxBatch?: number, random?: () => number, storage?: {persist: () => Promise<boolean>}}} [options]
 */
function setup({ batchSize, maxBatch, random = () => 0, storage } = {}) {
  const clock = { t: T0, now() { return this.t; } };
  const server = createFakeServer({ clock, maxBatch });
  server.addUser('ppl1', 'rahasia', [1, 2]);
  server.setSls([
    { id: 1, name: 'RT 001', full_code: '3674010001000100' },
    { id: 2, name: 'RT 002', full_code: '3674010001000200' },
    { id: 3, name: 'RT 003', full_code: '3674010001000300' },
  ]);
  server.setPrelist([{ id: 11, sls: 1, line_no: 1, head_name: 'Budi' }]);
  const db = openDatabase('regsosek', { indexedDB: new IDBFactory(), IDBKeyRange });
  const api = createApi({ fetch: server.fetch });
  /** @type {import('./engine.js').SyncEvent[]} */
  const events = [];
  let ids = 900;
  const engine = createSyncEngine({
    db,
    api,
    clock,
    random,
    randomUUID: () => uuid(++ids),
    onEvent: (event) => events.push(event),
    batchSize,
    storage,
    vault: () => vault,
  });
  return {
    clock,
    server,
    db,
    engine,
    events,
    /**
     * @param {string} clientUuid
     * @param {number} [r302]
     * @param {number} [sls]
     */
    finalise: (clientUuid, r302 = 3, sls = 1) =>
      enqueueFamily(db, input(clientUuid, r302, sls), { now: clock.now(), newId: () => `op-${++ids}`, vault }),
  };
}

/** @param {Parameters<typeof setup>[0]} [options] */
async function signedIn(options) {
  const ctx = setup(options);
  const result = await ctx.engine.signIn({ username: 'ppl1', password: 'rahasia', deviceName: 'HP Andi' });
  assert.equal(result.ok, true);
  return ctx;
}

/**
 * @param {import('./db.js').RegsosekDB} db
 * @param {string} clientUuid
 */
async function opOf(db, clientUuid) {
  return db.outbox.where('client_uuid').equals(clientUuid).first();
}

test('a family is sent once and marked sent only after the server acknowledged it', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1));
  /** @type {(string | undefined)[]} */
  const statusWhileInFlight = [];
  server.onRequest(async (request) => {
    if (request.path === '/api/v1/sync/push/') statusWhileInFlight.push((await opOf(db, uuid(1)))?.status);
  });
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'network' });

  const failed = await engine.syncNow();
  assert.equal(failed.ok, false);
  assert.equal(failed.reason, 'network');
  assert.equal(server.families.size, 0);
  assert.equal((await opOf(db, uuid(1)))?.status, 'pending');
  assert.equal((await view(db, uuid(1)))?.status, 'final');

  const ok = await engine.syncNow({ force: true });
  assert.equal(ok.ok, true);
  assert.deepEqual(statusWhileInFlight, ['sending', 'sending']);
  assert.equal(server.families.get(uuid(1))?.revision, 1);
  const family = await view(db, uuid(1));
  assert.equal(family?.status, 'sent');
  assert.equal(family?.base_revision, 1);
  assert.equal((await opOf(db, uuid(1)))?.status, 'sent');

  await engine.syncNow({ force: true });
  assert.equal(server.requests('POST', '/api/v1/sync/push/').length, 2, 'a sent family is not sent again');
});

test('a dropped answer is retried, answered unchanged, and stored once on the server', async () => {
  const { db, engine, server, finalise, clock } = await signedIn();
  await finalise(uuid(1));
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'drop' });
  const first = await engine.syncNow();
  assert.equal(first.reason, 'network');
  assert.equal(server.families.size, 1, 'the server stored it');
  assert.equal((await opOf(db, uuid(1)))?.status, 'pending', 'the phone did not see the answer');

  clock.t += 1000;
  const second = await engine.syncNow();
  assert.equal(second.ok, true);
  assert.deepEqual(second.pushed, { unchanged: 1 });
  assert.equal(server.families.size, 1);
  assert.equal(server.families.get(uuid(1))?.revision, 1);
  assert.equal((await opOf(db, uuid(1)))?.status, 'sent');
  assert.equal((await view(db, uuid(1)))?.base_revision, 1);
});

test('an edit after a dropped answer is not mistaken for a conflict', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1), 3);
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'drop' });
  await engine.syncNow();
  await finalise(uuid(1), 4); // the PPL corrects it before the next sync
  const result = await engine.syncNow({ force: true });
  assert.equal(result.ok, true);
  const family = await view(db, uuid(1));
  assert.equal(family?.status, 'sent');
  assert.equal(server.families.get(uuid(1))?.revision, 2);
  assert.equal(server.families.get(uuid(1))?.record.family.r302, 4);
});

test('issue 17: lost answer, then an edit whose sends never leave the phone: no conflict, the edit is stored', async () => {
  const { db, engine, server, finalise, clock } = await signedIn();
  await finalise(uuid(1), 3); // 1. finalised offline
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'drop' }); // 2. created, answer lost
  await engine.syncNow({ force: true });
  assert.equal(server.families.get(uuid(1))?.revision, 1);
  await finalise(uuid(1), 4); // 3. edited and finalised again offline
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'network', times: 3 });
  for (let i = 0; i < 3; i += 1) {
    clock.t += 10 * 60 * 1000;
    assert.equal((await engine.syncNow({ force: true })).reason, 'network');
  }
  const healed = await engine.syncNow({ force: true }); // 4. a clean network
  assert.equal(healed.ok, true);
  assert.equal(healed.pushed.conflict, undefined);
  const family = await view(db, uuid(1));
  assert.equal(family?.status, 'sent');
  assert.equal(healed.counts.unsent, 0);
  assert.equal(server.families.get(uuid(1))?.revision, 2);
  assert.equal(server.families.get(uuid(1))?.record.family.r302, 4, 'the edit reached the server');
  assert.equal(server.writes.created.get(uuid(1)), 1);
});

test('issue 17: the conflict answer to the edit is lost too: the next send still rebases on our own copy', async () => {
  const { db, engine, server, finalise, clock } = await signedIn();
  await finalise(uuid(1), 3);
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'drop' });
  await engine.syncNow({ force: true });
  await finalise(uuid(1), 4);
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'drop' }); // answered conflict, lost
  await engine.syncNow({ force: true });
  clock.t += 60 * 1000;
  const healed = await engine.syncNow({ force: true });
  assert.equal(healed.ok, true);
  assert.equal((await view(db, uuid(1)))?.status, 'sent');
  assert.equal(server.families.get(uuid(1))?.record.family.r302, 4);
});

test('a request that reaches the server after a newer one does not win: the newer content is sent again', async () => {
  const { db, engine, server, finalise, clock } = await signedIn();
  await finalise(uuid(1), 3);
  await engine.syncNow({ force: true });
  await finalise(uuid(1), 4);
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'late' }); // r302=4 arrives later
  await engine.syncNow({ force: true });
  await finalise(uuid(1), 5);
  clock.t += 60 * 1000;
  const result = await engine.syncNow({ force: true });
  assert.equal(result.ok, true);
  assert.equal((await view(db, uuid(1)))?.status, 'sent');
  assert.equal(server.families.get(uuid(1))?.record.family.r302, 5);
  assert.equal(result.pushed.conflict, undefined);
});

test('a return made while the PPL edits offline reaches the PPL before the edit leaves', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1), 3);
  await engine.syncNow({ force: true });
  server.returnFamily(uuid(1), 'Cek jumlah anggota');
  await finalise(uuid(1), 4); // offline: the phone does not know of the return yet
  const result = await engine.syncNow({ force: true });
  assert.equal(result.pushed.returned, 1);
  let family = await view(db, uuid(1));
  assert.equal(family?.status, 'conflict');
  assert.equal(family?.conflict_reason, 'returned');
  assert.equal(family?.review_comment, 'Cek jumlah anggota');
  assert.equal(family?.record.family.r302, 4, 'the edit is kept');
  assert.equal(server.families.get(uuid(1))?.status, 'returned', 'the server still waits for the PPL');
  assert.equal(server.families.get(uuid(1))?.record.family.r302, 3);

  await resolveConflict(db, uuid(1), 'mine', { now: T0, newId: () => 'op-x' });
  const sent = await engine.syncNow({ force: true });
  assert.equal(sent.ok, true);
  family = await view(db, uuid(1));
  assert.equal(family?.status, 'sent');
  assert.equal(server.families.get(uuid(1))?.status, 'submitted');
  assert.equal(server.families.get(uuid(1))?.record.family.r302, 4);
});

test('a return the pull brings holds a finalised family that waits for the network', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1), 3);
  await engine.syncNow({ force: true });
  server.returnFamily(uuid(1), 'Foto rumah buram');
  await finalise(uuid(1), 4);
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'status', status: 503 });
  await engine.syncNow({ force: true }); // push fails, no pull in this run
  // The next run's pull (after a push that is held back by backoff) shows the return.
  const { mergePull } = await import('./pull.js');
  const body = await (await server.fetch('/api/v1/sync/pull/', { headers: { Authorization: 'Bearer token-1', 'X-Device-ID': String(await getMeta(db, 'device_id')) } })).json();
  await mergePull(db, body, T0, vault);
  const family = await view(db, uuid(1));
  assert.equal(family?.status, 'conflict');
  assert.equal(family?.conflict_reason, 'returned');
  assert.equal(family?.review_comment, 'Foto rumah buram');
  assert.equal((await opOf(db, uuid(1)))?.status, 'rejected', 'not sent until the PPL chose');
});

test('a family finalised after the phone showed the return answers it', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1), 3);
  await engine.syncNow({ force: true });
  server.returnFamily(uuid(1), 'Cek umur kepala keluarga');
  await engine.syncNow({ force: true });
  assert.equal((await view(db, uuid(1)))?.status, 'returned');
  await finalise(uuid(1), 4);
  const result = await engine.syncNow({ force: true });
  assert.deepEqual(result.pushed, { updated: 1 });
  assert.equal(server.families.get(uuid(1))?.status, 'submitted');
});

test('a conflict keeps both copies visible and is not resent', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1), 3);
  await engine.syncNow();
  server.supervisorEdit(uuid(1), (record) => {
    record.family.r302 = 5;
  });
  await finalise(uuid(1), 4); // edited on the phone from revision 1
  const result = await engine.syncNow();
  // The push came first and was answered conflict; the pull then brought the same server copy.
  assert.equal(result.pushed.conflict, 1);
  const family = await view(db, uuid(1));
  assert.equal(family?.status, 'conflict');
  assert.equal(family?.record.family.r302, 4);
  assert.equal(family?.server?.record.family.r302, 5);
  assert.equal(family?.server?.revision, 2);
  assert.ok(family?.message);
  assert.equal(result.counts.families.conflict, 1);
  const pushes = server.requests('POST', '/api/v1/sync/push/').length;
  await engine.syncNow({ force: true });
  assert.equal(server.requests('POST', '/api/v1/sync/push/').length, pushes);
  assert.equal(server.families.get(uuid(1))?.record.family.r302, 5, 'never overwritten silently');
});

test('one invalid or forbidden family does not block the others', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1), 3);
  await finalise(uuid(2), -1); // invalid: r302 < 0
  await finalise(uuid(3), 3, 3); // forbidden: SLS 3 is not assigned
  await finalise(uuid(4), 2);
  const result = await engine.syncNow();
  assert.equal(result.ok, true);
  assert.deepEqual(result.pushed, { created: 2, invalid: 1, forbidden: 1 });
  assert.equal(server.requests('POST', '/api/v1/sync/push/').length, 1, 'one request for the batch');
  assert.deepEqual([...server.families.keys()].sort(), [uuid(1), uuid(4)]);
  const invalid = await view(db, uuid(2));
  assert.equal(invalid?.status, 'rejected');
  assert.equal(invalid?.errors?.[0].variable, 'r302');
  assert.equal(invalid?.errors?.[0].message, 'Jumlah tidak boleh negatif.');
  const forbidden = await view(db, uuid(3));
  assert.equal(forbidden?.status, 'rejected');
  assert.match(forbidden?.message ?? '', /tidak ditugaskan/);
  assert.equal((await view(db, uuid(4)))?.status, 'sent');
});

test('batches hold at most 50 families, and a 413 splits the batch', async () => {
  const big = await signedIn();
  for (let i = 1; i <= 120; i += 1) await big.finalise(uuid(i));
  await big.engine.syncNow();
  assert.deepEqual(
    big.server.requests('POST', '/api/v1/sync/push/').map((r) => r.body.families.length),
    [50, 50, 20],
  );
  assert.equal(big.server.families.size, 120);

  const small = await signedIn({ maxBatch: 3 });
  for (let i = 1; i <= 7; i += 1) await small.finalise(uuid(i));
  const result = await small.engine.syncNow();
  assert.equal(result.ok, true);
  assert.equal(small.server.families.size, 7);
  assert.equal((await small.engine.signOut()).ok, true, 'nothing left unsent');
});

test('photos go only after their family and are never sent again', async () => {
  const { db, engine, server, finalise, clock } = await signedIn();
  const blob = new Blob(['jpeg bytes'], { type: 'image/jpeg' });
  const sha = await sha256Hex(blob);
  await saveDraft(db, input(uuid(1)), clock.now(), vault);
  await addPhoto(db, { client_uuid: uuid(501), family_uuid: uuid(1), blob, sha256: sha }, clock.now(), vault);
  await addPhoto(db, { client_uuid: uuid(502), family_uuid: uuid(1), blob, sha256: sha }, clock.now(), vault);
  server.holdPhoto(uuid(502), uuid(1), sha); // already on the server (sent from an earlier install)

  await engine.syncNow();
  assert.equal(server.requests('POST', '/api/v1/sync/photos/missing/').length, 0, 'the family is only a draft');
  assert.equal((await db.photos.get(uuid(501)))?.status, 'pending');

  await finalise(uuid(1));
  await engine.syncNow();
  const order = server.log.map((r) => `${r.method} ${r.path}`).filter((line) => !line.includes('/pull/'));
  const pushAt = order.indexOf('POST /api/v1/sync/push/');
  const putAt = order.indexOf(`PUT /api/v1/sync/photos/${uuid(501)}`);
  assert.ok(pushAt >= 0 && putAt > pushAt, 'the family goes first');
  assert.equal(server.requests('PUT', `/api/v1/sync/photos/${uuid(502)}`).length, 0, 'held photo not uploaded');
  assert.equal(server.requests('PUT', `/api/v1/sync/photos/${uuid(501)}`)[0].headers.get('X-Content-SHA256'), sha);
  assert.equal(server.requests('PUT', `/api/v1/sync/photos/${uuid(501)}`)[0].headers.get('X-Family-UUID'), uuid(1));
  assert.equal((await db.photos.get(uuid(501)))?.status, 'sent');
  assert.equal((await db.photos.get(uuid(502)))?.status, 'sent');
  assert.ok(server.photos.has(uuid(501)));

  await engine.syncNow({ force: true });
  assert.equal(server.log.filter((r) => r.method === 'PUT').length, 1);
});

test('a refused photo is kept with the reason; a lost upload is retried', async () => {
  const { db, engine, server, finalise, clock } = await signedIn();
  await finalise(uuid(1));
  await engine.syncNow();
  const text = new Blob(['not an image'], { type: 'text/plain' });
  const jpeg = new Blob(['jpeg'], { type: 'image/jpeg' });
  await addPhoto(db, { client_uuid: uuid(601), family_uuid: uuid(1), blob: text, sha256: await sha256Hex(text) }, clock.now(), vault);
  await addPhoto(db, { client_uuid: uuid(602), family_uuid: uuid(1), blob: jpeg, sha256: await sha256Hex(jpeg) }, clock.now(), vault);
  server.fail({ method: 'PUT', path: `/api/v1/sync/photos/${uuid(602)}`, mode: 'status', status: 503 });
  const result = await engine.syncNow();
  assert.equal(result.reason, 'server');
  const refused = await db.photos.get(uuid(601));
  assert.equal(refused?.status, 'rejected');
  assert.equal(refused?.last_error, 'Berkas ini bukan gambar.');
  const retried = await db.photos.get(uuid(602));
  assert.equal(retried?.status, 'pending');
  assert.equal(retried?.attempts, 1);
  clock.t += 1000;
  assert.equal((await engine.syncNow()).ok, true);
  assert.equal((await db.photos.get(uuid(602)))?.status, 'sent');
  assert.equal(server.requests('PUT', `/api/v1/sync/photos/${uuid(601)}`).length, 1, 'a refused photo is not resent');
});

test('a photo whose family the server lacks waits', async () => {
  const { db, engine, server, clock } = await signedIn();
  // The phone believes the family was acknowledged (e.g. pulled), the server disagrees.
  await db.families.put({
    client_uuid: uuid(1), sls: 1, record: await vault.sealRecord({}), base_revision: 1, server_revision: 1, server_status: 'submitted',
    status: 'sent', errors: null, message: null, server: null, review_comment: null, geotag_uuid: null,
    edit_seq: 0, updated_at: clock.now(),
  });
  const blob = new Blob(['jpeg'], { type: 'image/jpeg' });
  await addPhoto(db, { client_uuid: uuid(701), family_uuid: uuid(1), blob, sha256: await sha256Hex(blob) }, clock.now(), vault);
  await engine.syncNow();
  assert.equal(server.requests('PUT', `/api/v1/sync/photos/${uuid(701)}`).length, 1);
  const photo = await db.photos.get(uuid(701));
  assert.equal(photo?.status, 'pending');
  assert.match(photo?.last_error ?? '', /belum ada di server/);
});

test('an expired token pauses the queue and keeps the work until sign-in', async () => {
  const { db, engine, server, finalise, clock, events } = await signedIn();
  clock.t += 15 * DAY;
  await finalise(uuid(1));
  const result = await engine.syncNow();
  assert.equal(result.reason, 'auth');
  assert.equal((await opOf(db, uuid(1)))?.status, 'auth');
  assert.equal((await view(db, uuid(1)))?.status, 'final');
  assert.deepEqual(
    events.filter((e) => e.type === 'auth-required').map((e) => e.type === 'auth-required' && e.code),
    ['token_expired'],
  );
  assert.equal(engine.scheduleNext(), null, 'no timer while waiting for the password');

  const before = server.log.length;
  await engine.syncNow({ force: true });
  assert.equal(server.log.length, before, 'paused: no request');

  assert.equal((await engine.signIn({ username: 'ppl1', password: 'salah' })).reason, 'invalid_credentials');
  assert.equal((await engine.signIn({ username: 'ppl1', password: 'rahasia' })).ok, true);
  assert.equal((await opOf(db, uuid(1)))?.status, 'pending');
  assert.equal((await engine.syncNow()).ok, true);
  assert.equal((await opOf(db, uuid(1)))?.status, 'sent');
  assert.equal(server.families.size, 1);
  assert.equal(server.devices.size, 1, 'the same device signed in again');
});

test('a revoked device keeps its data until wipeLocalData(), then reports the wipe', async () => {
  const { db, engine, server, finalise, events } = await signedIn();
  assert.deepEqual(await engine.wipeLocalData(), { ok: false, reason: 'not_required' });
  await finalise(uuid(1));
  await engine.syncNow();
  await finalise(uuid(2));
  const deviceId = await getMeta(db, 'device_id');
  server.revoke(deviceId);

  const result = await engine.syncNow();
  assert.equal(result.reason, 'wipe');
  assert.ok(events.some((e) => e.type === 'wipe-required'));
  const before = server.log.length;
  assert.equal((await engine.syncNow()).reason, 'wipe');
  assert.equal(server.log.length, before, 'no request while the wipe waits');
  assert.equal(await db.families.count(), 2, 'nothing is deleted before the UI calls wipeLocalData');
  assert.equal(await db.outbox.count(), 2);
  assert.equal((await opOf(db, uuid(2)))?.status, 'pending');

  const wiped = await engine.wipeLocalData();
  assert.deepEqual(wiped, { ok: true, reported: true });
  for (const name of STORE_NAMES) {
    const left = name === 'meta' ? 1 : 0; // meta keeps only the pending wipe report until it is sent
    assert.ok((await db.table(name).count()) <= left, `${name} is empty`);
  }
  assert.equal(await getMeta(db, 'token'), undefined);
  assert.equal(server.devices.get(deviceId)?.wiped, true);
  // The report proves the device: the token it held, with its own id.
  const report = server.log.find((r) => r.path === '/api/v1/auth/device/wiped/');
  assert.equal(report?.status, 204);
  assert.equal(report?.headers.get('X-Device-ID'), deviceId);
  assert.match(report?.headers.get('Authorization') ?? '', /^Bearer token-/);
});

test('a wipe report that could not be sent keeps only the device id and token, and goes out later', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1));
  const deviceId = await getMeta(db, 'device_id');
  server.revoke(deviceId);
  assert.equal((await engine.syncNow()).reason, 'wipe');
  server.fail({ method: 'POST', path: '/api/v1/auth/device/wiped/', mode: 'network' });
  assert.deepEqual(await engine.wipeLocalData(), { ok: true, reported: false });
  assert.equal(await db.families.count(), 0);
  const kept = await getMeta(db, 'wipe_report');
  assert.deepEqual(Object.keys(kept).sort(), ['deviceId', 'token']);
  assert.equal(kept.deviceId, deviceId);
  assert.equal(server.devices.get(deviceId)?.wiped, false);

  await engine.syncNow();
  assert.equal(server.devices.get(deviceId)?.wiped, true);
  assert.equal(await getMeta(db, 'wipe_report'), undefined);
});

test('a wipe report without a token (left by an older version) is dropped, not sent', async () => {
  const { db, engine, server } = await signedIn();
  await db.meta.put({ key: 'wipe_report', value: 'd0a1f7f0-0000-4000-8000-000000000001' });
  const before = server.log.length;
  await engine.syncNow();
  assert.ok(!server.log.slice(before).some((r) => r.path === '/api/v1/auth/device/wiped/'));
  assert.equal(await getMeta(db, 'wipe_report'), undefined);
});

test('a token sent with another device id is refused like an unknown session', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1));
  await db.meta.put({ key: 'device_id', value: 'another-device' });
  const result = await engine.syncNow();
  assert.equal(result.reason, 'auth');
  assert.equal(server.families.size, 0);
});

test('backoff doubles from 1 s to 5 min and resets on success', async () => {
  const { engine, server, finalise, clock } = await signedIn();
  await finalise(uuid(1));
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'network', times: Infinity });
  /** @type {(number | null)[]} */
  const delays = [];
  for (let i = 0; i < 11; i += 1) {
    await engine.syncNow({ force: true });
    delays.push(engine.scheduleNext());
    clock.t += 1000;
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, BACKOFF_MAX_MS, BACKOFF_MAX_MS]);
  server.clearFaults();
  assert.equal((await engine.syncNow({ force: true })).ok, true);
  assert.equal(engine.scheduleNext(), IDLE_MS);
  server.fail({ method: 'GET', path: '/api/v1/sync/pull/', mode: 'status', status: 502 });
  await engine.syncNow();
  assert.equal(engine.scheduleNext(), 1000);
});

test('backoff has jitter from the injected random', async () => {
  const { engine, server } = await signedIn({ random: () => 0.5 });
  server.fail({ method: 'GET', path: '/api/v1/sync/pull/', mode: 'timeout', times: 2 });
  await engine.syncNow();
  assert.equal(engine.scheduleNext(), 900);
  await engine.syncNow();
  assert.equal(engine.scheduleNext(), 1800);
});

test('syncNow is single-flight', async () => {
  const { engine, server, finalise } = await signedIn();
  await finalise(uuid(1));
  const first = engine.syncNow();
  const second = engine.syncNow();
  assert.equal(first, second);
  assert.equal(engine.getState().running, true);
  await first;
  assert.equal(server.requests('POST', '/api/v1/sync/push/').length, 1);
  assert.equal(server.requests('GET', '/api/v1/sync/pull/').length, 1);
  const third = engine.syncNow();
  assert.notEqual(third, first);
  await third;
});

test('a pull merges without overwriting unsent local edits', async () => {
  const { db, engine, server, finalise, clock } = await signedIn();
  await finalise(uuid(1), 1);
  await finalise(uuid(2), 1);
  await engine.syncNow();
  clock.t += 10_000;
  server.supervisorEdit(uuid(1), (record) => {
    record.family.r302 = 7;
  });
  server.supervisorEdit(uuid(2), (record) => {
    record.family.r302 = 8;
  });
  await saveDraft(db, input(uuid(2), 2), clock.now(), vault); // unsent edit on the phone
  clock.t += 10_000;
  const result = await engine.syncNow();
  assert.equal(result.ok, true);
  const clean = await view(db, uuid(1));
  assert.equal(clean?.record.family.r302, 7);
  assert.equal(clean?.base_revision, 2);
  assert.equal(clean?.status, 'sent');
  const edited = await view(db, uuid(2));
  assert.equal(edited?.record.family.r302, 2, 'the local edit is kept');
  assert.equal(edited?.status, 'conflict');
  assert.equal(edited?.server?.record.family.r302, 8);
  assert.deepEqual((await db.sls.toArray()).map((s) => s.id), [1, 2]);
  assert.equal(await db.prelist.count(), 1);
  const cursor = await getMeta(db, 'cursor');
  assert.equal(cursor, String(clock.now()));
  assert.equal(await getMeta(db, 'last_sync_at'), clock.now());
  assert.equal(server.requests('GET', '/api/v1/sync/pull/').at(-1)?.path, '/api/v1/sync/pull/');
});

test('a reassigned SLS leaves the list but its unsent families stay', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await engine.syncNow();
  server.assign('ppl1', [1]);
  await finalise(uuid(1), 3, 2);
  await engine.syncNow();
  assert.deepEqual((await db.sls.toArray()).map((s) => s.id), [1]);
  const family = await view(db, uuid(1));
  assert.equal(family?.status, 'rejected');
  assert.match(family?.message ?? '', /tidak ditugaskan/);
  assert.equal(await db.outbox.count(), 1);
});

test('returned families become tasks with their comment', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1));
  await engine.syncNow();
  server.returnFamily(uuid(1), 'Umur anggota ke-2 tidak sesuai KK.');
  await engine.syncNow();
  const family = await view(db, uuid(1));
  assert.equal(family?.status, 'returned');
  assert.equal(family?.review_comment, 'Umur anggota ke-2 tidak sesuai KK.');
  assert.equal(family?.server_status, 'returned');

  await finalise(uuid(1), 4); // the PPL fixes it
  await engine.syncNow();
  assert.equal((await view(db, uuid(1)))?.status, 'sent');
  assert.equal(server.families.get(uuid(1))?.status, 'submitted');
  assert.equal(server.families.get(uuid(1))?.revision, 2);
});

test('the questionnaire definition is fetched when its hash changes', async () => {
  const { db, engine, server } = await signedIn();
  await engine.syncNow();
  assert.equal(server.requests('GET', '/api/v1/questionnaire/regsosek22k/1.json').length, 1);
  assert.equal((await getMeta(db, 'questionnaire'))?.sha256, 'a'.repeat(64));
  await engine.syncNow();
  assert.equal(server.requests('GET', '/api/v1/questionnaire/regsosek22k/1.json').length, 1, 'same hash: not fetched');

  server.setQuestionnaire('b'.repeat(64), { form: 'regsosek22k', version: '1', blocks: [{ id: 'I' }] });
  await engine.syncNow();
  assert.equal(server.requests('GET', '/api/v1/questionnaire/regsosek22k/1.json').length, 2);
  const stored = await db.definitions.get(['regsosek22k', '1']);
  assert.equal(stored?.sha256, 'b'.repeat(64));
  assert.deepEqual(stored?.definition, { form: 'regsosek22k', version: '1', blocks: [{ id: 'I' }] });
  assert.equal((await getMeta(db, 'questionnaire'))?.sha256, 'b'.repeat(64));
});

test('progress events and a final summary are emitted', async () => {
  const { db, engine, finalise, events } = await signedIn();
  await finalise(uuid(1));
  await finalise(uuid(2));
  await finalise(uuid(3));
  await saveDraft(db, input(uuid(3)), T0, vault); // a draft again: not sent
  await engine.syncNow();
  const push = events.filter((e) => e.type === 'progress' && e.phase === 'push');
  assert.deepEqual(push.at(-1), { type: 'progress', phase: 'push', done: 2, total: 2 });
  const last = events.at(-1);
  assert.equal(last?.type, 'finished');
  assert.ok(last?.type === 'finished' && last.ok && last.lastSyncAt === T0);
  assert.ok(last?.type === 'finished' && last.counts.families.sent === 2 && last.counts.families.draft === 1);
  assert.ok(last?.type === 'finished' && last.counts.unsent === 1);
});

test('sign-out is refused while work is unsent; forced, it drops only the session', async () => {
  const { db, engine, finalise } = await signedIn();
  const deviceId = await getMeta(db, 'device_id');
  await finalise(uuid(1));
  const refused = await engine.signOut();
  assert.equal(refused.ok, false);
  assert.equal(refused.reason, 'unsent');
  assert.ok(await getMeta(db, 'token'));
  const forced = await engine.signOut({ force: true });
  assert.equal(forced.ok, true);
  assert.equal(await getMeta(db, 'token'), undefined);
  assert.equal(await getMeta(db, 'device_id'), deviceId);
  assert.equal(await db.families.count(), 1);
  assert.equal((await opOf(db, uuid(1)))?.status, 'pending');
  assert.equal((await engine.syncNow()).reason, 'not_signed_in');
});

test('sign-out once everything is sent wipes the phone but keeps its device id', async () => {
  const { db, engine, finalise, server } = await signedIn();
  const deviceId = await getMeta(db, 'device_id');
  await finalise(uuid(1));
  assert.equal((await engine.syncNow()).ok, true);
  const result = await engine.signOut();
  assert.equal(result.ok, true);
  for (const name of STORE_NAMES) {
    if (name === 'meta' || name === 'definitions') continue;
    assert.equal(await db.table(name).count(), 0, `${name} is empty`);
  }
  // The device id (the server binds it to this PPL) and the public questionnaire's reference stay.
  assert.deepEqual((await db.meta.toArray()).map((row) => row.key).sort(), ['device_id', 'questionnaire']);
  assert.equal(server.families.size, 1, 'the server has it all');
  assert.equal((await engine.signIn({ username: 'ppl1', password: 'rahasia' })).ok, true);
  assert.equal(await getMeta(db, 'device_id'), deviceId);
});

test('a locked app sends nothing and reads nothing; the token is sealed at rest', async () => {
  let unlocked = true;
  const ctx = setup();
  const engine = createSyncEngine({
    db: ctx.db,
    api: createApi({ fetch: ctx.server.fetch }),
    clock: ctx.clock,
    random: () => 0,
    randomUUID: () => uuid(990),
    vault: () => (unlocked ? vault : null),
  });
  assert.equal((await engine.signIn({ username: 'ppl1', password: 'rahasia' })).ok, true);
  const token = await getMeta(ctx.db, 'token');
  assert.equal(typeof token, 'object', 'sealed');
  assert.equal(JSON.stringify(token).includes('token-'), false);
  await ctx.finalise(uuid(1));
  unlocked = false;
  const before = ctx.server.log.length;
  const locked = await engine.syncNow({ force: true });
  assert.equal(locked.reason, 'locked');
  assert.equal(locked.counts.families.final, 1, 'counts stay readable');
  assert.equal(ctx.server.log.length, before, 'no request while locked');
  assert.equal(engine.scheduleNext(), null, 'no timer while locked');
  unlocked = true;
  assert.equal((await engine.syncNow()).ok, true);
  assert.equal(ctx.server.families.size, 1);
});

test('an op left sending by a closed page is sent again and answered unchanged', async () => {
  const { db, engine, server, finalise } = await signedIn();
  await finalise(uuid(1));
  server.fail({ method: 'POST', path: '/api/v1/sync/push/', mode: 'drop' });
  await engine.syncNow();
  await db.outbox.where('client_uuid').equals(uuid(1)).modify({ status: 'sending', sending_seq: 1 });
  const result = await engine.syncNow({ force: true });
  assert.deepEqual(result.pushed, { unchanged: 1 });
  assert.equal((await opOf(db, uuid(1)))?.status, 'sent');
});

test('sign-in keeps one device id and asks for persistent storage', async () => {
  let asked = 0;
  const { db, engine, server } = setup({ storage: { persist: async () => (asked += 1) > 0 } });
  const first = await engine.signIn({ username: 'ppl1', password: 'rahasia', deviceName: 'HP Andi' });
  assert.equal(first.persisted, true);
  assert.equal(asked, 1);
  assert.equal(await getMeta(db, 'storage_persisted'), true);
  const deviceId = await getMeta(db, 'device_id');
  await engine.signIn({ username: 'ppl1', password: 'rahasia' });
  assert.equal(await getMeta(db, 'device_id'), deviceId);
  assert.deepEqual([...server.devices.keys()], [deviceId]);
  assert.equal(server.requests('POST', '/api/v1/auth/device/')[0].body.device_name, 'HP Andi');
});

test('VK1 marks wait for their family, are sent once, and a refused mark keeps the reason', async () => {
  const { db, engine, server, clock, finalise } = await signedIn();
  server.setPrelist([
    { id: 11, sls: 1, line_no: 1, head_name: 'Budi' },
    { id: 12, sls: 1, line_no: 2, head_name: 'Ani' },
    { id: 31, sls: 3, line_no: 1, head_name: 'Bukan tugas' },
  ]);
  await setMark(db, { rowId: 11, status: 'found', familyUuid: uuid(1) }, clock.now());
  await setMark(db, { rowId: 12, status: 'moved', note: 'pindah' }, clock.now(), vault);
  await setMark(db, { rowId: 31, status: 'deceased' }, clock.now());
  // The found mark names a family the server does not have: it is not sent yet.
  let result = await engine.syncNow();
  assert.equal(result.ok, true);
  assert.deepEqual(server.requests('POST', '/api/v1/sync/prelist/').map((r) => r.body.marks.length), [2]);
  assert.equal((await db.marks.get('row:12'))?.state, 'sent');
  const refused = await db.marks.get('row:31');
  assert.equal(refused?.state, 'rejected');
  assert.match(refused?.message ?? '', /bukan dari SLS/);
  assert.equal((await db.marks.get('row:11'))?.state, 'pending');
  assert.equal(result.counts.marks, 2);
  // Once the family is finalised and acknowledged, its mark follows in the same run.
  await finalise(uuid(1));
  result = await engine.syncNow();
  assert.equal((await db.marks.get('row:11'))?.state, 'sent');
  assert.equal((await db.prelist.get(11))?.status, 'found');
  assert.equal(result.counts.marks, 1);
  // Nothing is sent twice.
  await engine.syncNow();
  assert.equal(server.requests('POST', '/api/v1/sync/prelist/').length, 2);
  // A sign-out is refused while a mark is unsent.
  assert.equal((await engine.signOut()).reason, 'unsent');
});

test('a new family found in the field is added to the VK1 list once, with the head from 108', async () => {
  const { db, engine, server, clock } = await signedIn();
  await enqueueFamily(
    db,
    { client_uuid: uuid(5), sls: 1, record: { form: 'regsosek22k', version: '1', family: { r302: 3, r108: 'SITI' }, members: [] } },
    { now: clock.now(), newId: () => 'op-new', vault },
  );
  await setMark(db, { rowId: null, status: 'new', familyUuid: uuid(5) }, clock.now());
  server.fail({ method: 'POST', path: '/api/v1/sync/prelist/', mode: 'drop' });
  const dropped = await engine.syncNow();
  assert.equal(dropped.reason, 'network');
  assert.equal((await db.marks.get(`new:${uuid(5)}`))?.state, 'pending');
  await engine.syncNow({ force: true });
  const mark = await db.marks.get(`new:${uuid(5)}`);
  assert.equal(mark?.state, 'sent');
  const rows = (await db.prelist.toArray()).filter((p) => p.family === uuid(5));
  assert.equal(rows.length, 1);
  assert.equal((await openPrelistRow(vault, rows[0])).head_name, 'SITI');
});

test('a VK1 mark names a row or a new family, and marking again replaces it', async () => {
  const { db, clock } = setup();
  await assert.rejects(setMark(db, { rowId: 11, status: /** @type {any} */ ('lost') }, clock.now()), /unknown VK1 status/);
  await assert.rejects(setMark(db, { rowId: 11, status: 'found' }, clock.now()), /linked to its record/);
  await assert.rejects(setMark(db, { rowId: null, status: 'new' }, clock.now()), /a new family/);
  await setMark(db, { rowId: 11, status: 'moved' }, clock.now());
  const again = await setMark(db, { rowId: 11, status: 'deceased', note: 'wafat 2021' }, clock.now(), vault);
  assert.equal(again.seq, 2);
  assert.deepEqual((await db.marks.toArray()).map((m) => [m.key, m.status, m.state]), [['row:11', 'deceased', 'pending']]);
});
