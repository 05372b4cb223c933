// @ts-check
/**
 * The rules of the VK1 list and the task list, without the DOM (node tests in lists.test.js):
 * what a row counts as for the filters and the "visited" count, the search, the likely duplicates
 * of a family the PPL wants to add, and the order of the tasks.
 */

/** @typedef {import('../ui/labels.js').Stage} Stage */
/** @typedef {'not_visited' | 'in_progress' | 'waiting' | 'returned' | 'done'} Category */

/** The filters of the VK1 list, in their order on screen ('' is all). */
export const FILTERS = /** @type {const} */ (['', 'not_visited', 'in_progress', 'waiting', 'returned']);

/**
 * Lower case, no accents, single spaces: "  Budi  SANTOSO " and "budi santoso" are the same name.
 * @param {unknown} text
 * @returns {string}
 */
export function normalize(text) {
  return String(text ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * A building number as typed ("007", " 7") compared as a number where it is one.
 * @param {unknown} value
 * @returns {string}
 */
export function buildingKey(value) {
  const text = String(value ?? '').trim();
  return /^\d+$/.test(text) ? String(Number(text)) : normalize(text);
}

/**
 * Which filter a VK1 row (or a family added in the field) falls under.
 * @param {string} rowStatus  the VK1 status (pending, found, moved, …), after the phone's mark
 * @param {Stage | null} stage  the family's, when one was started
 * @returns {Category}
 */
export function categoryOf(rowStatus, stage) {
  if (stage === null) return rowStatus === 'pending' ? 'not_visited' : 'done';
  if (stage === 'untouched' || stage === 'draft' || stage === 'conflict' || stage === 'rejected') return 'in_progress';
  if (stage === 'waiting') return 'waiting';
  if (stage === 'returned') return 'returned';
  return 'done';
}

/**
 * @typedef {object} Searchable
 * @property {string} name      head of the family
 * @property {string} address
 * @property {string} building  109, when a family was started
 * @property {number | null} line  the VK1 line number
 */

/**
 * Does the row match what the PPL typed? Every word must be found in the name or the address; a
 * number also matches the building number or the VK1 line number.
 * @param {string} query
 * @param {Searchable} row
 * @returns {boolean}
 */
export function matches(query, row) {
  const words = normalize(query).split(' ').filter(Boolean);
  if (words.length === 0) return true;
  const text = `${normalize(row.name)} ${normalize(row.address)}`;
  return words.every((word) => {
    if (/^\d+$/.test(word) && (buildingKey(word) === buildingKey(row.building) || (row.line !== null && Number(word) === row.line))) return true;
    return text.includes(word);
  });
}

/**
 * @template {{name: string, building: string}} T
 * The families and VK1 rows a new family may duplicate: the same head's name, or the same
 * building number.
 * @param {{name: string, building: string}} wanted
 * @param {T[]} candidates
 * @returns {T[]}
 */
export function likelyDuplicates(wanted, candidates) {
  const name = normalize(wanted.name);
  const building = buildingKey(wanted.building);
  return candidates.filter((c) => (name !== '' && normalize(c.name) === name) || (building !== '' && buildingKey(c.building) === building));
}

/** @type {Record<string, number>} most urgent first */
const URGENCY = { returned: 0, conflict: 1, rejected: 2 };

/**
 * Tasks, most urgent first: returns by the PML (the latest return first: it is the one the PML is
 * waiting for), then conflicts, then families the server refused; within a kind the latest first.
 * @template {{stage: Stage, return_id?: number | null, updated_at?: number}} T
 * @param {T[]} tasks
 * @returns {T[]}
 */
export function byUrgency(tasks) {
  return tasks.slice().sort(
    (a, b) =>
      (URGENCY[a.stage] ?? 9) - (URGENCY[b.stage] ?? 9) ||
      (b.return_id ?? 0) - (a.return_id ?? 0) ||
      (b.updated_at ?? 0) - (a.updated_at ?? 0),
  );
}

/**
 * "n of m visited": VK1 rows with a status other than pending (marked by the phone or on the server).
 * @param {string[]} rowStatuses
 * @returns {{done: number, total: number}}
 */
export function visited(rowStatuses) {
  return { done: rowStatuses.filter((s) => s !== 'pending').length, total: rowStatuses.length };
}
