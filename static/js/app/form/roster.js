// @ts-check
/**
 * The member roster without the DOM: a card's title, what the removal question names, the rows
 * after a removal (renumbered), which cards stay open, and which markers the roster shows.
 * static/js/app/form/members.js builds the cards with these.
 */
import { displayText } from './values.js';

/** @typedef {import('../../questionnaire/validate.js').Row} Row */

/**
 * A member card's title: "<number>. <name>", the number from the number variable (401) or the
 * position, the name (402) trimmed, or `unnamed` while it is empty.
 * @param {Row | undefined} member
 * @param {number} index  0-based
 * @param {string | null} numberId
 * @param {string | null} nameId
 * @param {string} unnamed
 * @returns {string}
 */
export function memberTitle(member, index, numberId, nameId, unnamed) {
  const row = member ?? {};
  const number = numberId ? row[numberId] : undefined;
  const name = nameId ? row[nameId] : undefined;
  const shownName = typeof name === 'string' && name.trim() ? name.trim() : unnamed;
  return `${displayText(number ?? index + 1)}. ${shownName}`;
}

/**
 * The number and name the removal question names ('' when the member has no name).
 * @param {Row} member
 * @param {number} index  0-based
 * @param {string | null} numberId
 * @param {string | null} nameId
 * @returns {{number: unknown, name: string}}
 */
export function removalSubject(member, index, numberId, nameId) {
  const name = nameId && typeof member[nameId] === 'string' ? String(member[nameId]) : '';
  const number = numberId ? member[numberId] ?? index + 1 : index + 1;
  return { number, name };
}

/**
 * The member rows without the one at `index`; the rows after it move up one place and are
 * numbered by their new position (401 = position + 1). The rows before it are the same objects,
 * the renumbered ones copies; the input is not changed.
 * @param {readonly Row[]} members
 * @param {number} index  0-based
 * @param {string | null} numberId
 * @returns {Row[]}
 */
export function withoutMember(members, index, numberId) {
  return members
    .filter((_row, position) => position !== index)
    .map((row, position) => (position >= index && numberId ? { ...row, [numberId]: position + 1 } : row));
}

/**
 * The open cards after the one at `index` was removed: the ones after it move up one place.
 * @param {Iterable<number>} open
 * @param {number} index
 * @returns {Set<number>}
 */
export function openAfterRemoval(open, index) {
  return new Set([...open].filter((i) => i !== index).map((i) => (i > index ? i - 1 : i)));
}

/**
 * Which of the roster's markers are hidden: "skipped" while the group is skipped and rows are
 * left to remove, "no members yet" while it is asked and empty, "add" while it is skipped.
 * @param {boolean} groupRelevant
 * @param {number} count  member rows
 * @returns {{skipped: boolean, empty: boolean, add: boolean}}
 */
export function rosterHidden(groupRelevant, count) {
  return { skipped: groupRelevant || count === 0, empty: !groupRelevant || count > 0, add: !groupRelevant };
}
