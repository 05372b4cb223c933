// @ts-check
/**
 * The validator's issues on the page: under their fields, as error counts on the block tabs and
 * member cards, and in the summary at the top (counts, the issues without a shown field, and the
 * list of all, each a jump to where it is fixed). Where an issue goes, its text and the counts are
 * the pure functions of issue-list.js.
 */
import { button, el } from './elements.js';
import { countIssues, issueText, locateIssue, summaryText } from './issue-list.js';
import { TEXT } from './text.js';

/** @typedef {import('../../questionnaire/validate.js').Issue} Issue */
/** @typedef {import('./issue-list.js').Target} Target */
/** @typedef {import('./fields.js').Field} Field */
/** @typedef {import('./blocks.js').BlockParts} BlockParts */
/** @typedef {import('./members.js').MemberCard} MemberCard */

/**
 * @typedef {object} IssueView  the parts of the form that show issues
 * @property {Map<string, Field>} fields
 * @property {Map<string, BlockParts>} blocks
 * @property {Map<number, MemberCard>} cards
 * @property {HTMLElement} summary  .form-summary
 * @property {WeakMap<HTMLElement, Target>} jumps  the summary's buttons and where they lead
 * @property {{id: string, blockId: string | null} | null} group  the member group and its block
 */

/**
 * Where an issue is fixed, and its field when the issue is shown under it.
 * @param {Issue} issue
 * @param {IssueView} view
 * @returns {{target: Target, field: Field | null}}
 */
function locate(issue, view) {
  const { target, placed } = locateIssue(
    issue,
    (key) => {
      const field = view.fields.get(key);
      return field && { blockId: field.blockId, member: field.member, hidden: field.wrapper.hidden };
    },
    view.group,
  );
  return { target, field: placed && target.key !== null ? view.fields.get(target.key) ?? null : null };
}

/**
 * @param {Issue} issue
 * @param {Target} target
 * @param {WeakMap<HTMLElement, Target>} jumps
 * @returns {HTMLElement}
 */
function summaryItem(issue, target, jumps) {
  const item = el('li', `issue ${issue.severity}`);
  if (target.blockId) {
    const jump = button('button', 'summary-jump link', summaryText(issue, TEXT.member));
    jumps.set(jump, target);
    item.append(jump);
  } else {
    item.textContent = summaryText(issue, TEXT.member);
  }
  return item;
}

/**
 * Replaces the issues shown in `view` with `issues`.
 * @param {readonly Issue[]} issues
 * @param {IssueView} view
 */
export function renderIssues(issues, view) {
  const { fields, blocks, cards, summary, jumps } = view;
  for (const field of fields.values()) {
    field.issues.replaceChildren();
    field.wrapper.classList.remove('has-error', 'has-warning');
  }
  /** @type {{issue: Issue, target: Target}[]} */
  const located = [];
  /** @type {{issue: Issue, target: Target}[]} */
  const orphans = [];
  /** @type {{issue: Issue, target: Target}[]} */
  const placed = [];
  for (const issue of issues) {
    const { target, field } = locate(issue, view);
    located.push({ issue, target });
    if (field) {
      field.issues.append(el('p', `issue ${issue.severity}`, issueText(issue)));
      field.wrapper.classList.add(issue.severity === 'error' ? 'has-error' : 'has-warning');
      placed.push({ issue, target });
    } else {
      orphans.push({ issue, target });
    }
  }
  const counts = countIssues(located);
  for (const [blockId, parts] of blocks) {
    const count = counts.blockErrors.get(blockId) ?? 0;
    parts.count.hidden = count === 0;
    parts.count.textContent = String(count);
    parts.count.setAttribute('aria-label', `${count} ${TEXT.errorsInBlock}`);
  }
  for (const [index, card] of cards) {
    const count = counts.memberErrors.get(index) ?? 0;
    card.count.hidden = count === 0;
    card.count.textContent = String(count);
    card.count.setAttribute('aria-label', `${count} ${TEXT.errorsOfMember}`);
  }

  summary.replaceChildren();
  summary.hidden = false;
  summary.classList.toggle('ok', issues.length === 0);
  summary.append(el('h2', 'summary-title', TEXT.summaryTitle));
  if (issues.length === 0) {
    summary.append(el('p', 'summary-ok', TEXT.noIssues));
    return;
  }
  const line = el('p', 'summary-counts');
  for (const [count, text, first, className] of /** @type {const} */ ([
    [counts.errors, TEXT.errors(counts.errors), counts.firstError, 'error'],
    [counts.warnings, TEXT.warnings(counts.warnings), counts.firstWarning, 'warning'],
  ])) {
    if (count > 0 && first?.blockId) {
      const jump = button('button', `summary-jump summary-count ${className}`, text);
      jumps.set(jump, first);
      line.append(jump);
    } else {
      line.append(el('span', `summary-count ${className}`, text));
    }
  }
  summary.append(line);
  if (orphans.length) {
    const list = el('ul', 'summary-list summary-orphans');
    for (const { issue, target } of orphans) {
      list.append(summaryItem(issue, target, jumps));
    }
    summary.append(list);
  }
  if (placed.length) {
    const all = el('details', 'summary-all');
    all.append(el('summary', undefined, TEXT.allIssues(placed.length)));
    const list = el('ul', 'summary-list');
    for (const { issue, target } of placed) {
      list.append(summaryItem(issue, target, jumps));
    }
    all.append(list);
    summary.append(all);
  }
}
