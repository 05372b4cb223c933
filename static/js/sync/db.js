// @ts-check
/**
 * The phone's database (IndexedDB through Dexie): one database "regsosek", numbered schema
 * versions. A released version is never edited: a change adds `db.version(n + 1)` with its own
 * `.upgrade()` step, so a phone that skipped releases still upgrades in order (docs/pwa.md).
 *
 * Rows hold only plain data. The personal parts of a row are sealed (vault.js: AES-GCM under the
 * app lock's data key) and stored as `Sealed` values; everything else (states, revisions, ids,
 * times, counts) stays readable, so the sync logic can select and compare inside a transaction
 * without the key. Times are milliseconds since the epoch (`clock.now()`), except values the
 * server sends, which are kept as it sent them.
 */
import Dexie from 'dexie';

/** @typedef {import('./vault.js').Sealed} Sealed */

export const DB_NAME = 'regsosek';

/** Every store, in the order `wipeLocalData()` clears them. */
export const STORE_NAMES = /** @type {const} */ ([
  'meta',
  'definitions',
  'sls',
  'prelist',
  'families',
  'outbox',
  'photos',
  'geotags',
  'marks',
  'retired',
]);

/**
 * @typedef {'draft' | 'final' | 'sent' | 'conflict' | 'rejected' | 'returned'} FamilyStatus
 * draft: saved on the phone only; final: finalised, waiting in the outbox; sent: the server
 * acknowledged this exact content; conflict: the server copy moved on (both copies kept);
 * rejected: invalid or forbidden (errors / message kept); returned: a supervisor returned it.
 */

/** @typedef {'pending' | 'sending' | 'sent' | 'rejected' | 'auth'} OpStatus */
/** @typedef {'pending' | 'sending' | 'sent' | 'rejected'} PhotoStatus */

/**
 * @typedef {object} RecordError  One issue of an invalid family, as the server sends it.
 * @property {string} [variable]
 * @property {string | null} [number]
 * @property {number | null} [member_index]
 * @property {string} [check]
 * @property {string} [severity]
 * @property {string} message
 * @property {string} [message_en]
 */

/**
 * @typedef {object} ServerFamily  A family as the server sends it (pull, or a conflict's copy).
 * @property {string} client_uuid
 * @property {number} sls
 * @property {number} revision
 * @property {string} status            the server's workflow status (submitted, returned, approved)
 * @property {string | null} [review_comment]
 * @property {ReviewNote[] | null} [review_notes]  returned: the supervisor's comments on single answers
 * @property {number | null} [return_id]   returned: the return this copy carries (a PPL's resend must answer it)
 * @property {boolean} [photo_required]
 * @property {string | null} [geotag]
 * @property {string} [updated_at]
 * @property {Record<string, any>} record
 */

/**
 * @typedef {Omit<ServerFamily, 'record' | 'review_comment' | 'review_notes'> & {record: Sealed, review_comment?: Sealed | null, review_notes?: Sealed | null}} StoredServerFamily
 * A server copy as the phone keeps it (a conflict's copy): the answers, the comment and the notes sealed.
 */

/**
 * @typedef {object} ReviewNote  A supervisor's comment on one answer of a returned family.
 * @property {string} variable       the variable id (e.g. `r302`)
 * @property {number | null} member  the member's line number (401) for a Blok IV answer, else null
 * @property {string} comment
 */

/**
 * @typedef {object} FamilyRow  The working copy of one family.
 * @property {string} client_uuid
 * @property {number} sls
 * @property {Sealed} record                  the answers {form, version, family, members}, sealed with their keyed hash
 * @property {number | null} base_revision     the server revision this copy was edited from
 * @property {number | null} server_revision   the last revision the server named (null: never acknowledged)
 * @property {string | null} server_status
 * @property {FamilyStatus} status
 * @property {RecordError[] | null} errors     invalid: the server's errors per variable
 * @property {string | null} message           conflict / forbidden / other: the server's message
 * @property {StoredServerFamily | null} server  conflict: the server's copy, kept beside the local one
 * @property {Sealed | null} review_comment    the supervisor's comment (free text: sealed)
 * @property {Sealed | null} [review_notes]    the supervisor's comments per answer (ReviewNote[], sealed)
 * @property {string | null} [interview_started_at]   ISO 8601: the PPL's first answer of a new family
 * @property {boolean} [untouched]   a new draft nobody has answered anything in yet (Blok I from the
 *   assignment only): not unsent work, discarded when left so (outbox.js, `discardDraft`)
 * @property {string | null} [interview_finished_at]  ISO 8601: when the PPL finalised it
 * @property {string | null} geotag_uuid
 * @property {number} edit_seq                 bumped by every local save; an answer for an older one is stale
 * @property {SentCopy[] | SentCopy | null} [unacked]  every content sent since the server last
 *   acknowledged one as a revision (an older phone kept one copy, not a list): the server may hold
 *   any of them, so a server copy equal to one of them is ours, not a conflict (docs/pwa.md)
 * @property {number | null} [return_id]       the latest return by a supervisor this phone knows of
 * @property {number | null} [answered_return] the return the PPL had seen when finalising this content
 * @property {string | null} [reject_code]    rejected by the phone itself or with a whole request
 *   (e.g. `too_large`): the UI words the code (ui/labels.js)
 * @property {'changed' | 'returned' | null} [conflict_reason]  conflict: someone changed the answers,
 *   or a supervisor returned the family with a comment the PPL has not seen yet
 * @property {number | null} [approved_seen_at]  when this phone first saw the family approved (retention.js)
 * @property {boolean} [untouched]           a draft nothing was typed into yet (only what the app
 *   filled in when it was started): not unsent work; every save that does not say so clears it
 * @property {number} updated_at
 */

/**
 * @typedef {object} SentCopy  A content as it left the phone.
 * @property {number} seq
 * @property {Sealed} record
 */

/**
 * @typedef {object} OutboxOp  At most one per family (unique `client_uuid`).
 * @property {string} op_id
 * @property {string} client_uuid
 * @property {OpStatus} status
 * @property {number} seq                      the family's edit_seq when it was (re-)finalised
 * @property {number | null} sending_seq       the edit_seq in the request now in flight
 * @property {number} attempts
 * @property {number} next_attempt_at
 * @property {string | null} last_error
 * @property {number} created_at
 * @property {number | null} sent_at
 */

/**
 * @typedef {object} PhotoRow
 * @property {string} client_uuid
 * @property {string} family_uuid
 * @property {Sealed} sealed                  the compressed JPEG's bytes
 * @property {string} [type]                   its media type (image/jpeg)
 * @property {string} sha256                   hex, of the JPEG's bytes
 * @property {number} size
 * @property {PhotoStatus} status
 * @property {number} attempts
 * @property {number} next_attempt_at
 * @property {string | null} last_error
 * @property {number} created_at
 */

/**
 * @typedef {object} GeotagRow  One per dwelling; families of one building share it.
 * @property {string} client_uuid
 * @property {number} sls
 * @property {string} building_no
 * @property {Sealed} sealed                   {lat, lon, accepted_reason}
 * @property {number} accuracy_m
 * @property {string} captured_at              ISO 8601 with the offset
 * @property {string} provider
 */

/**
 * @typedef {Omit<GeotagRow, 'sealed'> & {lat: number, lon: number, accepted_reason: string}} Geotag
 * A geotag in the clear: as the GPS gives it, the server sends it and the screens show it.
 */

/**
 * @typedef {object} MarkRow  A VK1 mark made on the phone (marks.js).
 * @property {string} key                      `row:<prelist id>` or `new:<family uuid>`
 * @property {number | null} row_id
 * @property {'found' | 'moved' | 'deceased' | 'not_found' | 'duplicate' | 'new'} status
 * @property {string | null} family_uuid       found / new: the family's record
 * @property {Sealed | ''} note                the PPL's note (sealed), '' when none
 * @property {'pending' | 'sent' | 'rejected'} state
 * @property {number} seq                      bumped by every change; an answer for an older one is stale
 * @property {number} attempts
 * @property {number} next_attempt_at
 * @property {string | null} message           the server's reason (rejected) or why it waits
 * @property {number} updated_at
 */

/**
 * @typedef {object} DefinitionRow
 * @property {string} form
 * @property {string} version
 * @property {string} sha256
 * @property {unknown} definition
 * @property {number} fetched_at
 */

/** @typedef {{key: string, value: any}} MetaRow */
/** @typedef {{id: number, [key: string]: any}} SlsRow */
/**
 * @typedef {{id: number, sls: number, line_no?: number, status?: string, family?: string | null, sealed?: Sealed, [key: string]: any}} PrelistRow
 * A VK1 row; `sealed` holds {head_name, address}.
 */
/**
 * @typedef {{id: number, sls: number, head_name?: string, address?: string, [key: string]: any}} PrelistEntry
 * A VK1 row in the clear (the pull, the screens).
 */

/**
 * @typedef {object} RetiredRow  What stays of a family approved and removed from the phone (retention.js).
 * @property {string} client_uuid
 * @property {number} sls
 * @property {string} server_status
 * @property {number} retired_at
 */

/**
 * @typedef {Dexie & {
 *   meta: Dexie.Table<MetaRow, string>,
 *   definitions: Dexie.Table<DefinitionRow, [string, string]>,
 *   sls: Dexie.Table<SlsRow, number>,
 *   prelist: Dexie.Table<PrelistRow, number>,
 *   families: Dexie.Table<FamilyRow, string>,
 *   outbox: Dexie.Table<OutboxOp, string>,
 *   photos: Dexie.Table<PhotoRow, string>,
 *   geotags: Dexie.Table<GeotagRow, string>,
 *   marks: Dexie.Table<MarkRow, string>,
 *   retired: Dexie.Table<RetiredRow, string>,
 * }} RegsosekDB
 */

/**
 * @typedef {object} IndexedDBDeps  Injected in tests (fake-indexeddb); the browser's otherwise.
 * @property {IDBFactory} [indexedDB]
 * @property {typeof IDBKeyRange} [IDBKeyRange]
 */

/**
 * Opens (and upgrades) the database. The schema lines are the released versions: append, never edit.
 * @param {string} [name]
 * @param {IndexedDBDeps} [deps]
 * @returns {RegsosekDB}
 */
export function openDatabase(name = DB_NAME, deps = {}) {
  /** @type {{indexedDB?: IDBFactory, IDBKeyRange?: typeof IDBKeyRange}} */
  const options = {};
  if (deps.indexedDB) options.indexedDB = deps.indexedDB;
  if (deps.IDBKeyRange) options.IDBKeyRange = deps.IDBKeyRange;
  const db = /** @type {RegsosekDB} */ (new Dexie(name, options));
  // Version 1 (first release). Meta keys: device_id, token, token_expires_at, user, cursor,
  // last_sync_at, server_time, questionnaire, auth_paused, wipe_required, wipe_report,
  // storage_persisted.
  db.version(1).stores({
    meta: 'key',
    definitions: '[form+version]',
    sls: 'id',
    prelist: 'id, sls',
    families: 'client_uuid, sls, status',
    outbox: 'op_id, &client_uuid, status, [status+next_attempt_at]',
    photos: 'client_uuid, family_uuid, status, [status+next_attempt_at]',
    geotags: 'client_uuid, sls, [sls+building_no]',
  });
  // Version 2: VK1 marks made on the phone (marks.js). Adds a store; nothing to convert.
  db.version(2).stores({
    marks: 'key, state, family_uuid, [state+next_attempt_at]',
  });
  // Version 3: the app lock. Personal parts of rows are sealed (vault.js); a Dexie upgrade cannot
  // do that (WebCrypto is not IndexedDB work), so rows of version 2 are sealed by
  // `sealLegacyRows` (sealing.js) once the PPL set a PIN. Adds `retired`: what stays of a family
  // approved and removed from the phone (retention.js). Meta keys added: keyring, pin_failures.
  db.version(3).stores({
    retired: 'client_uuid, sls',
  });
  return db;
}

/**
 * @param {RegsosekDB} db
 * @param {string} key
 * @returns {Promise<any>} the value, or undefined
 */
export async function getMeta(db, key) {
  const row = await db.meta.get(key);
  return row === undefined ? undefined : row.value;
}

/**
 * @param {RegsosekDB} db
 * @param {string} key
 * @param {any} value  undefined deletes the key
 * @returns {Promise<void>}
 */
export async function setMeta(db, key, value) {
  if (value === undefined) {
    await db.meta.delete(key);
  } else {
    await db.meta.put({ key, value });
  }
}
