// @ts-check
/**
 * The outbox: working copies of families and one outbox op per family. No DOM, no fetch; every
 * function is one IndexedDB transaction (or joins the caller's), so the engine can read a batch in
 * one transaction, send it outside any transaction, and write the answers in a second one.
 *
 * Rules (docs/pwa.md):
 * - an op becomes `sent` only through `applyPushResults`, i.e. a 2xx answer naming the family;
 * - nothing is deleted here: a family's working copy stays after it was sent, an op row is reused
 *   when the family is finalised again;
 * - every local save bumps `edit_seq`; an answer about an older edit never marks the newer one sent;
 * - records, server copies, comments and geotags are sealed (sealing.js): a function that takes
 *   plaintext seals it before its transaction starts; inside, records are compared by keyed hash.
 */
import { backoffDelay } from './backoff.js';
import { openGeotag, requireVault, sealGeotag, sealPushResults, sealedRecord } from './sealing.js';
import { canonicalJson, sameContent } from './vault.js';

export { canonicalJson };

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./db.js').FamilyRow} FamilyRow */
/** @typedef {import('./db.js').OutboxOp} OutboxOp */
/** @typedef {import('./db.js').GeotagRow} GeotagRow */
/** @typedef {import('./db.js').ServerFamily} ServerFamily */
/** @typedef {import('./db.js').SentCopy} SentCopy */
/** @typedef {import('./db.js').Geotag} Geotag */
/** @typedef {import('./db.js').StoredServerFamily} StoredServerFamily */
/** @typedef {import('./api.js').PushItem} PushItem */
/** @typedef {import('./vault.js').Vault} Vault */
/** @typedef {import('./vault.js').Sealed} Sealed */

/**
 * @typedef {Omit<PushItem, 'record' | 'geotag'> & {record: Sealed, geotag: GeotagRow | null}} SealedPushItem
 * A push item as read in the batch's transaction, opened (`openPushItems`) before it is sent.
 */

/**
 * @typedef {object} FamilyInput  What the form hands over when the PPL saves.
 * @property {string} client_uuid
 * @property {number} sls
 * @property {Record<string, any> | Sealed} record   {form, version, family, members}, or already sealed
 * @property {string | null} [geotag_uuid]
 * @property {string | null} [interview_started_at]  ISO 8601, when the PPL gave the family's first answer
 * @property {boolean} [untouched]  a new family started from the assignment, nothing answered yet
 *   (only when it creates the row; any later save makes it touched)
 */

/**
 * @typedef {object} BatchEntry  An op in flight, with the edit it carries.
 * @property {string} op_id
 * @property {string} client_uuid
 * @property {number} seq
 * @property {Sealed} record  the content sent
 */

/**
 * @typedef {object} PushResult  One item of the push answer.
 * @property {string | null} client_uuid
 * @property {'created' | 'updated' | 'unchanged' | 'conflict' | 'invalid' | 'forbidden'} result
 * @property {number} [revision]
 * @property {string} [status]
 * @property {string} [message]
 * @property {import('./db.js').RecordError[]} [errors]
 * @property {ServerFamily | StoredServerFamily | null} [server]  sealed by applyPushResults before its transaction
 * @property {string[]} [photos_missing]
 * @property {'changed' | 'returned'} [reason]  conflict: what moved on the server
 * @property {string | Sealed | null} [review_comment]   the family is (still) returned: the supervisor's comment
 * @property {unknown} [review_notes]   and the comments per answer (ReviewNote[]; sealed before the transaction)
 * @property {number | null} [return_id]        and the return it belongs to
 */

/**
 * @typedef {object} WorkCounts
 * @property {Record<import('./db.js').FamilyStatus, number>} families
 * @property {Record<import('./db.js').OpStatus, number>} outbox
 * @property {Record<import('./db.js').PhotoStatus, number>} photos
 * @property {number} marks   VK1 marks not yet accepted by the server (pending or rejected), but
 *   those of untouched drafts
 * @property {number} untouched  drafts started but not typed into (in `families.draft`, not in `unsent`)
 * @property {number} unsent  families, photos and VK1 marks whose data the server does not have yet
 *   (an untouched draft and its VK1 mark are not counted: nothing of them was entered)
 */

export const FAMILY_STATUSES = /** @type {const} */ (['draft', 'final', 'sent', 'conflict', 'rejected', 'returned']);
export const OP_STATUSES = /** @type {const} */ (['pending', 'sending', 'sent', 'rejected', 'auth']);
export const PHOTO_STATUSES = /** @type {const} */ (['pending', 'sending', 'sent', 'rejected']);

/** Copies kept per family at most (oldest dropped first); each is one distinct content sent. */
export const MAX_SENT_COPIES = 50;

/**
 * Every content sent since the server last acknowledged one of them as a revision.
 * @param {FamilyRow} family
 * @returns {SentCopy[]}
 */
export function sentCopies(family) {
  const copies = family.unacked;
  if (Array.isArray(copies)) return copies;
  return copies ? [copies] : [];
}

/**
 * Remembers a content as it leaves the phone, before the request: from then on the server may hold
 * it, whatever becomes of the request or its answer.
 * @param {FamilyRow} family
 * @param {number} seq
 * @param {Sealed} record
 */
function rememberSent(family, seq, record) {
  const copies = sentCopies(family);
  if (!copies.some((copy) => sameContent(copy.record, record))) copies.push({ seq, record });
  family.unacked = copies.slice(-MAX_SENT_COPIES);
}

/**
 * The rebase rule (docs/pwa.md): a server copy equal to any content this phone sent since the
 * server last acknowledged one is the phone's own (its answer was lost, or a request arrived late),
 * not somebody else's edit.
 * @param {FamilyRow} family
 * @param {StoredServerFamily | null | undefined} server
 * @returns {boolean}
 */
export function isOwnUnackedCopy(family, server) {
  if (!server) return false;
  return sentCopies(family).some((copy) => sameContent(copy.record, server.record));
}

/**
 * True when the server copy is in a supervisor's return that the PPL has not answered: the
 * family's content the PPL finalised was made before the phone knew of that return.
 * @param {FamilyRow} family
 * @param {{status?: string | null, return_id?: number | null} | null | undefined} server
 * @returns {boolean}
 */
export function isUnansweredReturn(family, server) {
  return Boolean(
    server && server.status === 'returned' && typeof server.return_id === 'number' && server.return_id !== (family.answered_return ?? null),
  );
}

/**
 * Takes in what the server says of a return: its comment and id, so the PPL is shown the comment.
 * @param {FamilyRow} family
 * @param {{status?: string | null, review_comment?: Sealed | null, review_notes?: Sealed | null, return_id?: number | null}} server
 */
export function learnReturn(family, server) {
  if (server.status !== 'returned') return;
  family.server_status = 'returned';
  family.review_comment = server.review_comment ?? family.review_comment ?? null;
  // The notes belong to one return: a server that names them replaces the older ones.
  if (server.review_notes !== undefined) family.review_notes = server.review_notes;
  if (typeof server.return_id === 'number') family.return_id = server.return_id;
}

/**
 * Holds a finalised family whose content has not answered a return: the PPL reads the comment and
 * sends the correction again (or takes the server's copy). Nothing local is discarded.
 * @param {FamilyRow} family
 * @param {StoredServerFamily} server
 * @param {'changed' | 'returned'} reason
 * @param {string | null | undefined} message  the server's words, if any
 */
export function markConflict(family, server, reason, message) {
  learnReturn(family, server);
  Object.assign(family, { status: 'conflict', server, conflict_reason: reason, message: message ?? null });
}

/**
 * A family whose working copy equals what the server has (a pull may overwrite it).
 * @param {FamilyRow} family
 * @returns {boolean}
 */
export function isClean(family) {
  return family.status === 'sent' || family.status === 'returned';
}

/**
 * A time as the server takes it: ISO 8601 with the phone's UTC offset (e.g. +07:00).
 * @param {number} ms
 * @returns {string}
 */
export function isoNow(ms) {
  const date = new Date(ms);
  const offset = -date.getTimezoneOffset();
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * @param {FamilyInput & {record: Sealed}} input
 * @param {FamilyRow | undefined} existing
 * @param {number} now
 * @returns {FamilyRow}
 */
function workingCopy(input, existing, now) {
  return {
    base_revision: null,
    server_revision: null,
    server_status: null,
    errors: null,
    message: null,
    server: null,
    review_comment: null,
    review_notes: null,
    interview_finished_at: null,
    return_id: null,
    answered_return: null,
    conflict_reason: null,
    ...existing,
    client_uuid: input.client_uuid,
    sls: input.sls,
    record: input.record,
    geotag_uuid: input.geotag_uuid ?? existing?.geotag_uuid ?? null,
    // The first answer of a new family starts the interview; later saves keep that time.
    interview_started_at: existing?.interview_started_at ?? input.interview_started_at ?? null,
    untouched: existing === undefined && input.untouched === true,
    status: 'draft',
    edit_seq: (existing?.edit_seq ?? 0) + 1,
    updated_at: now,
  };
}

/**
 * Saves a draft (not sent). A family in conflict stays in conflict until resolved. A pending op
 * is left as it is but is not sent while the family is a draft. A record already sealed is stored
 * without any WebCrypto call, so this may run inside the caller's transaction.
 * @param {RegsosekDB} db
 * @param {FamilyInput} input
 * @param {number} now
 * @param {Vault | null} [vault]  seals a plaintext record (before the transaction)
 * @returns {Promise<FamilyRow>}
 */
export async function saveDraft(db, input, now, vault = null) {
  const sealed = { ...input, record: await sealedRecord(vault, input.record) };
  return db.transaction('rw', db.families, async () => {
    const existing = await db.families.get(input.client_uuid);
    const family = workingCopy(sealed, existing, now);
    if (existing?.status === 'conflict') family.status = 'conflict';
    await db.families.put(family);
    return family;
  });
}

/**
 * Stores a finalised family and its outbox op (one per family: finalising again updates the op,
 * never duplicates it). A family in conflict must go through `resolveConflict` first.
 * @param {RegsosekDB} db
 * @param {FamilyInput} input
 * @param {{now: number, newId: () => string, vault?: Vault | null}} deps  vault: seals a plaintext record
 * @returns {Promise<OutboxOp>}
 */
export async function enqueueFamily(db, input, { now, newId, vault = null }) {
  const sealed = { ...input, record: await sealedRecord(vault, input.record) };
  return db.transaction('rw', db.families, db.outbox, async () => {
    const existing = await db.families.get(input.client_uuid);
    if (existing?.status === 'conflict') throw new Error('conflict_unresolved');
    const family = workingCopy(sealed, existing, now);
    family.status = 'final';
    family.errors = null;
    family.message = null;
    // The interview ends when it is finalised; a correction after the server has it keeps that time.
    family.interview_finished_at =
      (existing?.server_revision ?? null) === null ? isoNow(now) : (existing?.interview_finished_at ?? null);
    // Finalised on the family's screen, which shows the comment of the return the phone knows of.
    family.answered_return = family.return_id ?? null;
    await db.families.put(family);
    return putOp(db, family, now, newId);
  });
}

/**
 * @param {RegsosekDB} db
 * @param {FamilyRow} family
 * @param {number} now
 * @param {() => string} newId
 * @returns {Promise<OutboxOp>}
 */
async function putOp(db, family, now, newId) {
  const op = await db.outbox.where('client_uuid').equals(family.client_uuid).first();
  if (op === undefined) {
    /** @type {OutboxOp} */
    const created = {
      op_id: newId(),
      client_uuid: family.client_uuid,
      status: 'pending',
      seq: family.edit_seq,
      sending_seq: null,
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      created_at: now,
      sent_at: null,
    };
    await db.outbox.add(created);
    return created;
  }
  op.seq = family.edit_seq;
  if (op.status === 'sent' || op.status === 'rejected') {
    // The same row waits again: `sending` and `auth` keep their state (the answer in flight, or
    // the sign-in, decides), `pending` keeps its backoff.
    Object.assign(op, { status: 'pending', attempts: 0, next_attempt_at: now, last_error: null, sent_at: null });
  }
  await db.outbox.put(op);
  return op;
}

/**
 * The family's op waits again, due now (the family was sent and must be sent again).
 * @param {RegsosekDB} db
 * @param {FamilyRow} family
 * @param {number} now
 * @returns {Promise<void>}
 */
export async function putPendingAgain(db, family, now) {
  await db.outbox
    .where('client_uuid')
    .equals(family.client_uuid)
    .modify({ status: 'pending', seq: family.edit_seq, attempts: 0, next_attempt_at: now, last_error: null, sent_at: null });
}

/**
 * Pending ops that are due (all pending ones with `force`), oldest due first.
 * @param {RegsosekDB} db
 * @param {{now: number, force?: boolean}} options
 * @returns {Promise<OutboxOp[]>}
 */
export async function listDueOps(db, { now, force = false }) {
  return db.outbox
    .where('[status+next_attempt_at]')
    .between(['pending', -Infinity], ['pending', force ? Infinity : now], true, true)
    .toArray();
}

/**
 * How many families a run would send now (due ops of finalised families).
 * @param {RegsosekDB} db
 * @param {{now: number, force?: boolean}} options
 * @returns {Promise<number>}
 */
export async function countDue(db, { now, force = false }) {
  return db.transaction('r', db.outbox, db.families, async () => {
    let n = 0;
    for (const op of await listDueOps(db, { now, force })) {
      if ((await db.families.get(op.client_uuid))?.status === 'final') n += 1;
    }
    return n;
  });
}

/**
 * @param {RegsosekDB} db
 * @param {BatchEntry[]} entries
 * @returns {Promise<void>}
 */
export async function markSending(db, entries) {
  await db.transaction('rw', db.outbox, async () => {
    for (const entry of entries) {
      await db.outbox.update(entry.op_id, { status: 'sending', sending_seq: entry.seq });
    }
  });
}

/**
 * @param {Geotag} geotag
 * @returns {Record<string, any>}
 */
function geotagItem(geotag) {
  return {
    client_uuid: geotag.client_uuid,
    latitude: geotag.lat,
    longitude: geotag.lon,
    accuracy_m: geotag.accuracy_m,
    captured_at: geotag.captured_at,
    provider: geotag.provider,
    building_no: geotag.building_no,
    accepted_reason: geotag.accepted_reason,
  };
}

/**
 * Reads up to `limit` due families and marks their ops `sending`, in one transaction. Ops of
 * families that are drafts again stay pending and are skipped.
 * @param {RegsosekDB} db
 * @param {{now: number, limit: number, force?: boolean, exclude?: Set<string>}} options
 * @returns {Promise<{entries: BatchEntry[], items: SealedPushItem[]}>}  items still sealed: `openPushItems`
 */
export async function takeBatch(db, { now, limit, force = false, exclude = new Set() }) {
  return db.transaction('rw', [db.outbox, db.families, db.geotags, db.photos], async () => {
    /** @type {BatchEntry[]} */
    const entries = [];
    /** @type {SealedPushItem[]} */
    const items = [];
    for (const op of await listDueOps(db, { now, force })) {
      if (entries.length >= limit) break;
      if (exclude.has(op.op_id)) continue;
      const family = await db.families.get(op.client_uuid);
      if (family === undefined || family.status !== 'final') continue;
      const geotag = family.geotag_uuid ? await db.geotags.get(family.geotag_uuid) : undefined;
      const photos = await db.photos.where('family_uuid').equals(family.client_uuid).toArray();
      entries.push({ op_id: op.op_id, client_uuid: family.client_uuid, seq: family.edit_seq, record: family.record });
      rememberSent(family, family.edit_seq, family.record);
      await db.families.put(family);
      items.push({
        client_uuid: family.client_uuid,
        sls: family.sls,
        base_revision: family.base_revision,
        return_id: family.answered_return ?? null,
        interview_started_at: family.interview_started_at ?? null,
        interview_finished_at: family.interview_finished_at ?? null,
        record: family.record,
        geotag: geotag ?? null,
        photos: photos
          .filter((p) => p.status !== 'rejected')
          .map((p) => ({ client_uuid: p.client_uuid, sha256: p.sha256 })),
      });
    }
    await markSending(db, entries);
    return { entries, items };
  });
}

/**
 * A batch's items in the clear, as the push sends them (after `takeBatch`'s transaction).
 * @param {Vault} vault
 * @param {SealedPushItem[]} items
 * @returns {Promise<PushItem[]>}
 */
export async function openPushItems(vault, items) {
  return Promise.all(
    items.map(async (item) => ({
      ...item,
      record: await vault.open(item.record),
      geotag: item.geotag ? geotagItem(await openGeotag(vault, item.geotag)) : null,
    })),
  );
}

/**
 * Writes the server's answers for a batch, in one transaction. Matching is by `client_uuid`: an
 * op the answer does not name goes back to pending with backoff.
 * @param {RegsosekDB} db
 * @param {BatchEntry[]} entries
 * @param {PushResult[]} results
 * @param {{now: number, random: () => number, vault?: Vault | null}} deps  vault: seals the server
 *   copies and comments of the answers (before the transaction)
 * @returns {Promise<{counts: Record<string, number>, again: string[]}>} how many of each result
 *   (and "missing", "rebased", "returned"); `again`: op ids to send again at once (the family was
 *   edited while in flight, or the conflict was our own earlier push)
 */
export async function applyPushResults(db, entries, results, { now, random, vault = null }) {
  const sealedResults = /** @type {(Omit<PushResult, 'server' | 'review_comment' | 'review_notes'> & {server?: StoredServerFamily | null, review_comment?: Sealed | null, review_notes?: Sealed | null})[]} */ (
    await sealPushResults(vault, /** @type {any[]} */ (results))
  );
  /** @type {Map<string, (typeof sealedResults)[number]>} */
  const byUuid = new Map();
  for (const result of sealedResults) {
    if (result && typeof result.client_uuid === 'string') byUuid.set(result.client_uuid.toLowerCase(), result);
  }
  /** @type {Record<string, number>} */
  const counts = {};
  /** @type {string[]} */
  const again = [];
  /** @param {string} kind */
  const count = (kind) => {
    counts[kind] = (counts[kind] || 0) + 1;
  };
  await db.transaction('rw', db.outbox, db.families, async () => {
    for (const entry of entries) {
      const op = await db.outbox.get(entry.op_id);
      const family = await db.families.get(entry.client_uuid);
      if (op === undefined || family === undefined || op.status !== 'sending') continue;
      const result = byUuid.get(entry.client_uuid.toLowerCase());
      const kind = result ? result.result : 'missing';
      const current = family.edit_seq === entry.seq;
      op.sending_seq = null;
      const server = result?.server ?? null;
      if (result && (kind === 'created' || kind === 'updated' || kind === 'unchanged')) {
        count(kind);
        const revision = typeof result.revision === 'number' ? result.revision : family.server_revision;
        family.server_revision = revision;
        // The newer local edit (if any) was made on top of what the server now holds.
        family.base_revision = revision;
        if (typeof result.status === 'string') family.server_status = result.status;
        // A new revision of our content: no request sent before it can still apply (each named an
        // older base). "unchanged" assigns none, so the copies sent stay remembered.
        if (kind !== 'unchanged') family.unacked = null;
        if (current) {
          const returned = result.status === 'returned';
          if (returned) learnReturn(family, result);
          Object.assign(family, { status: returned ? 'returned' : 'sent', errors: null, message: null, server: null, conflict_reason: null });
          Object.assign(op, { status: 'sent', attempts: 0, last_error: null, sent_at: now });
        } else {
          Object.assign(op, { status: 'pending', attempts: 0, next_attempt_at: now, last_error: null });
          again.push(op.op_id);
        }
      } else if (result && kind === 'conflict' && server && isUnansweredReturn(family, server) &&
        (server.revision === family.base_revision || isOwnUnackedCopy(family, server))) {
        // Only the supervisor's return moved on: the PPL reads its comment before the edit goes.
        count('returned');
        family.base_revision = server.revision;
        family.server_revision = server.revision;
        family.unacked = null;
        markConflict(family, server, 'returned', result.message);
        Object.assign(op, { status: 'rejected', last_error: 'returned' });
      } else if (result && kind === 'conflict' && server && isOwnUnackedCopy(family, server)) {
        // The server's revision is our own earlier push (its answer was lost, or it arrived
        // late): rebase and resend.
        count('rebased');
        family.base_revision = server.revision;
        family.server_revision = server.revision;
        family.server_status = server.status;
        family.unacked = null;
        Object.assign(op, { status: 'pending', attempts: 0, next_attempt_at: now, last_error: null });
        again.push(op.op_id);
      } else if (result && kind === 'conflict') {
        // Somebody else changed the server copy: every local edit rests on the stale base. Both
        // copies stay for the PPL to choose.
        count('conflict');
        if (server) markConflict(family, server, 'changed', result.message);
        else Object.assign(family, { status: 'conflict', server: null, conflict_reason: 'changed', message: result.message ?? null });
        Object.assign(op, { status: 'rejected', last_error: 'conflict' });
      } else if (result && (kind === 'invalid' || kind === 'forbidden')) {
        count(kind);
        family.errors = kind === 'invalid' ? (result.errors ?? []) : null;
        family.message = result.message ?? null;
        if (current) {
          family.status = 'rejected';
          Object.assign(op, { status: 'rejected', last_error: kind });
        } else {
          // The answer is about an older edit; the newer one gets its own.
          Object.assign(op, { status: 'pending', attempts: 0, next_attempt_at: now, last_error: kind });
          again.push(op.op_id);
        }
      } else {
        // Not named: the server may or may not have stored it (the copy sent is remembered).
        count('missing');
        op.attempts += 1;
        Object.assign(op, {
          status: 'pending',
          next_attempt_at: now + backoffDelay(op.attempts, random),
          last_error: 'no_result',
        });
      }
      await db.outbox.put(op);
      await db.families.put(family);
    }
  });
  return { counts, again };
}

/**
 * Back to pending after a failed request (network, timeout, 5xx, 408, 429), with backoff. The
 * server may have stored the batch anyway (dropped answer): the content sent was remembered when
 * it left (`takeBatch`), so a resend is answered "unchanged" and a later conflict against it is
 * recognised as the phone's own.
 * @param {RegsosekDB} db
 * @param {BatchEntry[]} entries
 * @param {{now: number, random: () => number, error: string, minDelayMs?: number | null}} options
 * @returns {Promise<void>}
 */
export async function requeueOps(db, entries, { now, random, error, minDelayMs = null }) {
  await db.transaction('rw', db.outbox, async () => {
    for (const entry of entries) {
      const op = await db.outbox.get(entry.op_id);
      if (op === undefined || (op.status !== 'sending' && op.status !== 'pending')) continue;
      op.attempts += 1;
      const delay = Math.max(backoffDelay(op.attempts, random), minDelayMs ?? 0);
      Object.assign(op, { status: 'pending', sending_seq: null, next_attempt_at: now + delay, last_error: error });
      await db.outbox.put(op);
    }
  });
}

/**
 * Back to pending, due now, without counting an attempt (the request was refused before anything
 * was applied, e.g. a 413 for the batch size: the engine resends in smaller batches).
 * @param {RegsosekDB} db
 * @param {BatchEntry[]} entries
 * @param {number} now
 * @returns {Promise<void>}
 */
export async function releaseOps(db, entries, now) {
  await db.transaction('rw', db.outbox, async () => {
    for (const entry of entries) {
      const op = await db.outbox.get(entry.op_id);
      if (op === undefined || op.status !== 'sending') continue;
      Object.assign(op, { status: 'pending', sending_seq: null, next_attempt_at: now });
      await db.outbox.put(op);
    }
  });
}

/**
 * Marks ops and their families rejected with a message, when the whole request was refused in a
 * way a retry cannot fix (e.g. one family too large for any batch). Kept and visible.
 * @param {RegsosekDB} db
 * @param {BatchEntry[]} entries
 * @param {{code: string, message: string | null}} reason  a code the UI words, and the server's text if any
 * @returns {Promise<void>}
 */
export async function rejectOps(db, entries, reason) {
  await db.transaction('rw', db.outbox, db.families, async () => {
    for (const entry of entries) {
      const op = await db.outbox.get(entry.op_id);
      if (op === undefined || op.status !== 'sending') continue;
      const family = await db.families.get(entry.client_uuid);
      if (family !== undefined && family.edit_seq === entry.seq) {
        Object.assign(family, { status: 'rejected', message: reason.message, reject_code: reason.code });
        await db.families.put(family);
        Object.assign(op, { status: 'rejected', sending_seq: null, last_error: reason.code });
      } else {
        // Edited since: the newer content gets its own try.
        Object.assign(op, { status: 'pending', sending_seq: null, last_error: reason.code });
      }
      await db.outbox.put(op);
    }
  });
}

/**
 * Pauses the queue after a 401: every waiting or in-flight op becomes `auth` until sign-in.
 * @param {RegsosekDB} db
 * @returns {Promise<number>} how many ops were paused
 */
export async function pauseForAuth(db) {
  return db.transaction('rw', db.outbox, async () =>
    db.outbox
      .where('status')
      .anyOf(['pending', 'sending'])
      .modify({ status: 'auth', sending_seq: null }),
  );
}

/**
 * After a successful sign-in: paused ops are due at once.
 * @param {RegsosekDB} db
 * @param {number} now
 * @returns {Promise<number>}
 */
export async function resumeAfterSignIn(db, now) {
  return db.transaction('rw', db.outbox, async () =>
    db.outbox.where('status').equals('auth').modify({ status: 'pending', attempts: 0, next_attempt_at: now }),
  );
}

/**
 * Ops and photos left `sending` by an interrupted run (page closed mid-request) go back to
 * pending: their answer never arrived; the content in flight was remembered when it left, so a
 * resend is answered "unchanged" or recognised as the phone's own.
 * @param {RegsosekDB} db
 * @param {number} now
 * @returns {Promise<void>}
 */
export async function resetInterrupted(db, now) {
  await db.transaction('rw', db.outbox, db.photos, async () => {
    await db.outbox.where('status').equals('sending').modify({ status: 'pending', sending_seq: null, next_attempt_at: now });
    await db.photos.where('status').equals('sending').modify({ status: 'pending', next_attempt_at: now });
  });
}

/**
 * The PPL's choice for a family in conflict: "mine" sends the local copy again on top of the
 * server's revision (answering the supervisor's return, whose comment the screen showed);
 * "server" takes the server's copy (the local one is replaced by the PPL's explicit choice, after
 * the screen listed what it discards, and the op is done because the server holds what the phone
 * now holds).
 * @param {RegsosekDB} db
 * @param {string} clientUuid
 * @param {'mine' | 'server'} choice
 * @param {{now: number, newId: () => string}} deps
 * @returns {Promise<FamilyRow>}
 */
export async function resolveConflict(db, clientUuid, choice, { now, newId }) {
  return db.transaction('rw', db.families, db.outbox, async () => {
    const family = await db.families.get(clientUuid);
    if (family === undefined || family.status !== 'conflict' || !family.server) throw new Error('no_conflict');
    const server = family.server;
    learnReturn(family, server);
    family.base_revision = server.revision;
    family.server_revision = server.revision;
    family.server_status = server.status;
    family.edit_seq += 1;
    family.updated_at = now;
    Object.assign(family, { server: null, message: null, errors: null, unacked: null, conflict_reason: null });
    if (choice === 'mine') {
      family.status = 'final';
      family.answered_return = server.status === 'returned' ? (server.return_id ?? null) : (family.answered_return ?? null);
      await db.families.put(family);
      await putOp(db, family, now, newId);
    } else {
      family.record = server.record;
      family.review_comment = server.review_comment ?? null;
      family.review_notes = server.review_notes ?? null;
      family.status = server.status === 'returned' ? 'returned' : 'sent';
      await db.families.put(family);
      await db.outbox
        .where('client_uuid')
        .equals(clientUuid)
        .modify({ status: 'sent', sending_seq: null, last_error: 'resolved_with_server_copy', sent_at: now });
    }
    return family;
  });
}

/**
 * Whether the PPL may discard a family: a draft the server never had (never acknowledged, never
 * sent: no copy left the phone). A family that was sent, or finalised, is never discarded.
 * @param {{status: string, server_revision: number | null, base_revision: number | null, unacked?: unknown}} family
 *   a stored row or its opened view
 * @returns {boolean}
 */
export function isDiscardable(family) {
  const copies = Array.isArray(family.unacked) ? family.unacked.length : family.unacked ? 1 : 0;
  return family.status === 'draft' && family.server_revision === null && family.base_revision === null && copies === 0;
}

/**
 * Discards a draft the server never had (`isDiscardable`; the screen asks for confirmation first),
 * with its photos, the VK1 mark that names it (the row is offered again) and its geotag when no
 * other family uses it. Throws `not_discardable` for any other family, or one with an outbox op.
 * @param {RegsosekDB} db
 * @param {string} clientUuid
 * @returns {Promise<boolean>} false: no such family
 */
export async function discardDraft(db, clientUuid) {
  return db.transaction('rw', [db.families, db.outbox, db.photos, db.marks, db.geotags], async () => {
    const family = await db.families.get(clientUuid);
    if (family === undefined) return false;
    const ops = await db.outbox.where('client_uuid').equals(clientUuid).count();
    if (!isDiscardable(family) || ops > 0) throw new Error('not_discardable');
    await db.families.delete(clientUuid);
    await db.photos.where('family_uuid').equals(clientUuid).delete();
    await db.marks.where('family_uuid').equals(clientUuid).delete();
    const geotag = family.geotag_uuid;
    if (geotag && (await db.families.filter((f) => f.geotag_uuid === geotag).count()) === 0) await db.geotags.delete(geotag);
    return true;
  });
}

/**
 * Discards a new draft that is still untouched (the PPL opened it and left without answering).
 * @param {RegsosekDB} db
 * @param {string} clientUuid
 * @returns {Promise<boolean>} true: it was untouched and is gone
 */
export async function discardIfUntouched(db, clientUuid) {
  const family = await db.families.get(clientUuid);
  if (!family || family.untouched !== true || !isDiscardable(family)) return false;
  return discardDraft(db, clientUuid);
}

/**
 * Stores a geotag (one per dwelling), its coordinates sealed; families refer to it by `geotag_uuid`.
 * @param {RegsosekDB} db
 * @param {Geotag} geotag
 * @param {Vault | null} vault
 * @returns {Promise<void>}
 */
export async function saveGeotag(db, geotag, vault) {
  await db.geotags.put(await sealGeotag(requireVault(vault), geotag));
}

/**
 * @param {RegsosekDB} db
 * @returns {Promise<WorkCounts>}
 */
export async function countWork(db) {
  return db.transaction('r', [db.families, db.outbox, db.photos, db.marks], async () => {
    const families = /** @type {WorkCounts['families']} */ ({});
    for (const s of FAMILY_STATUSES) families[s] = await db.families.where('status').equals(s).count();
    // A draft started but not typed into yet is no unsent work, nor is its VK1 mark (which waits
    // for the family anyway): the PPL has done nothing that could be lost.
    const untouched = new Set(
      (await db.families.where('status').equals('draft').filter((f) => f.untouched === true).primaryKeys()).map(String),
    );
    const outbox = /** @type {WorkCounts['outbox']} */ ({});
    for (const s of OP_STATUSES) outbox[s] = await db.outbox.where('status').equals(s).count();
    const photos = /** @type {WorkCounts['photos']} */ ({});
    for (const s of PHOTO_STATUSES) photos[s] = await db.photos.where('status').equals(s).count();
    const marks = await db.marks
      .where('state')
      .anyOf('pending', 'rejected')
      .filter((m) => !(m.family_uuid && untouched.has(m.family_uuid)))
      .count();
    const unsent =
      families.draft - untouched.size + families.final + families.conflict + families.rejected + photos.pending + photos.sending + photos.rejected + marks;
    return { families, outbox, photos, marks, untouched: untouched.size, unsent };
  });
}
