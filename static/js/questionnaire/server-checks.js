// @ts-check
/**
 * The checks the server adds to the definition's rules (households/form.py, `validate`), run on the
 * phone when a family is finalised, so that such a family is refused here, offline, with the field
 * to fix, instead of at sync: no text answer longer than 500 characters (150 for the names 108 and
 * 402, which the server stores in typed columns), no NUL or half of a UTF-16 surrogate pair (text
 * PostgreSQL cannot store), at most 60 members. Same limits, check names and messages as the server;
 * tests/households/test_server_checks_parity.py compares them. (The server's other two, Blok I's
 * area codes and unknown keys, cannot arise from this form: Blok I is filled from the SLS and the
 * form only writes the definition's variables.)
 */

/** @typedef {import('./validate.js').Definition} Definition */
/** @typedef {import('./validate.js').Issue} Issue */
/** @typedef {import('./relevance.js').FamilyRecord} FamilyRecord */

export const MAX_MEMBERS = 60;
export const MAX_TEXT = 500;
/** @type {Record<string, number>} limits by question number */
export const COLUMN_TEXT_LIMITS = { 108: 150, 402: 150 };

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * @param {string} text
 * @returns {boolean} whether PostgreSQL could not store it
 */
export function unstorable(text) {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

/**
 * Numbers by variable id, family and member variables alike.
 * @param {Definition} definition
 * @returns {Map<string, string | null>}
 */
function numbersById(definition) {
  /** @type {Map<string, string | null>} */
  const numbers = new Map();
  for (const block of definition.blocks) {
    for (const item of block.items) {
      for (const variable of item.type === 'group' ? item.variables ?? [] : [item]) {
        numbers.set(variable.id, variable.number ?? null);
      }
    }
  }
  return numbers;
}

/**
 * @param {Definition} definition
 * @param {FamilyRecord} record
 * @returns {Issue[]}
 */
export function serverChecks(definition, record) {
  const members = Array.isArray(record.members) ? record.members : [];
  if (members.length > MAX_MEMBERS) {
    return [
      {
        variable: 'members',
        number: null,
        member_index: null,
        check: 'max_members',
        severity: 'error',
        message: `Jumlah anggota keluarga lebih dari ${MAX_MEMBERS}; periksa data.`,
        message_en: `More than ${MAX_MEMBERS} family members; check the data.`,
      },
    ];
  }
  const numbers = numbersById(definition);
  /** @type {Issue[]} */
  const issues = [];
  /** @type {[number | null, Record<string, unknown>][]} */
  const rows = [[null, record.family ?? {}], ...members.map((member, index) => /** @type {[number, Record<string, unknown>]} */ ([index, member]))];
  for (const [index, row] of rows) {
    for (const [variable, value] of Object.entries(row)) {
      if (typeof value !== 'string') continue;
      const number = numbers.get(variable) ?? null;
      const limit = COLUMN_TEXT_LIMITS[number ?? ''] ?? MAX_TEXT;
      // Characters as Python counts them (code points), not UTF-16 units.
      if ([...value].length > limit) {
        issues.push({
          variable,
          number,
          member_index: index,
          check: 'max_length',
          severity: 'error',
          message: `Isian terlalu panjang (maksimal ${limit} karakter).`,
          message_en: `Answer too long (at most ${limit} characters).`,
        });
      }
      if (unstorable(value)) {
        issues.push({
          variable,
          number,
          member_index: index,
          check: 'character',
          severity: 'error',
          message: 'Isian memuat karakter yang tidak dapat disimpan; ketik ulang.',
          message_en: 'The answer holds a character that cannot be stored; type it again.',
        });
      }
    }
  }
  return issues;
}
