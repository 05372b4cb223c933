// @ts-check
/**
 * The storage boundary: nothing personal in the clear in any store, and rows a version without
 * the app lock stored in the clear are sealed once the PPL set a PIN, then sync as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

import { createApi } from './api.js';
import { STORE_NAMES, openDatabase } from './db.js';
import { createSyncEngine } from './engine.js';
import { createFakeServer } from './fake-server.js';
import { sha256Hex } from './photos.js';
import { readFamily, sealLegacyRows } from './sealing.js';
import { testVault } from './testing.js';

const T0 = 1_700_000_000_000;
const NAME = 'SITI AMINAH';
const NIK = '3674071503100001';
const vault = await testVault();

/**
 * Every value in every store as text (strings, and the bytes of buffers and blobs decoded as UTF-8).
 * @param {import('./db.js').RegsosekDB} db
 * @returns {Promise<string>}
 */
async function everything(db) {
  /** @type {string[]} */
  const parts = [];
  /** @param {unknown} value */
  const walk = async (value) => {
    if (value instanceof Blob) parts.push(new TextDecoder().decode(await value.arrayBuffer()));
    else if (value instanceof ArrayBuffer) parts.push(new TextDecoder().decode(value));
    else if (ArrayBuffer.isView(value)) parts.push(new TextDecoder().decode(value));
    else if (Array.isArray(value)) for (const v of value) await walk(v);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) await walk(v);
    else parts.push(String(value));
  };
  for (const name of STORE_NAMES) await walk(await db.table(name).toArray());
  return parts.join('\n');
}

test('rows stored in the clear by the version before the lock are sealed, and sync as before', async () => {
  const clock = { t: T0, now() { return this.t; } };
  const server = createFakeServer({ clock });
  server.addUser('ppl1', 'rahasia', [1]);
  server.setSls([{ id: 1, name: 'RT 001', full_code: '3674010001000100' }]);
  const db = openDatabase('regsosek', { indexedDB: new IDBFactory(), IDBKeyRange });
  const engine = createSyncEngine({
    db, api: createApi({ fetch: server.fetch }), clock, random: () => 0, randomUUID: () => '00000000-0000-4000-8000-000000000999',
    vault: () => vault,
  });  // prettier-ignore
  assert.equal((await engine.signIn({ username: 'ppl1', password: 'rahasia' })).ok, true);
  const token = /** @type {any} */ (await db.meta.get('token')).value;
  // As version 2 left them: a finalised family with its op, a photo, a geotag, a VK1 row and mark.
  const family = '00000000-0000-4000-8000-000000000001';
  const record = { form: 'regsosek22k', version: '1', family: { r302: 3, r108: NAME, r114: NIK }, members: [] };
  await db.meta.put({ key: 'token', value: await vault.open(token) });
  await db.families.put(/** @type {any} */ ({
    client_uuid: family, sls: 1, record, base_revision: null, server_revision: null, server_status: null, status: 'final',
    errors: null, message: null, server: null, review_comment: null, geotag_uuid: 'g-1', edit_seq: 1, unacked: null, updated_at: T0,
  }));  // prettier-ignore
  await db.outbox.put({ op_id: 'op-1', client_uuid: family, status: 'pending', seq: 1, sending_seq: null, attempts: 0, next_attempt_at: T0, last_error: null, created_at: T0, sent_at: null });
  const jpeg = new Blob([`JPEG ${NAME}`], { type: 'image/jpeg' });
  await db.photos.put(/** @type {any} */ ({
    client_uuid: '00000000-0000-4000-8000-0000000000f1', family_uuid: family, blob: jpeg, sha256: await sha256Hex(jpeg), size: jpeg.size,
    status: 'pending', attempts: 0, next_attempt_at: T0, last_error: null, created_at: T0,
  }));  // prettier-ignore
  await db.geotags.put(/** @type {any} */ ({ client_uuid: 'g-1', sls: 1, building_no: '7', lat: -6.123456, lon: 106.654321, accuracy_m: 5, captured_at: '2022-10-18T09:30:00+07:00', provider: 'gps', accepted_reason: '' }));
  await db.prelist.put({ id: 11, sls: 1, line_no: 1, head_name: NAME, address: 'JL. MAWAR NO. 5', status: 'pending', family: null });
  await db.marks.put(/** @type {any} */ ({ key: 'row:11', row_id: 11, status: 'moved', family_uuid: null, note: `pindah, kata ${NAME}`, state: 'pending', seq: 1, attempts: 0, next_attempt_at: T0, message: null, updated_at: T0 }));

  const before = await everything(db);
  assert.ok(before.includes(NAME) && before.includes(NIK));
  assert.equal(await sealLegacyRows(db, vault), 6, 'a family, a photo, a geotag, a VK1 row, a mark and the token');
  const after = await everything(db);
  for (const secret of [NAME, NIK, 'MAWAR', '106.654321', 'token-']) assert.equal(after.includes(secret), false, `${secret} in the clear`);
  assert.equal(await sealLegacyRows(db, vault), 0, 'nothing left to seal');
  assert.deepEqual((await readFamily(db, vault, family))?.record, record);

  const result = await engine.syncNow();
  assert.equal(result.ok, true, String(result.reason));
  assert.deepEqual(server.families.get(family)?.record, record);
  assert.equal(server.writes.photos.get('00000000-0000-4000-8000-0000000000f1'), 1, 'the photo, opened, reached the server');
  const pulled = await everything(db);
  for (const secret of [NAME, NIK, 'MAWAR']) assert.equal(pulled.includes(secret), false, `${secret} in the clear after the sync`);
});
