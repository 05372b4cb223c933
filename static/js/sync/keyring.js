// @ts-check
/**
 * The app lock's keys (docs/privacy.md, "On the phone"). No DOM; WebCrypto and the database are
 * injected or global.
 *
 * - The **data key** is 64 random bytes: the first half becomes the AES-GCM key of the vault, the
 *   second half its HMAC key (vault.js). Both are imported non-extractable; the bytes themselves are
 *   never stored.
 * - The **device key** is an AES-GCM key made by the browser, non-extractable, kept in IndexedDB
 *   (`meta.keyring.device_key`): a script can use it but never read it, so a copy of the database
 *   taken through the web platform does not hold it.
 * - `inner` = the data key encrypted with the device key. It is stored only inside two wraps:
 *   - the **PIN wrap**: `inner` encrypted with a key derived from the PIN (PBKDF2-SHA-256,
 *     `PIN_ITERATIONS`, a random salt); opens the app offline;
 *   - the **server wrap**: `inner` encrypted with the device's share, a 32-byte secret the server
 *     derives per device and gives only at a password sign-in (never stored on the phone); opens
 *     the app after the PIN was reset, or forgotten.
 * - Failed PINs are counted before each check (a closed page still counts). After `maxAttempts`
 *   the PIN wrap is deleted: only the password (online) and the server's share open the data again,
 *   then the PPL sets a new PIN. A phone whose keyring has no server wrap yet (upgraded from a
 *   version without the lock, offline) cannot be reset that way without losing its unsent work, so
 *   it waits instead, doubling from `LOCKOUT_WAIT_MS`.
 */
import { getMeta, setMeta } from './db.js';
import { createVault } from './vault.js';

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./vault.js').Vault} Vault */

/** PBKDF2 iterations for a new PIN wrap (docs/performance.md: unlock time on a slow CPU). */
export const PIN_ITERATIONS = 600_000;
export const PIN_MIN_LENGTH = 6;
export const PIN_MAX_LENGTH = 12;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const LOCKOUT_WAIT_MS = 5 * 60 * 1000;

/**
 * @typedef {object} Wrap
 * @property {Uint8Array<ArrayBuffer>} iv
 * @property {ArrayBuffer} data
 */

/**
 * @typedef {object} Keyring  Stored as `meta.keyring`.
 * @property {1} v
 * @property {CryptoKey} device_key
 * @property {(Wrap & {salt: Uint8Array<ArrayBuffer>, iterations: number}) | null} pin
 * @property {Wrap | null} server
 * @property {number} created_at
 * @property {number | null} [pin_reset_at]  when too many wrong PINs deleted the PIN wrap
 */

/**
 * @typedef {object} Session  An unlocked keyring, in the page's memory only.
 * @property {Vault} vault
 * @property {Uint8Array<ArrayBuffer>} inner    the data key under the device key: what a new wrap encrypts
 */

/**
 * @typedef {object} KeyringDeps
 * @property {SubtleCrypto} [subtle]
 * @property {(array: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>} [getRandomValues]
 */

/**
 * @typedef {{ok: true, session: Session}
 *   | {ok: false, reason: 'no_pin' | 'wrong' | 'reset' | 'wait', remaining?: number, until?: number}} UnlockResult
 * wrong: `remaining` tries left; reset: the PIN wrap was deleted (sign in with the password);
 * wait: too many tries on a keyring without a server wrap, try again after `until`.
 */

/**
 * @param {KeyringDeps} deps
 */
function tools(deps) {
  const subtle = deps.subtle ?? globalThis.crypto.subtle;
  const random = deps.getRandomValues ?? ((/** @type {Uint8Array<ArrayBuffer>} */ a) => globalThis.crypto.getRandomValues(a));
  return { subtle, random };
}

/**
 * Whether `pin` is acceptable as a new PIN: digits only, 6 to 12 of them.
 * @param {string} pin
 * @returns {boolean}
 */
export function isValidPin(pin) {
  return new RegExp(`^[0-9]{${PIN_MIN_LENGTH},${PIN_MAX_LENGTH}}$`).test(pin);
}

/**
 * base64url (the server's encoding of a share) → bytes.
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * @param {RegsosekDB} db
 * @returns {Promise<Keyring | undefined>}
 */
export async function loadKeyring(db) {
  return getMeta(db, 'keyring');
}

/**
 * The vault from the data key's bytes (which are zeroed afterwards).
 * @param {Uint8Array<ArrayBuffer>} secret
 * @param {KeyringDeps} deps
 * @returns {Promise<Vault>}
 */
async function vaultFromSecret(secret, deps) {
  const { subtle } = tools(deps);
  try {
    const aesKey = await subtle.importKey('raw', secret.slice(0, 32), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    const macKey = await subtle.importKey('raw', secret.slice(32, 64), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return createVault({ aesKey, macKey }, deps);
  } finally {
    secret.fill(0);
  }
}

/**
 * @param {CryptoKey} key
 * @param {BufferSource} bytes
 * @param {KeyringDeps} deps
 * @returns {Promise<Wrap>}
 */
async function wrapWith(key, bytes, deps) {
  const { subtle, random } = tools(deps);
  const iv = random(new Uint8Array(12));
  return { iv, data: await subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes) };
}

/**
 * @param {CryptoKey} key
 * @param {Wrap} wrap
 * @param {KeyringDeps} deps
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
async function unwrapWith(key, wrap, deps) {
  const { subtle } = tools(deps);
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: wrap.iv }, key, wrap.data));
}

/**
 * @param {string} pin
 * @param {Uint8Array<ArrayBuffer>} salt
 * @param {number} iterations
 * @param {KeyringDeps} deps
 * @returns {Promise<CryptoKey>}
 */
async function pinKey(pin, salt, iterations, deps) {
  const { subtle } = tools(deps);
  const base = await subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
}

/**
 * @param {Uint8Array<ArrayBuffer>} share  32 bytes from the server
 * @param {KeyringDeps} deps
 * @returns {Promise<CryptoKey>}
 */
async function shareKey(share, deps) {
  const { subtle } = tools(deps);
  return subtle.importKey('raw', share, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/**
 * `inner` (the data key under the device key) → the session.
 * @param {Keyring} ring
 * @param {Uint8Array<ArrayBuffer>} inner
 * @param {KeyringDeps} deps
 * @returns {Promise<Session>}
 */
async function openInner(ring, inner, deps) {
  const secret = await unwrapWith(ring.device_key, { iv: inner.slice(0, 12), data: inner.slice(12).buffer }, deps);
  return { vault: await vaultFromSecret(secret, deps), inner };
}

/**
 * Makes a new data key and device key and stores the keyring with the wraps that can be made now
 * (the server's share at sign-in; the PIN once the PPL chose one, through `setPin`). Replaces any
 * keyring: call it only when the phone holds no sealed data (first sign-in, after a wipe).
 * @param {RegsosekDB} db
 * @param {{share?: Uint8Array<ArrayBuffer> | null, now: number}} options
 * @param {KeyringDeps} [deps]
 * @returns {Promise<Session>}
 */
export async function createKeyring(db, { share = null, now }, deps = {}) {
  const { subtle, random } = tools(deps);
  const deviceKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const secret = random(new Uint8Array(64));
  const wrapped = await wrapWith(deviceKey, secret, deps);
  const inner = new Uint8Array(12 + wrapped.data.byteLength);
  inner.set(wrapped.iv, 0);
  inner.set(new Uint8Array(wrapped.data), 12);
  /** @type {Keyring} */
  const ring = {
    v: 1,
    device_key: deviceKey,
    pin: null,
    server: share ? await wrapWith(await shareKey(share, deps), inner, deps) : null,
    created_at: now,
  };
  const vault = await vaultFromSecret(secret, deps);
  await setMeta(db, 'keyring', ring);
  await setMeta(db, 'pin_failures', undefined);
  return { vault, inner };
}

/**
 * Sets (or replaces) the PIN wrap of an unlocked session, and resets the failure count.
 * @param {RegsosekDB} db
 * @param {Session} session
 * @param {string} pin
 * @param {{iterations?: number}} [options]
 * @param {KeyringDeps} [deps]
 * @returns {Promise<void>}
 */
export async function setPin(db, session, pin, { iterations = PIN_ITERATIONS } = {}, deps = {}) {
  if (!isValidPin(pin)) throw new Error('invalid_pin');
  const { random } = tools(deps);
  const ring = await loadKeyring(db);
  if (!ring) throw new Error('no_keyring');
  const salt = random(new Uint8Array(16));
  const wrap = await wrapWith(await pinKey(pin, salt, iterations, deps), session.inner, deps);
  // Read again after the key derivation (not IndexedDB work: it ran outside any transaction).
  const current = (await loadKeyring(db)) ?? ring;
  await setMeta(db, 'keyring', { ...current, pin: { ...wrap, salt, iterations }, pin_reset_at: null });
  await setMeta(db, 'pin_failures', undefined);
}

/**
 * Adds or refreshes the server wrap of an unlocked session with the share the server just gave
 * (a new share after a rotation of the server's secret heals at the next sign-in).
 * @param {RegsosekDB} db
 * @param {Session} session
 * @param {Uint8Array<ArrayBuffer>} share
 * @param {KeyringDeps} [deps]
 * @returns {Promise<void>}
 */
export async function setServerWrap(db, session, share, deps = {}) {
  const wrap = await wrapWith(await shareKey(share, deps), session.inner, deps);
  const ring = await loadKeyring(db);
  if (!ring) throw new Error('no_keyring');
  await setMeta(db, 'keyring', { ...ring, server: wrap });
}

/**
 * Opens the keyring with a PIN. The attempt is counted before the check; a right PIN resets the
 * count. At `maxAttempts` failures in a row the PIN wrap is deleted (when a server wrap exists).
 * @param {RegsosekDB} db
 * @param {string} pin
 * @param {{now: number, maxAttempts?: number}} options
 * @param {KeyringDeps} [deps]
 * @returns {Promise<UnlockResult>}
 */
export async function unlockWithPin(db, pin, { now, maxAttempts = DEFAULT_MAX_ATTEMPTS }, deps = {}) {
  const ring = await loadKeyring(db);
  if (!ring || !ring.pin) return { ok: false, reason: 'no_pin' };
  const failures = (await getMeta(db, 'pin_failures')) ?? { count: 0, until: 0 };
  if (failures.until > now) return { ok: false, reason: 'wait', until: failures.until };
  const count = failures.count + 1;
  await setMeta(db, 'pin_failures', { count, until: 0 });
  /** @type {Uint8Array<ArrayBuffer> | null} */
  let inner = null;
  try {
    inner = await unwrapWith(await pinKey(pin, ring.pin.salt, ring.pin.iterations, deps), ring.pin, deps);
  } catch {
    inner = null;
  }
  if (inner) {
    await setMeta(db, 'pin_failures', undefined);
    return { ok: true, session: await openInner(ring, inner, deps) };
  }
  if (count < maxAttempts) return { ok: false, reason: 'wrong', remaining: maxAttempts - count };
  if (ring.server) {
    await setMeta(db, 'keyring', { ...ring, pin: null, pin_reset_at: now });
    await setMeta(db, 'pin_failures', undefined);
    return { ok: false, reason: 'reset' };
  }
  const until = now + LOCKOUT_WAIT_MS * 2 ** (count - maxAttempts);
  await setMeta(db, 'pin_failures', { count, until });
  return { ok: false, reason: 'wait', until };
}

/**
 * Opens the keyring with a share the server gave at a password sign-in (after a PIN reset). Tries
 * every share given (the current one first, then those of older server secrets).
 * @param {RegsosekDB} db
 * @param {Uint8Array<ArrayBuffer>[]} shares
 * @param {KeyringDeps} [deps]
 * @returns {Promise<Session | null>}  null: no share opens it
 */
export async function unlockWithShare(db, shares, deps = {}) {
  const ring = await loadKeyring(db);
  if (!ring || !ring.server) return null;
  for (const share of shares) {
    try {
      const inner = await unwrapWith(await shareKey(share, deps), ring.server, deps);
      return openInner(ring, inner, deps);
    } catch {
      // Another share may open it.
    }
  }
  return null;
}
