// @ts-check
/**
 * The member roster on the page: a collapsible card per member row with its fields and a remove
 * button, the "add" button, and the markers for an empty or skipped roster. Adding and removing
 * rows is form.js's (it owns the record); the titles, renumbering and open cards after a removal
 * are the pure functions of roster.js.
 */
import { button, el } from './elements.js';
import { memberTitle, openAfterRemoval, rosterHidden } from './roster.js';
import { TEXT } from './text.js';
import { labelOf } from './values.js';

/** @typedef {import('./values.js').Item} Item */
/** @typedef {import('./fields.js').Field} Field */
/** @typedef {import('../../questionnaire/validate.js').Row} Row */

/**
 * @typedef {object} MemberCard
 * @property {HTMLDetailsElement} card  details.member-card
 * @property {HTMLElement} title
 * @property {HTMLElement} count  its error count
 * @property {HTMLElement} note  "a supervisor's note" marker
 */

/**
 * @typedef {object} Roster
 * @property {HTMLElement} element  div.roster
 * @property {HTMLButtonElement} addButton  button.add-member
 * @property {Map<number, MemberCard>} cards  by row index
 * @property {Set<number>} open  indexes of the open cards
 * @property {() => void} render  rebuilds the cards from the record (after adding or removing a member)
 * @property {(groupRelevant: boolean) => void} update  markers, skipped cards and titles after a change
 * @property {(index: number) => void} removed  the row at `index` was removed: later open cards move up
 */

/**
 * @typedef {object} RosterOptions
 * @property {Item} group  the member group
 * @property {string} blockId  its block
 * @property {string | null} numberId  the member number variable (401): read-only in the card
 * @property {string | null} nameId  the name variable (402), for the titles
 * @property {() => Row[]} members  the record's member rows now
 * @property {Map<string, Field>} fields  the form's fields: the members' are replaced on render
 * @property {(variable: Item, member: number, blockId: string) => Field} addField  builds, registers and fills a field
 */

/**
 * @param {RosterOptions} options
 * @returns {Roster}
 */
export function createRoster({ group, blockId, numberId, nameId, members, fields, addField }) {
  /** @type {Map<number, MemberCard>} */
  const cards = new Map();
  /** @type {Set<number>} */
  const open = new Set();

  const element = el('div', 'roster');
  element.id = `roster-${group.id}`;
  element.append(el('h3', 'roster-title', labelOf(group)));
  const skipped = el('p', 'roster-skipped', TEXT.groupSkipped);
  const empty = el('p', 'roster-empty muted', TEXT.noMembers);
  const list = el('div', 'member-list');
  const addButton = button('button', 'add-member', TEXT.addMember);
  addButton.dataset.action = 'add-member';
  element.append(skipped, empty, list, addButton);

  /**
   * @param {number} index
   * @returns {string}
   */
  const titleOf = (index) => memberTitle(members()[index], index, numberId, nameId, TEXT.newMember);

  const render = () => {
    for (const [key, field] of fields) {
      if (field.member !== null) {
        fields.delete(key);
      }
    }
    cards.clear();
    list.replaceChildren();
    members().forEach((_member, index) => {
      const card = el('details', 'member-card');
      card.dataset.member = String(index);
      card.id = `member-${index}`;
      card.open = open.has(index);
      const head = el('summary', 'member-title');
      const title = el('span', 'member-title-text', titleOf(index));
      const count = el('span', 'count card-count');
      count.hidden = true;
      const note = el('span', 'card-note', TEXT.reviewNoteShort);
      note.hidden = true;
      head.append(title, note, count);
      const body = el('div', 'member-body');
      for (const variable of group.variables ?? []) {
        const field = addField(variable, index, blockId);
        if (variable.id === numberId && field.control instanceof HTMLInputElement) {
          field.control.readOnly = true;
          field.control.tabIndex = -1;
        }
        body.append(field.wrapper);
      }
      const remove = button('button', 'remove-member danger', TEXT.removeMember);
      remove.dataset.action = 'remove-member';
      remove.dataset.member = String(index);
      body.append(remove);
      card.append(head, body);
      card.addEventListener('toggle', () => {
        if (card.open) {
          open.add(index);
        } else {
          open.delete(index);
        }
      });
      list.append(card);
      cards.set(index, { card, title, count, note });
    });
  };

  /** @param {boolean} groupRelevant */
  const update = (groupRelevant) => {
    const hidden = rosterHidden(groupRelevant, members().length);
    skipped.hidden = hidden.skipped;
    empty.hidden = hidden.empty;
    addButton.hidden = hidden.add;
    for (const [index, card] of cards) {
      card.card.classList.toggle('skipped', !groupRelevant);
      card.title.textContent = titleOf(index);
    }
  };

  /** @param {number} index */
  const removed = (index) => {
    const next = openAfterRemoval(open, index);
    open.clear();
    for (const i of next) {
      open.add(i);
    }
  };

  return { element, addButton, cards, open, render, update, removed };
}
