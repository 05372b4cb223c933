// @ts-check
/**
 * VK1 marks made on the phone: the status of a pre-listed family (found, moved, deceased, not
 * found, duplicate) and families added in the field (`new`). One mark per prelist row (key
 * `row:<id>`) or per new family (key `new:<family uuid>`); marking again replaces it. A mark that
 * names a family is sent only after the server acknowledged that family, and becomes `sent` only
 * when the server answered `ok` for this exact version of it (`seq`).
 */
import { backoffDelay } from './backoff.js';

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./db.js').MarkRow} MarkRow */

export const MARK_STATUSES = /** @type {const} */ (['found', 'moved', 'deceased', 'not_found', 'duplicate', 'new']);
export const MAX_MARKS = 200;

/**
 * Marks a pre-listed row, or (rowId null, status `new`) a family added in the field.
 * @param {RegsosekDB} db
 * @param {{rowId: number | null, status: MarkRow['status'], familyUuid?: string | null, note?: string}} mark
 * @param {number} now
 * @returns {Promise<MarkRow>}
 */
export async function setMark(db, { rowId, status, familyUuid = null, note = '' }, now) {
  if (!MARK_STATUSES.includes(status)) throw new Error(`unknown VK1 status ${status}`);
  if (status === 'new' ? !familyUuid : rowId === null) throw new Error('a mark names a prelist row, or a new family');
  if (status === 'found' && !familyUuid) throw new Error('a found family is linked to its record');
  const key = status === 'new' ? `new:${familyUuid}` : `row:${rowId}`;
  return db.transaction('rw', db.marks, async () => {
    const existing = await db.marks.get(key);
    /** @type {MarkRow} */
    const row = {
      key,
      row_id: status === 'new' ? null : rowId,
      status,
      family_uuid: status === 'found' || status === 'new' ? familyUuid : null,
      note,
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
 * Due pending marks whose family (if any) the server has, with the payload to send.
 * @param {RegsosekDB} db
 * @param {{now: number, force?: boolean}} options
 * @returns {Promise<{marks: MarkRow[], payload: Record<string, unknown>[]}>}
 */
export async function takeMarks(db, { now, force = false }) {
  return db.transaction('r', db.marks, db.families, async () => {
    const due = await db.marks
      .where('[state+next_attempt_at]')
      .between(['pending', -Infinity], ['pending', force ? Infinity : now], true, true)
      .toArray();
    /** @type {MarkRow[]} */
    const marks = [];
    /** @type {Record<string, unknown>[]} */
    const payload = [];
    for (const mark of due) {
      if (marks.length >= MAX_MARKS) break;
      const family = mark.family_uuid ? await db.families.get(mark.family_uuid) : undefined;
      if (mark.family_uuid && (family === undefined || family.server_revision === null)) continue;
      marks.push(mark);
      const head = family?.record?.family?.r108;
      payload.push({
        id: mark.row_id,
        status: mark.status,
        family: mark.family_uuid,
        note: mark.note,
        ...(mark.status === 'new' ? { head_name: typeof head === 'string' ? head : '', address: family?.record?.family?.r107 ?? '' } : {}),
      });
    }
    return { marks, payload };
  });
}

/**
 * Writes the server's answers. `ok` → sent (and the prelist row as the server now has it);
 * `family_missing` → pending again; `invalid` / `forbidden` → rejected with the server's reason.
 * A mark changed while it was in flight stays pending.
 * @param {RegsosekDB} db
 * @param {MarkRow[]} marks
 * @param {any[]} results
 * @param {{now: number, random: () => number}} options
 * @returns {Promise<void>}
 */
export async function applyMarkResults(db, marks, results, { now, random }) {
  await db.transaction('rw', db.marks, db.prelist, async () => {
    for (const [index, sent] of marks.entries()) {
      const answer = results.find((r) => r && r.index === index);
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
