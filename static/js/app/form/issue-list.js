// @ts-check
/**
 * The validator's issues on the form, without the DOM: the field an issue belongs to, where it is
 * fixed, its text, the error counts per block and per member, and which shown issues an edit or a
 * removed member makes stale. static/js/app/form/issues.js shows them.
 */
import { fieldKey } from './values.js';

/** @typedef {import('../../questionnaire/validate.js').Issue} Issue */

/**
 * @typedef {object} Target  where an issue is fixed
 * @property {string | null} blockId
 * @property {number | null} member
 * @property {string | null} key  a field key, or null for the roster / a member card
 */

/**
 * @typedef {object} FieldPlace  what locating an issue needs to know of a rendered field
 * @property {string} blockId
 * @property {number | null} member
 * @property {boolean} hidden  its question is skipped
 */

/**
 * @typedef {object} IssueCounts
 * @property {Map<string, number>} blockErrors  errors per block (only issues with a block)
 * @property {Map<number, number>} memberErrors  errors per member row (only issues with a block)
 * @property {number} errors  all errors
 * @property {number} warnings  all other issues
 * @property {Target | null} firstError
 * @property {Target | null} firstWarning
 */

/**
 * The key of the field an issue names (`f-<id>` or `m<index>-<id>`).
 * @param {Issue} issue
 * @returns {string}
 */
export function issueKey(issue) {
  return fieldKey(issue.variable, issue.member_index);
}

/**
 * Where an issue is fixed, and whether it is shown under its field (the field exists and is shown).
 * The field of a skipped question gives its block and member only; an issue of a member row or of
 * the member group itself points at the roster; any other (an unknown key) has no place.
 * @param {Issue} issue
 * @param {(key: string) => FieldPlace | null | undefined} fieldAt
 * @param {{id: string, blockId: string | null} | null} group  the member group and its block
 * @returns {{target: Target, placed: boolean}}
 */
export function locateIssue(issue, fieldAt, group) {
  const key = issueKey(issue);
  const field = fieldAt(key) ?? null;
  if (field && !field.hidden) {
    return { target: { blockId: field.blockId, member: field.member, key }, placed: true };
  }
  if (field) {
    return { target: { blockId: field.blockId, member: field.member, key: null }, placed: false };
  }
  if (issue.member_index !== null || (group && issue.variable === group.id)) {
    return { target: { blockId: group?.blockId ?? null, member: issue.member_index, key: null }, placed: false };
  }
  return { target: { blockId: null, member: null, key: null }, placed: false };
}

/**
 * "<number>: <message>"; the built-in messages already start with "<number> <label>" and
 * are shown as they are.
 * @param {Issue} issue
 * @returns {string}
 */
export function issueText(issue) {
  return issue.number && !issue.message.startsWith(`${issue.number} `)
    ? `${issue.number}: ${issue.message}`
    : issue.message;
}

/**
 * An issue's line in the summary: "<member word> <n>: " before a member row's issue.
 * @param {Issue} issue
 * @param {string} memberWord  "Anggota"
 * @returns {string}
 */
export function summaryText(issue, memberWord) {
  const prefix = issue.member_index !== null ? `${memberWord} ${issue.member_index + 1}: ` : '';
  return prefix + issueText(issue);
}

/**
 * Error counts for the block tabs and member cards, the totals, and the first error and warning
 * (in the validator's order) for the summary's jumps.
 * @param {readonly {issue: Issue, target: Target}[]} located
 * @returns {IssueCounts}
 */
export function countIssues(located) {
  /** @type {IssueCounts} */
  const counts = {
    blockErrors: new Map(), memberErrors: new Map(), errors: 0, warnings: 0, firstError: null, firstWarning: null,
  };
  for (const { issue, target } of located) {
    const error = issue.severity === 'error';
    if (error && target.blockId) {
      counts.blockErrors.set(target.blockId, (counts.blockErrors.get(target.blockId) ?? 0) + 1);
      if (target.member !== null) {
        counts.memberErrors.set(target.member, (counts.memberErrors.get(target.member) ?? 0) + 1);
      }
    }
    if (error) {
      counts.errors += 1;
      counts.firstError ??= target;
    } else {
      counts.warnings += 1;
      counts.firstWarning ??= target;
    }
  }
  return counts;
}

/**
 * The shown issues that still hold after the field `changedKey` was edited: not its own, and
 * none of a field the edit hid.
 * @param {readonly Issue[]} issues
 * @param {string} changedKey
 * @param {(key: string) => boolean} hidden  the field with this key exists and is hidden
 * @returns {Issue[]}
 */
export function issuesAfterEdit(issues, changedKey, hidden) {
  return issues.filter((issue) => {
    const key = issueKey(issue);
    return key !== changedKey && !hidden(key);
  });
}

/**
 * The shown issues that still hold after the member at `index` was removed: those of the family
 * and of the rows before it (the later rows moved, so their issues point at the wrong row).
 * @param {readonly Issue[]} issues
 * @param {number} index
 * @returns {Issue[]}
 */
export function issuesBeforeMember(issues, index) {
  return issues.filter((issue) => issue.member_index === null || issue.member_index < index);
}
