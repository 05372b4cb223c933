// @ts-check
/**
 * The whole sync engine against the in-memory server (fake-server.js), driven by random sequences
 * of what a PPL's month brings: edits and finalisations, photos, offline periods, requests dropped
 * before they leave, answers lost after the server committed, duplicate and late deliveries, expired
 * tokens, and supervisors who correct or return families. After the network heals, the invariants
 * of docs/pwa.md ("Lost answers: the rebase rule") must hold:
 *
 * - every family the PPL finalised is stored exactly once, with the PPL's last finalised content
 *   when only the PPL changed it (or the content the PPL chose to keep);
 * - no conflict is ever shown for a family nobody else changed;
 * - nothing unsent is dropped: a family's local copy is always the PPL's last save until the PPL
 *   explicitly takes the server's copy;
 * - every supervisor's return comment reaches the phone;
 * - photos are stored once, and every photo of a stored family reaches the server.
 *
 * Test helper (not shipped to phones): the harness of engine.property-*.test.js, which run it in two
 * halves so that node's test runner uses both cores. PROPERTY_RUNS (default 2000 in all) and
 * PROPERTY_SEED reproduce or widen a run. A failure prints its seed and the shrunk sequence; keep it
 * in FIXED_CASES below.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

import { createApi } from './api.js';
import { getMeta, openDatabase } from './db.js';
import { createSyncEngine } from './engine.js';
import { createFakeServer } from './fake-server.js';
import { canonicalJson, countWork, enqueueFamily, resolveConflict, saveDraft } from './outbox.js';
import { addPhoto, sha256Hex } from './photos.js';
import { readFamily } from './sealing.js';
import { testVault } from './testing.js';

const T0 = 1_700_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const FAMILIES = 2;

/** @typedef {'network' | 'drop' | 'late' | 'duplicate' | 'status'} Mode  what the network does to one request */

/**
 * @typedef {{kind: 'edit', family: number, value: number, finalise: boolean}
 *   | {kind: 'sync', force: boolean, push?: Mode | null, photos?: Mode | null, pull?: Mode | null}
 *   | {kind: 'offline'} | {kind: 'online'}
 *   | {kind: 'fault', path: 'push' | 'photos' | 'pull', mode: Mode, times: number}
 *   | {kind: 'expire'} | {kind: 'signIn'}
 *   | {kind: 'supervisorEdit', family: number} | {kind: 'return', family: number}
 *   | {kind: 'resolve', family: number, choice: 'mine' | 'server'}
 *   | {kind: 'photo', family: number}
 *   | {kind: 'tick', ms: number}} Command
 */

const family = fc.integer({ min: 0, max: FAMILIES - 1 });
/** @type {fc.Arbitrary<Mode | null>} what happens to the first request of a kind in one sync run */
const mode = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  { arbitrary: fc.constantFrom(/** @type {const} */ ('network'), 'drop', 'late', 'duplicate', 'status'), weight: 2 },
);
/** @type {fc.Arbitrary<Command>} */
export const command = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('edit'), family, value: fc.integer({ min: 0, max: 3 }), finalise: fc.boolean() }), weight: 6 },
  {
    arbitrary: fc.record({ kind: fc.constant('sync'), force: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }), push: mode, photos: mode, pull: mode }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('offline') }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('online') }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('fault'),
      path: fc.constantFrom('push', 'photos', 'pull'),
      mode: fc.constantFrom('network', 'drop', 'late', 'duplicate', 'status'),
      times: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('expire') }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('signIn') }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('supervisorEdit'), family }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('return'), family }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('resolve'), family, choice: fc.constantFrom('mine', 'server') }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('photo'), family }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('tick'), ms: fc.integer({ min: 0, max: 15 * 60 * 1000 }) }), weight: 2 },
);

const PATHS = { push: '/api/v1/sync/push/', photos: '/api/v1/sync/photos/', pull: '/api/v1/sync/pull/' };

const sharedDb = openDatabase('regsosek', { indexedDB: new IDBFactory(), IDBKeyRange });
// The phone is unlocked throughout: records are sealed at rest and the engine works on the
// decrypted view, as in the app.
const vault = await testVault();

/**
 * A family as the screens see it (decrypted).
 * @param {import('./db.js').RegsosekDB} db
 * @param {string} key
 */
function view(db, key) {
  return readFamily(db, vault, key);
}

/** @param {number} n */
function uuid(n) {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/**
 * One PPL's phone and the server, with what the PPL did, to check against.
 */
async function world() {
  const clock = { t: T0, now() { return this.t; } };
  const server = createFakeServer({ clock });
  server.addUser('ppl1', 'rahasia', [1]);
  server.setSls([{ id: 1, name: 'RT 001', full_code: '3674010001000100' }]);
  // One database for all runs, emptied before each (opening one runs every schema step: slow).
  const db = sharedDb;
  await db.transaction('rw', db.tables, async () => {
    for (const table of db.tables) await table.clear();
  });
  let ids = 0;
  const engine = createSyncEngine({
    db,
    api: createApi({ fetch: server.fetch }),
    clock,
    random: () => 0.5,
    randomUUID: () => uuid(900_000 + ++ids),
    vault: () => vault,
  });
  assert.equal((await engine.signIn({ username: 'ppl1', password: 'rahasia' })).ok, true);
  return {
    clock,
    server,
    db,
    engine,
    newId: () => uuid(800_000 + ++ids),
    /** @type {(Record<string, any> | null)[]} the PPL's last save of each family (what the phone must keep) */
    saved: Array(FAMILIES).fill(null),
    /** @type {(Record<string, any> | null)[]} the content each family should end with on the server */
    intended: Array(FAMILIES).fill(null),
    /** @type {boolean[]} a supervisor changed the family's answers or returned it */
    touched: Array(FAMILIES).fill(false),
    /** @type {(string | null)[]} the comment of the family's latest return */
    lastReturn: Array(FAMILIES).fill(null),
    /** @type {string[]} photo UUIDs the PPL took */
    photos: [],
    edits: 0,
    offline: false,
  };
}

/** @typedef {Awaited<ReturnType<typeof world>>} World */

/**
 * @param {number} i
 * @param {number} value
 * @param {number} edit
 */
function recordOf(i, value, edit) {
  // Small value ranges on purpose: a later edit often repeats an earlier content.
  return { form: 'regsosek22k', version: '1', family: { r302: value, r107: `Jl. ${i}-${edit % 2}` }, members: [] };
}

/**
 * @param {import('./fake-server.js').FakeServer} server
 * @param {'push' | 'photos' | 'pull'} path
 * @param {Mode} m
 * @param {number} times
 */
function inject(server, path, m, times) {
  const method = path === 'pull' ? 'GET' : path === 'photos' ? 'PUT' : 'POST';
  server.fail({ method, path: PATHS[path], mode: m, status: 503, times });
}

/**
 * @param {World} w
 * @param {Command} c
 */
async function apply(w, c) {
  const { db, server, engine, clock } = w;
  switch (c.kind) {
    case 'edit': {
      const key = uuid(c.family + 1);
      const local = await view(db, key);
      const record = recordOf(c.family, c.value, (w.edits += 1));
      const input = { client_uuid: key, sls: 1, record };
      if (c.finalise && local?.status !== 'conflict') {
        await enqueueFamily(db, input, { now: clock.now(), newId: w.newId, vault });
        w.intended[c.family] = record;
      } else {
        await saveDraft(db, input, clock.now(), vault);
      }
      w.saved[c.family] = record;
      return;
    }
    case 'sync':
      for (const kind of /** @type {const} */ (['push', 'photos', 'pull'])) {
        const m = c[kind];
        if (m) inject(server, kind, m, 1);
      }
      await engine.syncNow({ force: c.force });
      return;
    case 'offline':
      server.clearFaults();
      w.offline = true;
      for (const method of ['GET', 'POST', 'PUT']) server.fail({ method, path: '/api/', mode: 'network', times: Infinity });
      return;
    case 'online':
      server.clearFaults();
      w.offline = false;
      return;
    case 'fault':
      inject(server, c.path, c.mode, c.times);
      return;
    case 'expire':
      clock.t += 15 * DAY;
      return;
    case 'signIn': {
      const wasOffline = w.offline;
      if (!wasOffline) await engine.signIn({ username: 'ppl1', password: 'rahasia' });
      return;
    }
    case 'supervisorEdit': {
      const stored = server.families.get(uuid(c.family + 1));
      if (stored?.status !== 'submitted') return;
      server.supervisorEdit(stored.client_uuid, (record) => {
        record.family.r108 = `PML ${clock.now()}`;
      });
      w.touched[c.family] = true;
      return;
    }
    case 'return': {
      const stored = server.families.get(uuid(c.family + 1));
      if (stored?.status !== 'submitted') return;
      const comment = `Cek lagi ${clock.now()}-${c.family}`;
      server.returnFamily(stored.client_uuid, comment);
      w.touched[c.family] = true;
      w.lastReturn[c.family] = comment;
      return;
    }
    case 'resolve': {
      const key = uuid(c.family + 1);
      const local = await view(db, key);
      if (local?.status !== 'conflict' || !local.server) return;
      const serverRecord = local.server.record;
      await resolveConflict(db, key, c.choice, { now: clock.now(), newId: w.newId });
      if (c.choice === 'server') {
        // The PPL's explicit choice: the server's copy replaces theirs.
        w.saved[c.family] = serverRecord;
        w.intended[c.family] = serverRecord;
      } else {
        w.intended[c.family] = local.record;
      }
      return;
    }
    case 'photo': {
      const key = uuid(c.family + 1);
      if (!(await view(db, key))) return;
      const blob = new Blob([`foto ${w.photos.length}`], { type: 'image/jpeg' });
      const photoUuid = uuid(700_000 + w.photos.length);
      await addPhoto(db, { client_uuid: photoUuid, family_uuid: key, blob, sha256: await sha256Hex(blob) }, clock.now(), vault);
      w.photos.push(photoUuid);
      return;
    }
    case 'tick':
      clock.t += c.ms;
      return;
  }
}

/**
 * What must hold after every step.
 * @param {World} w
 * @param {string} when
 */
async function checkAlways(w, when) {
  for (let i = 0; i < FAMILIES; i += 1) {
    const key = uuid(i + 1);
    const local = await view(w.db, key);
    if (w.saved[i] === null) continue;
    assert.ok(local, `${when}: family ${i} vanished from the phone`);
    if (local.status === 'conflict') {
      assert.ok(w.touched[i], `${when}: family ${i} shows a conflict though only the PPL changed it`);
    }
    if (['draft', 'final', 'conflict', 'rejected'].includes(local.status)) {
      assert.equal(canonicalJson(local.record), canonicalJson(w.saved[i]), `${when}: family ${i}'s unsent content was replaced`);
    }
    assert.ok((w.server.writes.created.get(key) ?? 0) <= 1, `${when}: family ${i} created twice`);
  }
  for (const [photo, n] of w.server.writes.photos) assert.equal(n, 1, `${when}: photo ${photo} stored ${n} times`);
}

/**
 * The network heals; the PPL signs in, finalises what is left as a draft, keeps their own copy in
 * any conflict, and syncs until done.
 * @param {World} w
 */
async function heal(w) {
  w.server.clearFaults();
  w.offline = false;
  await w.server.deliverLate();
  w.clock.t += 60 * 60 * 1000;
  assert.equal((await w.engine.signIn({ username: 'ppl1', password: 'rahasia' })).ok, true);
  // The PPL finishes the day: every draft is finalised as it stands.
  for (let i = 0; i < FAMILIES; i += 1) {
    const local = await view(w.db, uuid(i + 1));
    if (local?.status === 'draft' || local?.status === 'rejected') {
      await enqueueFamily(w.db, { client_uuid: local.client_uuid, sls: 1, record: local.record }, { now: w.clock.now(), newId: w.newId, vault });
      w.intended[i] = local.record;
    }
  }
  for (let round = 0; round < 6; round += 1) {
    await w.engine.syncNow({ force: true });
    let resolved = 0;
    for (let i = 0; i < FAMILIES; i += 1) {
      const local = await view(w.db, uuid(i + 1));
      if (local?.status === 'conflict' && local.server) {
        w.intended[i] = local.record;
        await resolveConflict(w.db, uuid(i + 1), 'mine', { now: w.clock.now(), newId: w.newId });
        resolved += 1;
      }
    }
    if (resolved === 0) break;
    w.clock.t += 60 * 1000;
  }
}

/**
 * What must hold once the network healed.
 * @param {World} w
 */
async function checkHealed(w) {
  await checkAlways(w, 'healed');
  const counts = await countWork(w.db);
  assert.equal(counts.families.final, 0, 'a finalised family was never acknowledged');
  assert.equal(counts.families.conflict, 0, 'a conflict is left after the PPL chose');
  assert.equal(counts.families.rejected, 0, 'a family was refused');
  for (let i = 0; i < FAMILIES; i += 1) {
    const key = uuid(i + 1);
    const stored = w.server.families.get(key);
    const local = await view(w.db, key);
    if (w.intended[i] === null) {
      assert.equal(stored, undefined, `family ${i} reached the server though never finalised`);
      continue;
    }
    assert.ok(stored && local, `family ${i} finalised but not on the server`);
    assert.equal(w.server.writes.created.get(key), 1, `family ${i} not created exactly once`);
    if (local.status === 'sent' || local.status === 'returned') {
      assert.equal(canonicalJson(stored.record), canonicalJson(local.record), `family ${i}: phone and server differ`);
    }
    if (!w.touched[i]) {
      assert.equal(canonicalJson(stored.record), canonicalJson(w.intended[i]), `family ${i}: the PPL's last finalised content is not on the server`);
    } else if (w.intended[i] !== null && local.status !== 'draft') {
      // Someone else changed it too: the phone and the server agree (checked above), on the PPL's
      // content unless a supervisor's edit came after the PPL's last send.
      assert.ok(stored.record.family.r302 === w.intended[i]?.family.r302 || stored.revision > 1);
    }
    if (w.lastReturn[i] !== null) {
      assert.equal(local.review_comment, w.lastReturn[i], `family ${i}: the supervisor's comment did not reach the phone`);
    }
    if (stored.status === 'returned') {
      assert.equal(local.status === 'returned' || local.status === 'draft', true, `family ${i}: returned on the server, ${local.status} on the phone`);
    }
  }
  for (const photo of w.photos) {
    const row = await w.db.photos.get(photo);
    assert.ok(row, `photo ${photo} vanished from the phone`);
    if (w.server.families.has(row.family_uuid)) {
      assert.equal(row.status, 'sent', `photo ${photo} of a stored family was not sent (${row.status})`);
      assert.equal(w.server.writes.photos.get(photo), 1);
    } else {
      assert.notEqual(row.status, 'sent', `photo ${photo} marked sent though its family is not on the server`);
    }
  }
  assert.equal(await getMeta(w.db, 'auth_paused'), undefined);
}

/**
 * @param {Command[]} commands
 */
export async function runSequence(commands) {
  const w = await world();
  for (const [index, c] of commands.entries()) {
    await apply(w, c);
    // Only these steps touch what the phone shows or the server holds.
    if (c.kind === 'sync' || c.kind === 'resolve' || c.kind === 'signIn') await checkAlways(w, `after step ${index} (${c.kind})`);
  }
  await heal(w);
  await checkHealed(w);
}

/**
 * Sequences kept from failures (and the ones the issue describes), run on every `make test`.
 * @type {[string, Command[]][]}
 */
export const FIXED_CASES = [
  [
    'lost answer, edit, sends that never leave, clean network (issue 17)',
    [
      { kind: 'edit', family: 0, value: 1, finalise: true },
      { kind: 'fault', path: 'push', mode: 'drop', times: 1 },
      { kind: 'sync', force: true },
      { kind: 'edit', family: 0, value: 2, finalise: true },
      { kind: 'fault', path: 'push', mode: 'network', times: 3 },
      { kind: 'sync', force: true },
      { kind: 'sync', force: true },
      { kind: 'sync', force: true },
      { kind: 'sync', force: true },
    ],
  ],
  [
    'the conflict answer to the edit is lost as well (issue 17)',
    [
      { kind: 'edit', family: 0, value: 1, finalise: true },
      { kind: 'fault', path: 'push', mode: 'drop', times: 2 },
      { kind: 'sync', force: true },
      { kind: 'edit', family: 0, value: 2, finalise: true },
      { kind: 'sync', force: true },
      { kind: 'sync', force: true },
    ],
  ],
  [
    'a return while the PPL edits offline (issue 17)',
    [
      { kind: 'edit', family: 1, value: 1, finalise: true },
      { kind: 'sync', force: true },
      { kind: 'offline' },
      { kind: 'return', family: 1 },
      { kind: 'edit', family: 1, value: 3, finalise: true },
      { kind: 'online' },
      { kind: 'sync', force: true },
    ],
  ],
  [
    'a late request overtaken by a newer one, with an expired token between',
    [
      { kind: 'edit', family: 0, value: 0, finalise: true },
      { kind: 'sync', force: true },
      { kind: 'edit', family: 0, value: 1, finalise: true },
      { kind: 'fault', path: 'push', mode: 'late', times: 1 },
      { kind: 'sync', force: true },
      { kind: 'expire' },
      { kind: 'edit', family: 0, value: 2, finalise: true },
      { kind: 'sync', force: true },
      { kind: 'signIn' },
      { kind: 'sync', force: true },
    ],
  ],
];

/**
 * Runs half of the random sequences (`part` 0 or 1), each half with its own seed.
 * @param {0 | 1} part
 */
export async function runHalf(part) {
  const runs = Math.ceil(Number(process.env.PROPERTY_RUNS || 2000) / 2);
  const seed = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) + part : undefined;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 40, size: 'medium' }), async (commands) => {
      await runSequence(commands);
    }),
    { numRuns: runs, seed, includeErrorInReport: true },
  );
  return runs;
}
