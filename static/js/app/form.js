// @ts-check
/**
 * The family questionnaire as a phone form, built from the definition
 * (households/questionnaire/definitions/*.json). One block at a time behind a sticky row of
 * block tabs; the member group of Blok IV is a list of collapsible member cards.
 *
 * Skipped questions are hidden and their answers dropped from the record after every edit
 * (questionnaire/relevance.js, the validator's semantics). The form never validates by
 * itself: the caller runs validate() (e.g. in onChange) and passes the issues to showIssues().
 *
 * DOM names (stable, for the app and end-to-end tests):
 * - a family variable's control: id and name `f-<id>` (e.g. `f-r101`), `data-variable="<id>"`;
 *   a member variable's: id and name `m<index>-<id>` (e.g. `m0-r402`), plus `data-member="<index>"`.
 *   Radio buttons and checkboxes share the name; each has id `<name>-<code>` (e.g. `f-r111-2`)
 *   and value `<code>`. The field around a control is `#fld-<name>` (class `field`).
 * - block tabs: `button.block-tab[data-block="I"]` (count badge `.tab-count`); blocks:
 *   `section.form-block[data-block="I"]`; `button.block-prev` / `button.block-next` in each block.
 * - members: `details.member-card[data-member="0"]`, `button.add-member`,
 *   `button.remove-member[data-member="0"]` (asks confirm()).
 * - issues: `.issue.error` / `.issue.warning` under a field, the summary `.form-summary`
 *   (its buttons `.summary-jump`).
 * - a supervisor's notes: `.review-note` in the field (`#review-<name>`), `.card-note` on the member
 *   card, the list `.review-summary` at the top (its buttons `.review-jump`).
 *
 * Text from users and from the definition is always set with textContent, never as HTML.
 *
 * This module holds the form's state (the record, its relevance, the shown block and issues) and
 * its events; the parts are in static/js/app/form/, each DOM module beside a pure one that node
 * tests cover:
 * - fields.js builds, reads and writes a variable's control; values.js: names, control kinds,
 *   text hints, parsing, display and equality of values;
 * - members.js the roster's cards; roster.js: titles, removal and renumbering, open cards;
 * - blocks.js the tabs and sections; navigation.js: available blocks, neighbours, relevance of fields;
 * - issues.js the issues under fields, the counts and the summary; issue-list.js: where an issue
 *   is fixed, its text, the counts, which issues an edit or a removal makes stale;
 * - prefill.js what the app knows (Blok II, the building's answers) and where a supervisor's note goes;
 * - text.js the form's words, elements.js two element helpers.
 */
import { emptyRecord, memberGroup, memberNumberId, newMember, pruneIrrelevant, relevance } from '../questionnaire/relevance.js';
import { buildBlock, showBlockIn, updateBlocks } from './form/blocks.js';
import { button, el } from './form/elements.js';
import { buildField, readField, writeField } from './form/fields.js';
import { issuesAfterEdit, issuesBeforeMember } from './form/issue-list.js';
import { renderIssues } from './form/issues.js';
import { createRoster } from './form/members.js';
import { blockAvailable, blockToShow, fieldRelevant, fieldRequired, neighbourBlock } from './form/navigation.js';
import { placeNotes } from './form/prefill.js';
import { removalSubject, withoutMember } from './form/roster.js';
import { TEXT } from './form/text.js';
import { fieldKey, labelText, sameValue, setAnswer } from './form/values.js';

/** @typedef {import('../questionnaire/validate.js').Definition} Definition */
/** @typedef {import('./form/values.js').Item} Item */
/** @typedef {import('../questionnaire/validate.js').Block & {label_id?: string}} Block */
/** @typedef {import('../questionnaire/validate.js').Issue} Issue */
/** @typedef {import('../questionnaire/relevance.js').FamilyRecord} FamilyRecord */
/** @typedef {import('../questionnaire/relevance.js').Relevance} Relevance */
/** @typedef {import('./form/fields.js').Field} Field */
/** @typedef {import('./form/blocks.js').BlockParts} BlockParts */
/** @typedef {import('./form/members.js').Roster} Roster */
/** @typedef {import('./form/issue-list.js').Target} Target */

/**
 * @typedef {object} FamilyForm
 * @property {() => FamilyRecord} getRecord  a copy of the current record
 * @property {(issues: Issue[]) => void} showIssues  replaces the shown issues
 * @property {(blockId: string) => void} showBlock  switches to a block ("I" ... "VI")
 * @property {(answers: Record<string, unknown>) => string[]} fill  sets family answers as if the PPL
 *   gave them (e.g. copied from another family of the building); returns the ids changed
 * @property {(notes: import('../sync/db.js').ReviewNote[]) => void} showNotes  a supervisor's notes
 *   per answer, each on its field (replaces those shown)
 * @property {() => void} destroy  removes the form from its root
 */

/**
 * @typedef {object} FamilyFormOptions
 * @property {HTMLElement} root  the form is appended to it
 * @property {Definition} definition
 * @property {Record<string, unknown> | null} [context]  as for validate()
 * @property {FamilyRecord | null} [record]  the record to edit (copied); a new empty one when absent
 * @property {(record: FamilyRecord) => void} [onChange]  after every edit, with a copy of the record
 */

/**
 * @param {object} obj
 * @param {string} key
 * @returns {boolean}
 */
function hasOwn(obj, key) {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Renders the family questionnaire into `root`.
 * @param {FamilyFormOptions} options
 * @returns {FamilyForm}
 */
export function createFamilyForm({ root, definition, context = null, record = null, onChange }) {
  const found = memberGroup(definition);
  const group = found?.group ?? null;
  const groupBlockId = found?.block.id ?? null;
  const numberId = group ? memberNumberId(definition) : null;
  const nameVariable = group?.variables?.find((variable) => variable.number === '402') ?? null;
  const blockIds = definition.blocks.map((block) => block.id);

  /** @type {FamilyRecord} */
  let current = pruneIrrelevant(definition, structuredClone(record ?? emptyRecord(definition)), context);
  if (!hasOwn(current, 'family')) {
    current.family = {};
  }
  if (!hasOwn(current, 'members')) {
    current.members = [];
  }
  /** @type {Relevance} */
  let rel = relevance(definition, current, context);
  /** @type {string} */
  let shown = definition.blocks[0]?.id ?? '';
  /** @type {Issue[]} */
  let lastIssues = [];
  let destroyed = false;
  /** showIssues() was called: issues are re-shown after the member cards are rebuilt */
  let issuesShown = false;

  /** @type {Map<string, Field>} */
  const fields = new Map();
  /** @type {Map<string, BlockParts>} */
  const blocks = new Map();
  /** @type {WeakMap<HTMLElement, Target>} */
  const jumps = new WeakMap();
  const container = el('div', 'qform');
  const summary = el('div', 'form-summary');
  summary.hidden = true;
  const reviewSummary = el('section', 'review-summary');
  reviewSummary.hidden = true;
  reviewSummary.setAttribute('aria-label', TEXT.reviewNotes);
  /** @type {import('../sync/db.js').ReviewNote[]} */
  let notes = [];
  const tabs = el('nav', 'form-tabs');
  tabs.setAttribute('aria-label', TEXT.blocks);
  tabs.setAttribute('role', 'tablist');
  container.append(reviewSummary, summary, tabs);

  // ---- building -------------------------------------------------------------------------

  /**
   * Builds a field, registers it and shows the record's answer in it.
   * @param {Item} variable
   * @param {number | null} member
   * @param {string} blockId
   * @returns {Field}
   */
  const addField = (variable, member, blockId) => {
    const field = buildField(variable, member, blockId);
    fields.set(field.key, field);
    const row = member === null ? current.family : current.members[member];
    writeField(field, row ? row[variable.id] : undefined);
    return field;
  };

  /** @type {Roster | null} */
  const roster = group && groupBlockId !== null
    ? createRoster({
      group,
      blockId: groupBlockId,
      numberId,
      nameId: nameVariable?.id ?? null,
      members: () => current.members,
      fields,
      addField,
    })
    : null;
  const cards = roster?.cards ?? new Map();

  /** @type {Block[]} */ (definition.blocks).forEach((block, position) => {
    const parts = buildBlock(block, position, (item) => {
      if (item.type === 'group' && roster) {
        roster.render();
        return roster.element;
      }
      return addField(item, null, block.id).wrapper;
    });
    tabs.append(parts.tab);
    container.append(parts.section);
    blocks.set(block.id, parts);
  });

  // ---- state → DOM ----------------------------------------------------------------------

  /**
   * @param {string} blockId
   * @returns {boolean}
   */
  const available = (blockId) => blockAvailable(rel, blockId, groupBlockId, current.members.length);

  /**
   * @param {string} blockId
   * @param {number} step
   * @returns {string | null}
   */
  const neighbour = (blockId, step) => neighbourBlock(blockIds, blockId, step, available);

  /** Shows and hides blocks, fields and markers after a change of relevance. */
  const updateVisibility = () => {
    updateBlocks(blocks, (blockId) => rel.blocks.has(blockId), available, neighbour);
    for (const field of fields.values()) {
      const relevant = fieldRelevant(rel, field.variable.id, field.member);
      field.wrapper.hidden = !relevant;
      field.req.hidden = !fieldRequired(field.variable, rel, field.blockId);
      if (!relevant) {
        const row = field.member === null ? current.family : current.members[field.member];
        const value = row ? row[field.variable.id] : undefined;
        if (!sameValue(readField(field), value)) {
          writeField(field, value);
        }
      }
    }
    roster?.update(rel.group);
    if (!available(shown)) {
      showBlock(blockToShow(blockIds, shown, available), false);
    }
  };

  /**
   * @param {string} blockId
   * @param {boolean} [scroll]
   */
  function showBlock(blockId, scroll = true) {
    if (destroyed) {
      return;
    }
    if (!blocks.has(blockId)) {
      throw new Error(`no block ${blockId}`);
    }
    shown = blockId;
    showBlockIn(blocks, blockId, scroll);
  }

  const emit = () => {
    onChange?.(structuredClone(current));
  };

  /**
   * Drops skipped answers and updates what is shown, after any change of the record.
   */
  const settle = () => {
    current = pruneIrrelevant(definition, current, context);
    rel = relevance(definition, current, context);
    updateVisibility();
  };

  // ---- editing ----------------------------------------------------------------------------

  /**
   * @param {Field} field
   */
  const edited = (field) => {
    const row = field.member === null ? current.family : current.members[field.member];
    if (!row) {
      return;
    }
    const value = readField(field);
    if (field.clear) {
      field.clear.hidden = value === undefined;
    }
    if (!setAnswer(row, field.variable.id, value)) {
      return;
    }
    settle();
    dropStaleIssues(field);
    emit();
  };

  /**
   * After an edit, the shown issues of the edited field and of the fields it hid are out of
   * date: they are taken away until the caller shows new ones.
   * @param {Field} changed
   */
  const dropStaleIssues = (changed) => {
    if (!issuesShown) {
      return;
    }
    const kept = issuesAfterEdit(lastIssues, changed.key, (key) => Boolean(fields.get(key)?.wrapper.hidden));
    if (kept.length !== lastIssues.length) {
      showIssues(kept);
    }
  };

  /** @param {Event} event */
  const onInput = (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement) || !target.dataset.variable) {
      return;
    }
    const key = target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox')
      ? target.name
      : target.id;
    const field = fields.get(key);
    if (field) {
      edited(field);
    }
  };

  const addMember = () => {
    if (!roster) {
      return;
    }
    const index = current.members.length;
    current.members.push(newMember(definition, index));
    roster.open.add(index);
    roster.render();
    settle();
    if (issuesShown) {
      showIssues(lastIssues);
    }
    renderNotes();
    emit();
    const first = fields.get(fieldKey(nameVariable?.id ?? '', index))?.control;
    cards.get(index)?.card.scrollIntoView?.({ block: 'start' });
    first?.focus({ preventScroll: true });
  };

  /** @param {number} index */
  const removeMember = (index) => {
    const member = current.members[index];
    if (!member || !roster) {
      return;
    }
    const { number, name } = removalSubject(member, index, numberId, nameVariable?.id ?? null);
    if (!globalThis.confirm(TEXT.confirmRemove(number, name))) {
      return;
    }
    current.members = withoutMember(current.members, index, numberId);
    roster.removed(index);
    // issues of the removed row and the rows after it no longer point at the right row
    lastIssues = issuesBeforeMember(lastIssues, index);
    roster.render();
    settle();
    if (issuesShown) {
      showIssues(lastIssues);
    }
    renderNotes();
    emit();
    const focus = cards.get(index)?.card.querySelector('summary') ?? roster.addButton;
    focus?.focus({ preventScroll: true });
  };

  /**
   * @param {Target} target
   */
  const jumpTo = (target) => {
    if (target.blockId) {
      showBlock(target.blockId, false);
    }
    if (target.member !== null) {
      const card = cards.get(target.member)?.card;
      if (card) {
        card.open = true;
        roster?.open.add(target.member);
      }
    }
    const field = target.key ? fields.get(target.key) : undefined;
    if (field && !field.wrapper.hidden) {
      field.wrapper.scrollIntoView?.({ block: 'center' });
      const focusable = field.control ?? field.choices.find((input) => input.checked) ?? field.choices[0];
      focusable?.focus({ preventScroll: true });
      return;
    }
    const card = target.member !== null ? cards.get(target.member)?.card : undefined;
    const place = card ?? roster?.element;
    place?.scrollIntoView?.({ block: 'start' });
    (card?.querySelector('summary') ?? roster?.addButton)?.focus({ preventScroll: true });
  };

  /** @param {Event} event */
  const onClick = (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    if (!target || !container.contains(target)) {
      return;
    }
    const jump = jumps.get(target);
    if (jump) {
      jumpTo(jump);
      return;
    }
    switch (target.dataset.action) {
      case 'tab':
        showBlock(target.dataset.block ?? shown);
        break;
      case 'prev':
      case 'next': {
        const to = neighbour(shown, target.dataset.action === 'prev' ? -1 : 1);
        if (to !== null) {
          showBlock(to);
        }
        break;
      }
      case 'add-member':
        addMember();
        break;
      case 'remove-member':
        removeMember(Number(target.dataset.member));
        break;
      case 'clear': {
        const field = fields.get(target.dataset.field ?? '');
        if (field) {
          for (const input of field.choices) {
            input.checked = false;
          }
          edited(field);
          field.choices[0]?.focus();
        }
        break;
      }
      default:
        break;
    }
  };

  // ---- issues -----------------------------------------------------------------------------

  /**
   * @param {Issue[]} issues
   */
  function showIssues(issues) {
    if (destroyed) {
      return;
    }
    lastIssues = [...issues];
    issuesShown = true;
    renderIssues(issues, {
      fields, blocks, cards, summary, jumps, group: group ? { id: group.id, blockId: groupBlockId } : null,
    });
  }

  // ---- a supervisor's notes -------------------------------------------------------------------

  /** Puts each note on its field and member card, and lists them all at the top. */
  function renderNotes() {
    for (const field of fields.values()) {
      field.review.hidden = true;
      field.review.textContent = '';
      field.wrapper.classList.remove('has-review');
    }
    for (const card of cards.values()) {
      card.note.hidden = true;
    }
    reviewSummary.replaceChildren();
    const placed = placeNotes(notes, current, numberId);
    reviewSummary.hidden = placed.length === 0;
    if (!placed.length) {
      return;
    }
    reviewSummary.append(el('h2', 'review-title', TEXT.reviewNotes));
    const list = el('ul', 'review-list');
    for (const note of placed) {
      const field = note.variable ? fields.get(fieldKey(note.variable, note.member)) : undefined;
      const item = el('li', 'review-item');
      if (field) {
        field.review.textContent = `${TEXT.reviewNote}: ${note.comment}`;
        field.review.hidden = false;
        field.wrapper.classList.add('has-review');
        if (note.member !== null) {
          const card = cards.get(note.member);
          if (card) card.note.hidden = false;
        }
        const where = note.member === null ? labelText(field.variable) : `${labelText(field.variable)} (${TEXT.member} ${note.member + 1})`;
        const jump = button('button', 'review-jump', `${where}: ${note.comment}`);
        jumps.set(jump, { blockId: field.blockId, member: note.member, key: field.key });
        item.append(jump);
      } else {
        item.textContent = note.comment;
      }
      list.append(item);
    }
    reviewSummary.append(list);
  }

  /** @param {import('../sync/db.js').ReviewNote[]} next */
  function showNotes(next) {
    if (destroyed) {
      return;
    }
    notes = Array.isArray(next) ? [...next] : [];
    renderNotes();
  }

  /**
   * @param {Record<string, unknown>} answers
   * @returns {string[]}
   */
  function fill(answers) {
    if (destroyed) {
      return [];
    }
    /** @type {string[]} */
    const changed = [];
    for (const [id, value] of Object.entries(answers)) {
      const field = fields.get(fieldKey(id, null));
      if (field && setAnswer(current.family, id, structuredClone(value))) {
        writeField(field, value);
        changed.push(id);
      }
    }
    if (changed.length) {
      settle();
      emit();
    }
    return changed;
  }

  container.addEventListener('input', onInput);
  container.addEventListener('change', onInput);
  container.addEventListener('click', onClick);
  updateVisibility();
  showBlock(shown, false);
  root.append(container);

  return {
    getRecord: () => structuredClone(current),
    showIssues,
    showBlock: (blockId) => showBlock(blockId),
    fill,
    showNotes,
    destroy: () => {
      if (destroyed) {
        return;
      }
      destroyed = true;
      container.removeEventListener('input', onInput);
      container.removeEventListener('change', onInput);
      container.removeEventListener('click', onClick);
      container.remove();
      fields.clear();
      cards.clear();
      blocks.clear();
    },
  };
}
