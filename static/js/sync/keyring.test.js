// @ts-check
/**
 * The app lock's keys: PIN, device key, server share, failed PINs and their limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';

import { getMeta, openDatabase } from './db.js';
import {
  LOCKOUT_WAIT_MS,
  createKeyring,
  fromBase64Url,
  isValidPin,
  loadKeyring,
  setPin,
  setServerWrap,
  unlockWithPin,
  unlockWithShare,
} from './keyring.js';
import { canonicalJson, isSealed, sameContent } from './vault.js';

const T0 = 1_700_000_000_000;
const FAST = { iterations: 1000 }; // the real count is PIN_ITERATIONS; tests need no slow derivation

function fresh() {
  return openDatabase('regsosek', { indexedDB: new IDBFactory(), IDBKeyRange });
}

const share = () => crypto.getRandomValues(new Uint8Array(32));

test('a PIN is 6 to 12 digits', () => {
  for (const good of ['123456', '000000', '123456789012']) assert.equal(isValidPin(good), true, good);
  for (const bad of ['12345', '1234567890123', '12345a', ' 123456', '']) assert.equal(isValidPin(bad), false, bad);
});

test('the right PIN opens what the vault sealed; the keyring holds no usable key', async () => {
  const db = fresh();
  const serverShare = share();
  const session = await createKeyring(db, { share: serverShare, now: T0 });
  await setPin(db, session, '246810', FAST);
  const record = { family: { r108: 'SITI AMINAH', r114: '3674071503100001' }, members: [] };
  const sealed = await session.vault.sealRecord(record);
  assert.ok(isSealed(sealed));
  assert.equal(new TextDecoder().decode(sealed.data).includes('SITI'), false);

  const ring = await loadKeyring(db);
  assert.ok(ring?.pin && ring.server);
  assert.equal(ring.device_key.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('raw', ring.device_key));
  assert.equal(session.vault.keys.aesKey.extractable, false);
  assert.equal(session.vault.keys.macKey.extractable, false);

  const opened = await unlockWithPin(db, '246810', { now: T0 });
  assert.ok(opened.ok);
  assert.deepEqual(await opened.session.vault.open(sealed), record);
  // The same data key: equal records have equal keyed hashes in both sessions.
  assert.ok(sameContent(await opened.session.vault.sealRecord(record), sealed));
  assert.equal(await opened.session.vault.mac(record), await session.vault.mac(JSON.parse(canonicalJson(record))));
});

test('wrong PINs are counted before the check and limited; the limit deletes the PIN, the server share opens again', async () => {
  const db = fresh();
  const serverShare = share();
  const session = await createKeyring(db, { share: serverShare, now: T0 });
  await setPin(db, session, '135790', FAST);
  const sealed = await session.vault.seal('rahasia');

  for (let i = 1; i <= 4; i += 1) {
    const wrong = await unlockWithPin(db, '000000', { now: T0, maxAttempts: 5 });
    assert.deepEqual(wrong, { ok: false, reason: 'wrong', remaining: 5 - i });
  }
  assert.equal((await getMeta(db, 'pin_failures')).count, 4);
  const fifth = await unlockWithPin(db, '111111', { now: T0, maxAttempts: 5 });
  assert.deepEqual(fifth, { ok: false, reason: 'reset' });
  assert.equal((await loadKeyring(db))?.pin, null, 'the PIN wrap is gone');
  assert.deepEqual(await unlockWithPin(db, '135790', { now: T0 }), { ok: false, reason: 'no_pin' }, 'even the right PIN');

  assert.equal(await unlockWithShare(db, [share()]), null, 'another share opens nothing');
  const back = await unlockWithShare(db, [share(), serverShare]);
  assert.ok(back, 'the server share (after a password sign-in) opens it');
  assert.equal(await back.vault.open(sealed), 'rahasia', 'nothing was lost');
  await setPin(db, back, '864200', FAST);
  const unlocked = await unlockWithPin(db, '864200', { now: T0 });
  assert.ok(unlocked.ok);
  assert.equal(await getMeta(db, 'pin_failures'), undefined);
});

test('a right PIN resets the count of wrong ones', async () => {
  const db = fresh();
  const session = await createKeyring(db, { share: share(), now: T0 });
  await setPin(db, session, '123456', FAST);
  await unlockWithPin(db, '654321', { now: T0, maxAttempts: 3 });
  await unlockWithPin(db, '654321', { now: T0, maxAttempts: 3 });
  assert.ok((await unlockWithPin(db, '123456', { now: T0, maxAttempts: 3 })).ok);
  assert.deepEqual(await unlockWithPin(db, '654321', { now: T0, maxAttempts: 3 }), { ok: false, reason: 'wrong', remaining: 2 });
});

test('without a server wrap (an upgraded phone, offline) too many PINs make it wait instead', async () => {
  const db = fresh();
  const session = await createKeyring(db, { share: null, now: T0 });
  await setPin(db, session, '192837', FAST);
  for (let i = 0; i < 2; i += 1) await unlockWithPin(db, '000000', { now: T0, maxAttempts: 3 });
  const third = await unlockWithPin(db, '000000', { now: T0, maxAttempts: 3 });
  assert.deepEqual(third, { ok: false, reason: 'wait', until: T0 + LOCKOUT_WAIT_MS });
  assert.ok((await loadKeyring(db))?.pin, 'the PIN wrap stays: it is the only one');
  assert.deepEqual(await unlockWithPin(db, '192837', { now: T0 + 1000, maxAttempts: 3 }), { ok: false, reason: 'wait', until: T0 + LOCKOUT_WAIT_MS });
  const fourth = await unlockWithPin(db, '000000', { now: T0 + LOCKOUT_WAIT_MS, maxAttempts: 3 });
  assert.deepEqual(fourth, { ok: false, reason: 'wait', until: T0 + LOCKOUT_WAIT_MS + 2 * LOCKOUT_WAIT_MS }, 'the wait doubles');
  assert.ok((await unlockWithPin(db, '192837', { now: T0 + 3 * LOCKOUT_WAIT_MS, maxAttempts: 3 })).ok);

  // The next password sign-in adds the server wrap.
  const serverShare = share();
  await setServerWrap(db, session, serverShare);
  assert.ok(await unlockWithShare(db, [serverShare]));
});

test('a share comes as base64url', () => {
  assert.deepEqual([...fromBase64Url('AP8')], [0, 255]);
  assert.deepEqual([...fromBase64Url('-_-_')], [251, 255, 191]);
});
