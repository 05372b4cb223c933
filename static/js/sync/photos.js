// @ts-check
/**
 * Photos waiting on the phone. A photo is uploaded only after the server acknowledged its family
 * (the family's working copy has a `server_revision`), one at a time, and marked `sent` only on a
 * 2xx — or when the server says it already holds it (photos/missing), so it is never sent twice.
 * The JPEG's bytes are sealed at rest (vault.js); `openPhoto` gives them back for the upload and
 * the preview.
 */
import { backoffDelay } from './backoff.js';
import { requireVault } from './sealing.js';

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./db.js').PhotoRow} PhotoRow */
/** @typedef {import('./vault.js').Vault} Vault */

/**
 * Hex SHA-256 of a blob (the `X-Content-SHA256` header and the push item's `sha256`).
 * @param {Blob} blob
 * @param {SubtleCrypto} [subtle]
 * @returns {Promise<string>}
 */
export async function sha256Hex(blob, subtle = crypto.subtle) {
  const digest = await subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Stores a (compressed) photo of a family, sealed; it waits until its family was acknowledged.
 * @param {RegsosekDB} db
 * @param {{client_uuid: string, family_uuid: string, blob: Blob, sha256: string}} photo
 * @param {number} now
 * @param {Vault | null} vault
 * @returns {Promise<PhotoRow>}
 */
export async function addPhoto(db, photo, now, vault) {
  const sealed = await requireVault(vault).sealBytes(photo.blob);
  /** @type {PhotoRow} */
  const row = {
    client_uuid: photo.client_uuid,
    family_uuid: photo.family_uuid,
    sealed,
    type: photo.blob.type || 'image/jpeg',
    sha256: photo.sha256.toLowerCase(),
    size: photo.blob.size,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    last_error: null,
    created_at: now,
  };
  await db.photos.put(row);
  return row;
}

/**
 * A photo's JPEG in the clear.
 * @param {Vault} vault
 * @param {PhotoRow} photo
 * @returns {Promise<Blob>}
 */
export async function openPhoto(vault, photo) {
  return new Blob([await vault.openBytes(photo.sealed)], { type: photo.type || 'image/jpeg' });
}

/**
 * Pending photos that are due (all pending with `force`) and whose family the server has.
 * @param {RegsosekDB} db
 * @param {{now: number, force?: boolean}} options
 * @returns {Promise<PhotoRow[]>}
 */
export async function listUploadablePhotos(db, { now, force = false }) {
  return db.transaction('r', db.photos, db.families, async () => {
    const due = await db.photos
      .where('[status+next_attempt_at]')
      .between(['pending', -Infinity], ['pending', force ? Infinity : now], true, true)
      .toArray();
    /** @type {PhotoRow[]} */
    const ready = [];
    for (const photo of due) {
      const family = await db.families.get(photo.family_uuid);
      if (family !== undefined && family.server_revision !== null) ready.push(photo);
    }
    return ready;
  });
}

/**
 * @param {RegsosekDB} db
 * @param {string[]} uuids
 * @returns {Promise<void>}
 */
export async function markPhotosSent(db, uuids) {
  await db.transaction('rw', db.photos, async () => {
    await db.photos
      .where('client_uuid')
      .anyOf(uuids)
      .modify({ status: 'sent', last_error: null });
  });
}

/**
 * @param {RegsosekDB} db
 * @param {string} uuid
 * @returns {Promise<void>}
 */
export async function markPhotoSending(db, uuid) {
  await db.photos.update(uuid, { status: 'sending' });
}

/**
 * The server refused the file itself (413 too large, 415 not an image, 422 corrupt, 400 checksum):
 * kept on the phone with the server's message.
 * @param {RegsosekDB} db
 * @param {string} uuid
 * @param {string} message
 * @returns {Promise<void>}
 */
export async function markPhotoRejected(db, uuid, message) {
  await db.photos.update(uuid, { status: 'rejected', last_error: message });
}

/**
 * 409 family_missing: stays pending (no backoff counted), tried again at the next sync.
 * @param {RegsosekDB} db
 * @param {string} uuid
 * @param {string} message
 * @returns {Promise<void>}
 */
export async function markPhotoWaiting(db, uuid, message) {
  await db.photos.update(uuid, { status: 'pending', last_error: message });
}

/**
 * No usable answer (network, timeout, 5xx, 408, 429): pending again with backoff.
 * @param {RegsosekDB} db
 * @param {string} uuid
 * @param {{now: number, random: () => number, error: string, minDelayMs?: number | null}} options
 * @returns {Promise<void>}
 */
export async function requeuePhoto(db, uuid, { now, random, error, minDelayMs = null }) {
  await db.transaction('rw', db.photos, async () => {
    const photo = await db.photos.get(uuid);
    if (photo === undefined) return;
    photo.attempts += 1;
    const delay = Math.max(backoffDelay(photo.attempts, random), minDelayMs ?? 0);
    Object.assign(photo, { status: 'pending', next_attempt_at: now + delay, last_error: error });
    await db.photos.put(photo);
  });
}
