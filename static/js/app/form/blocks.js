// @ts-check
/**
 * The blocks on the page: a tab and a section per block, the one shown, and what relevance
 * hides. Which blocks can be opened and their neighbours come from navigation.js.
 */
import { button, el } from './elements.js';
import { TEXT } from './text.js';
import { labelOf } from './values.js';

/** @typedef {import('../../questionnaire/validate.js').Block & {label_id?: string}} Block */
/** @typedef {import('../../questionnaire/validate.js').Item} Item */

/**
 * @typedef {object} BlockParts
 * @property {HTMLElement} section  section.form-block
 * @property {HTMLButtonElement} tab  button.block-tab
 * @property {HTMLElement} count  the tab's error count
 * @property {HTMLElement} skipped  "this block is skipped"
 * @property {HTMLButtonElement} prev
 * @property {HTMLButtonElement} next
 */

/**
 * Builds a block's tab and section; the section holds what `renderItem` gives for each item (a
 * field, or the roster), then the previous / next buttons. Only the first block is shown.
 * @param {Block} block
 * @param {number} position  in the definition
 * @param {(item: Item) => HTMLElement} renderItem
 * @returns {BlockParts}
 */
export function buildBlock(block, position, renderItem) {
  const tab = button('button', 'block-tab', '');
  tab.dataset.block = block.id;
  tab.dataset.action = 'tab';
  tab.id = `tab-${block.id}`;
  tab.setAttribute('role', 'tab');
  tab.setAttribute('aria-controls', `block-${block.id}`);
  tab.title = `${TEXT.block} ${block.id}. ${labelOf(block)}`;
  const count = el('span', 'count tab-count');
  count.hidden = true;
  tab.append(el('span', 'tab-label', block.id), count);

  const section = el('section', 'form-block');
  section.id = `block-${block.id}`;
  section.dataset.block = block.id;
  section.setAttribute('role', 'tabpanel');
  section.setAttribute('aria-labelledby', `tab-${block.id}`);
  section.append(el('h2', 'block-title', `${TEXT.block} ${block.id}. ${labelOf(block)}`));
  const skipped = el('p', 'block-skipped', TEXT.blockSkipped);
  skipped.hidden = true;
  section.append(skipped);
  for (const item of block.items) {
    section.append(renderItem(item));
  }
  const nav = el('div', 'block-nav');
  const prev = button('button', 'block-prev secondary', TEXT.previous);
  prev.dataset.action = 'prev';
  const next = button('button', 'block-next', TEXT.next);
  next.dataset.action = 'next';
  nav.append(prev, next);
  section.append(nav);
  section.hidden = position !== 0;
  return { section, tab, count, skipped, prev, next };
}

/**
 * Shows one block's section and marks its tab; the others are hidden.
 * @param {Map<string, BlockParts>} blocks
 * @param {string} blockId
 * @param {boolean} scroll  scroll the shown block into view
 */
export function showBlockIn(blocks, blockId, scroll) {
  for (const [id, parts] of blocks) {
    const active = id === blockId;
    parts.section.hidden = !active;
    parts.tab.classList.toggle('active', active);
    parts.tab.setAttribute('aria-selected', String(active));
    if (active && scroll) {
      parts.section.scrollIntoView?.({ block: 'start' });
    }
  }
}

/**
 * After a change of relevance: a tab is hidden while its block cannot be opened, a block that is
 * not asked says so, and previous / next are disabled where there is no block to go to.
 * @param {Map<string, BlockParts>} blocks
 * @param {(blockId: string) => boolean} asked  the block is relevant
 * @param {(blockId: string) => boolean} available  the block can be opened
 * @param {(blockId: string, step: number) => string | null} neighbour
 */
export function updateBlocks(blocks, asked, available, neighbour) {
  for (const [blockId, parts] of blocks) {
    parts.tab.hidden = !available(blockId);
    parts.skipped.hidden = asked(blockId);
    parts.prev.disabled = neighbour(blockId, -1) === null;
    parts.next.disabled = neighbour(blockId, 1) === null;
  }
}
