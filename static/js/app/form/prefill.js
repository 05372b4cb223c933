// @ts-check
/**
 * What the app fills into a family's form because it knows it, without the DOM: Blok II's officers
 * and date for a new family, the answers about the building that another family of the same
 * building gave, and where a supervisor's note on an answer belongs. Every prefilled answer stays
 * editable; nothing here overwrites an answer the PPL gave.
 */

/** @typedef {import('./values.js').Item} Item */
/** @typedef {import('../../questionnaire/validate.js').Definition} Definition */
/** @typedef {import('../../questionnaire/relevance.js').FamilyRecord} FamilyRecord */
/** @typedef {import('../../sync/db.js').ReviewNote} ReviewNote */

/**
 * @typedef {object} Officer
 * @property {string} name
 * @property {string} code
 */

/**
 * @typedef {object} Team  who works on the family (the pull's `team`)
 * @property {Officer | null} ppl
 * @property {Officer | null} pml
 */

/**
 * The family-level variables of a definition, in order.
 * @param {Definition} definition
 * @returns {Item[]}
 */
export function familyVariables(definition) {
  return definition.blocks.flatMap((block) => block.items.filter((item) => item.type !== 'group'));
}

/**
 * @param {unknown} value
 * @returns {boolean}
 */
function answered(value) {
  return !(value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0));
}

/**
 * Blok II of a new family: 201 (date of the interview) is today, 202 the PPL and 204 the PML
 * (name and code). 203, the PML's checking date, is the PML's to write. Only empty answers are
 * filled; the record is not changed, a copy is returned with `filled`, the ids filled in.
 * @param {Definition} definition
 * @param {FamilyRecord} record
 * @param {{today: string, team: Team}} known
 * @returns {{record: FamilyRecord, filled: string[]}}
 */
export function prefillOfficers(definition, record, { today, team }) {
  /** @type {Record<string, unknown>} */
  const wanted = {};
  for (const variable of familyVariables(definition)) {
    const officer = variable.number === '202' ? team.ppl : variable.number === '204' ? team.pml : null;
    if (variable.number === '201' && variable.type === 'date') wanted[variable.id] = today;
    else if (officer && variable.id.endsWith('_nama')) wanted[variable.id] = officer.name;
    else if (officer && variable.id.endsWith('_kode')) wanted[variable.id] = officer.code;
  }
  const family = { ...(record.family ?? {}) };
  /** @type {string[]} */
  const filled = [];
  for (const [id, value] of Object.entries(wanted)) {
    if (!answered(value) || answered(family[id])) continue;
    family[id] = value;
    filled.push(id);
  }
  return { record: { ...record, family }, filled };
}

/**
 * The answers about the building (`building: true` in the definition) that `source` gave and
 * `record` does not have the same: what copying them would change.
 * @param {Definition} definition
 * @param {FamilyRecord} record
 * @param {FamilyRecord} source  another family of the same building
 * @returns {Record<string, unknown>}
 */
export function buildingAnswers(definition, record, source) {
  /** @type {Record<string, unknown>} */
  const copied = {};
  for (const variable of familyVariables(definition)) {
    if (variable.building !== true) continue;
    const value = source.family?.[variable.id];
    if (answered(value) && JSON.stringify(value) !== JSON.stringify(record.family?.[variable.id] ?? null)) {
      copied[variable.id] = structuredClone(value);
    }
  }
  return copied;
}

/**
 * Where each supervisor's note goes: the member row (by its line number, 401) and variable. A note
 * whose member line is not in the record is given to the member null (shown above the form).
 * @param {ReviewNote[]} notes
 * @param {FamilyRecord} record
 * @param {string | null} numberId  the member number variable (r401)
 * @returns {{variable: string, member: number | null, comment: string}[]}  member: the row index
 */
export function placeNotes(notes, record, numberId) {
  const members = record.members ?? [];
  return notes
    .filter((note) => note && typeof note.variable === 'string' && typeof note.comment === 'string' && note.comment.trim())
    .map((note) => {
      if (note.member === null || note.member === undefined) return { variable: note.variable, member: null, comment: note.comment };
      const index = members.findIndex((row, position) => (numberId ? row[numberId] : position + 1) === note.member);
      return index < 0
        ? { variable: '', member: null, comment: note.comment }
        : { variable: note.variable, member: index, comment: note.comment };
    });
}
