// @ts-check
/**
 * VK1 marks made on the phone: the status of a pre-listed family (found, moved, deceased, not
 * found, duplicate) and families added in the field (`new`). One mark per prelist row (key
 * `row:<id>`) or per new family (key `new:<family uuid>`); marking again replaces it. A mark that
 * names a family is sent only after the server acknowledged that family, and becomes `sent` only
 * when the server answered `ok` for this exact version of it (`seq`). The note and a new family's
 * head name and address are sealed at rest (sealing.js), opened only for the request.
 */
import { backoffDelay } from './backoff.js';
import { requireVault, sealPrelistRow } from './sealing.js';

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./db.js').MarkRow} MarkRow */
/** @typedef {import('./vault.js').Vault} Vault */
/** @typedef {import('./vault.js').Sealed} Sealed */

/**
 * @typedef {object} SealedMarkItem  A mark as read in `takeMarks`' transaction.
 * @property {number | null} id
 * @property {MarkRow['status']} status
 * @property {string | null} family
 * @property {Sealed | ''} note
 * @property {Sealed | null} record   a new family's record (its head name and address are sent)
 */

export const MARK_STATUSES = /** @type {const} */ (['found', 'moved', 'deceased', 'not_found', 'duplicate', 'new']);
export const MAX_MARKS = 200;

/**
 * Marks a pre-listed row, or (rowId null, status `new`) a family added in the field.
 * @param {RegsosekDB} db
 * @param {{rowId: number | null, status: MarkRow['status'], familyUuid?: string | null, note?: string | Sealed}} mark
 * @param {number} now
 * @param {Vault | null} [vault]  seals a note given in the clear (before the transaction); without a
 *   note, or with one sealed already, nothing is awaited before the transaction, so this may run
 *   inside the caller's
 * @returns {Promise<MarkRow>}
 */
export async function setMark(db, { rowId, status, familyUuid = null, note = '' }, now, vault = null) {
  if (!MARK_STATUSES.includes(status)) throw new Error(`unknown VK1 status ${status}`);
  if (status === 'new' ? !familyUuid : rowId === null) throw new Error('a mark names a prelist row, or a new family');
  if (status === 'found' && !familyUuid) throw new Error('a found family is linked to its record');
  const key = status === 'new' ? `new:${familyUuid}` : `row:${rowId}`;
  /** @type {Sealed | ''} */
  const sealedNote = !note ? '' : typeof note === 'string' ? await requireVault(vault).seal(note) : note;
  return db.transaction('rw', db.marks, async () => {
    const existing = await db.marks.get(key);
    /** @type {MarkRow} */
    const row = {
      key,
      row_id: status === 'new' ? null : rowId,
      status,
      family_uuid: status === 'found' || status === 'new' ? familyUuid : null,
      note: sealedNote,
      state: 'pending',
      seq: (existing?.seq ?? 0) + 1,
      attempts: 0,
      next_attempt_at: now,
      message: null,
      updated_at: now,
    };
    await db.marks.put(row);
    return row;
  });
}

/**
 * The mark of each prelist row of an SLS (and the new families), for display.
 * @param {RegsosekDB} db
 * @returns {Promise<Map<string, MarkRow>>}
 */
export async function marksByKey(db) {
  const rows = await db.marks.toArray();
  return new Map(rows.map((row) => [row.key, row]));
}

/**
 * Due pending marks whose family (if any) the server has, with what to send (still sealed: open
 * it with `openMarkItems` once the transaction is over).
 * @param {RegsosekDB} db
 * @param {{now: number, force?: boolean}} options
 * @returns {Promise<{marks: MarkRow[], payload: SealedMarkItem[]}>}
 */
export async function takeMarks(db, { now, force = false }) {
  return db.transaction('r', db.marks, db.families, async () => {
    const due = await db.marks
      .where('[state+next_attempt_at]')
      .between(['pending', -Infinity], ['pending', force ? Infinity : now], true, true)
      .toArray();
    /** @type {MarkRow[]} */
    const marks = [];
    /** @type {SealedMarkItem[]} */
    const payload = [];
    for (const mark of due) {
      if (marks.length >= MAX_MARKS) break;
      const family = mark.family_uuid ? await db.families.get(mark.family_uuid) : undefined;
      if (mark.family_uuid && (family === undefined || family.server_revision === null)) continue;
      marks.push(mark);
      payload.push({
        id: mark.row_id,
        status: mark.status,
        family: mark.family_uuid,
        note: mark.note,
        record: mark.status === 'new' && family ? family.record : null,
      });
    }
    return { marks, payload };
  });
}

/**
 * The marks as the server takes them: the note, and for a new family its head (108) and address (107).
 * @param {Vault | null} vault
 * @param {SealedMarkItem[]} items
 * @returns {Promise<Record<string, unknown>[]>}
 */
export async function openMarkItems(vault, items) {
  return Promise.all(
    items.map(async (item) => {
      const note = item.note ? String(await requireVault(vault).open(item.note)) : '';
      const base = { id: item.id, status: item.status, family: item.family, note };
      if (item.status !== 'new') return base;
      const record = item.record ? await requireVault(vault).open(item.record) : null;
      const head = record?.family?.r108;
      return { ...base, head_name: typeof head === 'string' ? head : '', address: record?.family?.r107 ?? '' };
    }),
  );
}

/**
 * Writes the server's answers. `ok` → sent (and the prelist row as the server now has it);
 * `family_missing` → pending again; `invalid` / `forbidden` → rejected with the server's reason.
 * A mark changed while it was in flight stays pending.
 * @param {RegsosekDB} db
 * @param {MarkRow[]} marks
 * @param {any[]} results
 * @param {{now: number, random: () => number, vault?: Vault | null}} options  vault seals the rows the server sends back
 * @returns {Promise<void>}
 */
export async function applyMarkResults(db, marks, results, { now, random, vault = null }) {
  // The VK1 rows in the answers carry head names and addresses: sealed before the transaction.
  const answers = await Promise.all(
    results.map(async (r) =>
      r && r.result === 'ok' && r.row && typeof r.row.id === 'number' ? { ...r, row: await sealPrelistRow(requireVault(vault), r.row) } : r,
    ),
  );
  await db.transaction('rw', db.marks, db.prelist, async () => {
    for (const [index, sent] of marks.entries()) {
      const answer = answers.find((r) => r && r.index === index);
      const current = await db.marks.get(sent.key);
      if (current === undefined || current.seq !== sent.seq) continue;
      if (answer?.result === 'ok') {
        current.state = 'sent';
        current.message = null;
        if (answer.row && typeof answer.row.id === 'number') await db.prelist.put(answer.row);
      } else if (answer?.result === 'invalid' || answer?.result === 'forbidden') {
        current.state = 'rejected';
        current.message = typeof answer.message === 'string' ? answer.message : null;
      } else {
        current.attempts += 1;
        current.next_attempt_at = now + backoffDelay(current.attempts, random);
        current.message = typeof answer?.message === 'string' ? answer.message : null;
      }
      current.updated_at = now;
      await db.marks.put(current);
    }
  });
}

/**
 * @param {RegsosekDB} db
 * @returns {Promise<number>} marks the server does not have yet
 */
export async function countUnsentMarks(db) {
  return db.marks.where('state').anyOf('pending', 'rejected').count();
}
