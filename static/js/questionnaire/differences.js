// @ts-check
/**
 * Where two records of one family differ, by variable, for telling the PPL plainly what a choice
 * discards (the conflict screen's "use the server's copy"). Pure: no DOM, no storage.
 */
import { memberGroup } from './relevance.js';

/** @typedef {import('./validate.js').Definition} Definition */
/** @typedef {import('./validate.js').Item} Item */
/** @typedef {import('./relevance.js').FamilyRecord} FamilyRecord */

/**
 * @typedef {object} Difference
 * @property {string} variable
 * @property {string | null} number     the variable's number on the paper form
 * @property {string} label              in the app's language
 * @property {number | null} member      1-based line of the member, null for a family variable
 */

/**
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The variables whose answers differ between `mine` and `theirs`, in the definition's order; a
 * member line present on one side only is listed as the member group itself.
 * @param {Definition} definition
 * @param {FamilyRecord} mine
 * @param {FamilyRecord} theirs
 * @param {'id' | 'en'} [language]
 * @returns {Difference[]}
 */
export function recordDifferences(definition, mine, theirs, language = 'id') {
  /** @param {Item} item */
  const label = (item) => (language === 'en' ? item.label_en : item.label_id);
  /** @type {Difference[]} */
  const out = [];
  const group = memberGroup(definition);
  for (const block of definition.blocks) {
    for (const item of block.items) {
      if (item.type === 'group') continue;
      if (!same(mine.family?.[item.id], theirs.family?.[item.id])) {
        out.push({ variable: item.id, number: item.number ?? null, label: label(item), member: null });
      }
    }
  }
  if (group) {
    const lines = Math.max(mine.members?.length ?? 0, theirs.members?.length ?? 0);
    for (let index = 0; index < lines; index += 1) {
      const a = mine.members?.[index];
      const b = theirs.members?.[index];
      if (!a || !b) {
        out.push({ variable: group.group.id, number: group.group.number ?? null, label: label(group.group), member: index + 1 });
        continue;
      }
      for (const item of group.group.variables ?? []) {
        if (!same(a[item.id], b[item.id])) {
          out.push({ variable: item.id, number: item.number ?? null, label: label(item), member: index + 1 });
        }
      }
    }
  }
  return out;
}
