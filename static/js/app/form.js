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
 *
 * Text from users and from the definition is always set with textContent, never as HTML.
 */
import { gettext, interpolate } from '../ui/i18n.js';
import { emptyRecord, memberGroup, memberNumberId, newMember, pruneIrrelevant, relevance } from '../questionnaire/relevance.js';

/** @typedef {import('../questionnaire/validate.js').Definition} Definition */
/** @typedef {import('../questionnaire/validate.js').Item & {note?: string}} Item  a variable (with its optional note) or the group */
/** @typedef {import('../questionnaire/validate.js').Block & {label_id?: string}} Block */
/** @typedef {import('../questionnaire/validate.js').Issue} Issue */
/** @typedef {import('../questionnaire/validate.js').Row} Row */
/** @typedef {import('../questionnaire/relevance.js').FamilyRecord} FamilyRecord */
/** @typedef {import('../questionnaire/relevance.js').Relevance} Relevance */

const TEXT = Object.freeze({
  yes: gettext('Ya'),
  block: gettext('Blok'),
  blocks: gettext('Blok kuesioner'),
  previous: gettext('Sebelumnya'),
  next: gettext('Berikutnya'),
  choose: gettext('Pilih…'),
  clearChoice: gettext('Kosongkan pilihan'),
  required: gettext('wajib diisi'),
  addMember: gettext('Tambah anggota keluarga'),
  removeMember: gettext('Hapus anggota'),
  newMember: gettext('Anggota baru'),
  member: gettext('Anggota'),
  noMembers: gettext('Belum ada anggota keluarga.'),
  /** @type {(number: unknown, name: string) => string} */
  confirmRemove: (number, name) =>
    name
      ? interpolate(gettext('Hapus anggota keluarga nomor %(number)s (%(name)s)? Semua isian anggota ini akan hilang.'), { number, name })
      : interpolate(gettext('Hapus anggota keluarga nomor %(number)s? Semua isian anggota ini akan hilang.'), { number }),
  groupSkipped: gettext('Pertanyaan anggota keluarga dilewati karena hasil pendataan (205). Hapus anggota keluarga yang sudah dicatat.'),
  blockSkipped: gettext('Blok ini dilewati karena hasil pendataan (205).'),
  summaryTitle: gettext('Hasil pemeriksaan'),
  noIssues: gettext('Tidak ada kesalahan atau peringatan.'),
  /** @type {(count: number) => string} */
  errors: (count) => interpolate(gettext('%(count)s kesalahan'), { count }),
  /** @type {(count: number) => string} */
  warnings: (count) => interpolate(gettext('%(count)s peringatan'), { count }),
  /** @type {(count: number) => string} */
  allIssues: (count) => interpolate(gettext('Daftar semua (%(count)s)'), { count }),
  errorsInBlock: gettext('kesalahan di blok ini'),
  errorsOfMember: gettext('kesalahan pada anggota ini'),
});

/** Variables typed as a text area instead of a one-line input. */
const TEXTAREA_IDS = new Set(['catatan']);
/** String variables that are numbers on paper (NIK, No. KK): numeric keyboard, 16 digits. */
const NUMERIC_16_IDS = new Set(['r403', 'r114']);
/** Phone numbers. */
const TEL_IDS = new Set(['hp_responden']);
/** Code lists up to this length are radio buttons, longer ones a select. */
const MAX_RADIOS = 6;

/**
 * @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Control
 */

/**
 * @typedef {object} Field  one rendered variable
 * @property {string} key  its control's id/name: f-<id> or m<index>-<id>
 * @property {Item} variable
 * @property {number | null} member
 * @property {string} blockId
 * @property {HTMLElement} wrapper  .field (a fieldset for radios and checkboxes)
 * @property {HTMLElement} issues  where its issues go
 * @property {HTMLElement} req  the required marker
 * @property {Control | null} control  the text input, text area or select
 * @property {HTMLInputElement[]} choices  the radio buttons or checkboxes
 * @property {HTMLButtonElement | null} clear  "clear choice" of a radio group
 */

/**
 * @typedef {object} Target  where an issue is fixed
 * @property {string | null} blockId
 * @property {number | null} member
 * @property {string | null} key  a field key, or null for the roster / a member card
 */

/**
 * @typedef {object} FamilyForm
 * @property {() => FamilyRecord} getRecord  a copy of the current record
 * @property {(issues: Issue[]) => void} showIssues  replaces the shown issues
 * @property {(blockId: string) => void} showBlock  switches to a block ("I" ... "VI")
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
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/**
 * @param {string} type
 * @param {string} className
 * @param {string} text
 * @returns {HTMLButtonElement}
 */
function button(type, className, text) {
  const node = el('button', className, text);
  node.type = /** @type {'button'} */ (type);
  return node;
}

/**
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function sameValue(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * "<number>. <label>", or the label alone when the variable has no number.
 * @param {Item} variable
 * @returns {string}
 */
function labelText(variable) {
  return variable.number ? `${variable.number}. ${labelOf(variable)}` : labelOf(variable);
}

/**
 * The maximum length of a string variable whose first check is `operator` (is_digits or
 * is_upper_alnum) on itself, e.g. 3 for 103 (kecamatan code), else null.
 * @param {Item} variable
 * @param {string} operator
 * @returns {number | null}
 */
function formatLength(variable, operator) {
  const rule = /** @type {any} */ (variable.checks?.[0]?.rule);
  const args = rule && typeof rule === 'object' ? rule[operator] : undefined;
  if (!Array.isArray(args) || typeof args[1] !== 'number') {
    return null;
  }
  const path = args[0]?.var;
  if (typeof path !== 'string' || !path.endsWith(`.${variable.id}`)) {
    return null;
  }
  return typeof args[2] === 'number' ? args[2] : args[1];
}

/**
 * The value a text control holds for its variable type; text that does not parse is kept
 * as it is (the validator reports its type), an empty field is unanswered (undefined).
 * @param {string} type
 * @param {string} raw
 * @returns {unknown}
 */
function parseText(type, raw) {
  const text = raw.trim();
  if (type === 'string') {
    return raw === '' ? undefined : raw;
  }
  if (text === '') {
    return undefined;
  }
  if (type === 'integer' && /^[+-]?[0-9]+$/.test(text)) {
    return Number(text);
  }
  if (type === 'number' && /^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$/.test(text)) {
    return Number(text.replace(',', '.'));
  }
  return type === 'date' ? text : raw;
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function displayText(value) {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : String(value);
}

/**
 * The definition's label in the page's language: Indonesian, or English when the user chose it.
 * @param {{label_id?: string, label_en?: string}} entry
 * @returns {string}
 */
function labelOf(entry) {
  const english = typeof document !== 'undefined' && document.documentElement.lang.startsWith('en');
  return (english ? entry.label_en : entry.label_id) ?? entry.label_id ?? '';
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
  /** @type {Set<number>} */
  let openMembers = new Set();
  let destroyed = false;
  /** showIssues() was called: issues are re-shown after the member cards are rebuilt */
  let issuesShown = false;

  /** @type {Map<string, Field>} */
  const fields = new Map();
  /** @type {Map<string, {section: HTMLElement, tab: HTMLButtonElement, count: HTMLElement, skipped: HTMLElement, prev: HTMLButtonElement, next: HTMLButtonElement}>} */
  const blocks = new Map();
  /** @type {WeakMap<HTMLElement, Target>} */
  const jumps = new WeakMap();

  const container = el('div', 'qform');
  const summary = el('div', 'form-summary');
  summary.hidden = true;
  const tabs = el('nav', 'form-tabs');
  tabs.setAttribute('aria-label', TEXT.blocks);
  tabs.setAttribute('role', 'tablist');
  container.append(summary, tabs);

  /** @type {HTMLElement | null} */
  let roster = null;
  /** @type {HTMLElement | null} */
  let memberList = null;
  /** @type {HTMLElement | null} */
  let rosterSkipped = null;
  /** @type {HTMLElement | null} */
  let rosterEmpty = null;
  /** @type {HTMLButtonElement | null} */
  let addButton = null;
  /** @type {Map<number, {card: HTMLDetailsElement, title: HTMLElement, count: HTMLElement}>} */
  const cards = new Map();

  // ---- building -------------------------------------------------------------------------

  /**
   * @param {Item} variable
   * @param {number | null} member
   * @param {string} blockId
   * @returns {Field}
   */
  const buildField = (variable, member, blockId) => {
    const key = member === null ? `f-${variable.id}` : `m${member}-${variable.id}`;
    const codes = variable.codes ?? [];
    const choiceType = variable.type === 'multicode' || (variable.type === 'code' && codes.length <= MAX_RADIOS)
      ? (variable.type === 'multicode' ? 'checkbox' : 'radio')
      : null;
    const wrapper = el(choiceType ? 'fieldset' : 'div', 'field');
    wrapper.id = `fld-${key}`;
    wrapper.dataset.variable = variable.id;
    if (member !== null) {
      wrapper.dataset.member = String(member);
    }
    const heading = el(choiceType ? 'legend' : 'label', 'field-label', labelText(variable));
    const req = el('span', 'req', ' *');
    req.title = TEXT.required;
    req.setAttribute('aria-label', TEXT.required);
    heading.append(req);
    wrapper.append(heading);
    if (variable.note) {
      const note = el('p', 'field-note', variable.note);
      note.id = `note-${key}`;
      wrapper.append(note);
    }
    /** @param {HTMLElement} input */
    const tag = (input) => {
      input.dataset.variable = variable.id;
      if (member !== null) {
        input.dataset.member = String(member);
      }
      if (variable.note) {
        input.setAttribute('aria-describedby', `note-${key}`);
      }
    };

    /** @type {Field} */
    const field = {
      key, variable, member, blockId, wrapper, req, control: null, choices: [], clear: null,
      issues: el('div', 'issues'),
    };

    if (choiceType) {
      const list = el('div', choiceType === 'radio' ? 'choices radios' : 'choices checks');
      for (const entry of codes) {
        const label = el('label', 'choice');
        const input = el('input');
        input.type = choiceType;
        input.name = key;
        input.id = `${key}-${entry.code}`;
        input.value = String(entry.code);
        tag(input);
        label.append(input, el('span', 'choice-text', `${entry.code}. ${labelOf(entry)}`));
        list.append(label);
        field.choices.push(input);
      }
      wrapper.append(list);
      if (choiceType === 'radio') {
        const clear = button('button', 'clear-choice link', TEXT.clearChoice);
        clear.dataset.action = 'clear';
        clear.dataset.field = key;
        clear.hidden = true;
        wrapper.append(clear);
        field.clear = clear;
      }
    } else if (variable.type === 'boolean') {
      const label = el('label', 'choice');
      const input = el('input');
      input.type = 'checkbox';
      input.name = key;
      input.id = key;
      input.value = 'true';
      tag(input);
      label.append(input, el('span', 'choice-text', TEXT.yes));
      wrapper.append(label);
      field.choices.push(input);
    } else if (variable.type === 'code') {
      const select = el('select', 'input');
      select.name = key;
      select.id = key;
      tag(select);
      const empty = el('option', undefined, TEXT.choose);
      empty.value = '';
      select.append(empty);
      for (const entry of codes) {
        const option = el('option', undefined, `${entry.code}. ${labelOf(entry)}`);
        option.value = String(entry.code);
        select.append(option);
      }
      wrapper.append(select);
      field.control = select;
    } else {
      /** @type {HTMLInputElement | HTMLTextAreaElement} */
      let input;
      if (TEXTAREA_IDS.has(variable.id)) {
        input = el('textarea', 'input');
        input.rows = 4;
      } else {
        input = el('input', 'input');
        input.type = variable.type === 'date' ? 'date' : 'text';
        if (variable.type === 'integer') {
          input.inputMode = 'numeric';
        } else if (variable.type === 'number') {
          input.inputMode = 'decimal';
        }
      }
      input.name = key;
      input.id = key;
      input.autocomplete = 'off';
      input.spellcheck = false;
      if (variable.type === 'string') {
        const digits = NUMERIC_16_IDS.has(variable.id) ? 16 : formatLength(variable, 'is_digits');
        const alnum = formatLength(variable, 'is_upper_alnum');
        if (TEL_IDS.has(variable.id)) {
          if (input instanceof HTMLInputElement) {
            input.type = 'tel';
          }
          input.inputMode = 'tel';
        } else if (digits !== null) {
          input.inputMode = 'numeric';
          input.maxLength = digits;
        } else if (alnum !== null) {
          input.autocapitalize = 'characters';
          input.maxLength = alnum;
        }
      }
      tag(input);
      wrapper.append(input);
      field.control = input;
    }
    if (heading instanceof HTMLLabelElement) {
      heading.htmlFor = key;
    }
    wrapper.append(field.issues);
    fields.set(key, field);
    const row = member === null ? current.family : current.members[member];
    writeField(field, row ? row[variable.id] : undefined);
    return field;
  };

  /**
   * Shows a value in a field's control(s).
   * @param {Field} field
   * @param {unknown} value
   */
  function writeField(field, value) {
    const { variable } = field;
    if (field.control) {
      field.control.value = displayText(value);
      if (field.control instanceof HTMLSelectElement && field.control.value !== displayText(value)) {
        field.control.value = '';
      }
    } else if (variable.type === 'boolean') {
      field.choices[0].checked = value === true;
    } else if (variable.type === 'multicode') {
      const list = Array.isArray(value) ? value : [];
      for (const input of field.choices) {
        input.checked = list.includes(Number(input.value));
      }
    } else {
      for (const input of field.choices) {
        input.checked = value !== null && value !== undefined && Number(input.value) === value;
      }
    }
    if (field.clear) {
      field.clear.hidden = !field.choices.some((input) => input.checked);
    }
  }

  /**
   * The value a field's control(s) hold (undefined: unanswered).
   * @param {Field} field
   * @returns {unknown}
   */
  const readField = (field) => {
    const { variable } = field;
    if (field.control) {
      if (field.control instanceof HTMLSelectElement) {
        return field.control.value === '' ? undefined : Number(field.control.value);
      }
      return parseText(variable.type, field.control.value);
    }
    if (variable.type === 'boolean') {
      return field.choices[0].checked;
    }
    const checked = field.choices.filter((input) => input.checked).map((input) => Number(input.value));
    if (variable.type === 'multicode') {
      return checked.length ? checked.sort((a, b) => a - b) : undefined;
    }
    return checked.length ? checked[0] : undefined;
  };

  /**
   * @param {number} index
   * @returns {string}
   */
  const memberTitle = (index) => {
    const member = current.members[index] ?? {};
    const number = numberId ? member[numberId] : undefined;
    const name = nameVariable ? member[nameVariable.id] : undefined;
    const shownName = typeof name === 'string' && name.trim() ? name.trim() : TEXT.newMember;
    return `${displayText(number ?? index + 1)}. ${shownName}`;
  };

  /** Rebuilds the member cards from the record (after adding or removing a member). */
  const renderMembers = () => {
    if (!memberList || !group || groupBlockId === null) {
      return;
    }
    for (const [key, field] of fields) {
      if (field.member !== null) {
        fields.delete(key);
      }
    }
    cards.clear();
    memberList.replaceChildren();
    current.members.forEach((_member, index) => {
      const card = el('details', 'member-card');
      card.dataset.member = String(index);
      card.id = `member-${index}`;
      card.open = openMembers.has(index);
      const head = el('summary', 'member-title');
      const title = el('span', 'member-title-text', memberTitle(index));
      const count = el('span', 'count card-count');
      count.hidden = true;
      head.append(title, count);
      const body = el('div', 'member-body');
      for (const variable of group.variables ?? []) {
        const field = buildField(variable, index, groupBlockId);
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
          openMembers.add(index);
        } else {
          openMembers.delete(index);
        }
      });
      memberList?.append(card);
      cards.set(index, { card, title, count });
    });
  };

  /** @type {Block[]} */ (definition.blocks).forEach((block, position) => {
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
    tabs.append(tab);

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
      if (item.type === 'group') {
        roster = el('div', 'roster');
        roster.id = `roster-${item.id}`;
        roster.append(el('h3', 'roster-title', labelOf(item)));
        rosterSkipped = el('p', 'roster-skipped', TEXT.groupSkipped);
        rosterEmpty = el('p', 'roster-empty muted', TEXT.noMembers);
        memberList = el('div', 'member-list');
        addButton = button('button', 'add-member', TEXT.addMember);
        addButton.dataset.action = 'add-member';
        roster.append(rosterSkipped, rosterEmpty, memberList, addButton);
        section.append(roster);
        renderMembers();
      } else {
        section.append(buildField(item, null, block.id).wrapper);
      }
    }
    const nav = el('div', 'block-nav');
    const prev = button('button', 'block-prev secondary', TEXT.previous);
    prev.dataset.action = 'prev';
    const next = button('button', 'block-next', TEXT.next);
    next.dataset.action = 'next';
    nav.append(prev, next);
    section.append(nav);
    section.hidden = position !== 0;
    container.append(section);
    blocks.set(block.id, { section, tab, count, skipped, prev, next });
  });

  // ---- state → DOM ----------------------------------------------------------------------

  /**
   * A block can be opened when it is asked, or when it holds member rows to remove.
   * @param {string} blockId
   * @returns {boolean}
   */
  const blockAvailable = (blockId) => rel.blocks.has(blockId)
    || (blockId === groupBlockId && current.members.length > 0);

  /**
   * The next (step 1) or previous (step -1) block that can be opened, or null.
   * @param {string} blockId
   * @param {number} step
   * @returns {string | null}
   */
  const neighbour = (blockId, step) => {
    const ids = definition.blocks.map((block) => block.id);
    for (let i = ids.indexOf(blockId) + step; i >= 0 && i < ids.length; i += step) {
      if (blockAvailable(ids[i])) {
        return ids[i];
      }
    }
    return null;
  };

  /** Shows and hides blocks, fields and markers after a change of relevance. */
  const updateVisibility = () => {
    for (const [blockId, parts] of blocks) {
      const available = blockAvailable(blockId);
      parts.tab.hidden = !available;
      parts.skipped.hidden = rel.blocks.has(blockId);
      parts.prev.disabled = neighbour(blockId, -1) === null;
      parts.next.disabled = neighbour(blockId, 1) === null;
    }
    for (const field of fields.values()) {
      const relevant = field.member === null
        ? rel.family.has(field.variable.id)
        : Boolean(rel.members[field.member]?.has(field.variable.id));
      field.wrapper.hidden = !relevant;
      field.req.hidden = !(field.variable.required && rel.required.has(field.blockId));
      if (!relevant) {
        const row = field.member === null ? current.family : current.members[field.member];
        const value = row ? row[field.variable.id] : undefined;
        if (!sameValue(readField(field), value)) {
          writeField(field, value);
        }
      }
    }
    if (rosterSkipped && rosterEmpty && addButton) {
      rosterSkipped.hidden = rel.group || current.members.length === 0;
      rosterEmpty.hidden = !rel.group || current.members.length > 0;
      addButton.hidden = !rel.group;
    }
    for (const [index, card] of cards) {
      card.card.classList.toggle('skipped', !rel.group);
      card.title.textContent = memberTitle(index);
    }
    if (!blockAvailable(shown)) {
      showBlock(neighbour(shown, -1) ?? neighbour(shown, 1) ?? shown, false);
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
    if (sameValue(row[field.variable.id], value) && (value !== undefined || !hasOwn(row, field.variable.id))) {
      return;
    }
    if (value === undefined) {
      delete row[field.variable.id];
    } else {
      row[field.variable.id] = value;
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
    const kept = lastIssues.filter((issue) => {
      const key = issue.member_index === null ? `f-${issue.variable}` : `m${issue.member_index}-${issue.variable}`;
      const field = fields.get(key);
      return key !== changed.key && !(field && field.wrapper.hidden);
    });
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
    if (!group) {
      return;
    }
    const index = current.members.length;
    current.members.push(newMember(definition, index));
    openMembers.add(index);
    renderMembers();
    settle();
    if (issuesShown) {
      showIssues(lastIssues);
    }
    emit();
    const first = fields.get(`m${index}-${nameVariable?.id ?? ''}`)?.control;
    cards.get(index)?.card.scrollIntoView?.({ block: 'start' });
    first?.focus({ preventScroll: true });
  };

  /** @param {number} index */
  const removeMember = (index) => {
    const member = current.members[index];
    if (!member) {
      return;
    }
    const name = nameVariable && typeof member[nameVariable.id] === 'string' ? String(member[nameVariable.id]) : '';
    const number = numberId ? member[numberId] ?? index + 1 : index + 1;
    if (!globalThis.confirm(TEXT.confirmRemove(number, name))) {
      return;
    }
    current.members.splice(index, 1);
    current.members.forEach((row, position) => {
      if (position >= index && numberId) {
        row[numberId] = position + 1;
      }
    });
    openMembers = new Set([...openMembers].filter((i) => i !== index).map((i) => (i > index ? i - 1 : i)));
    // issues of the removed row and the rows after it no longer point at the right row
    lastIssues = lastIssues.filter((issue) => issue.member_index === null || issue.member_index < index);
    renderMembers();
    settle();
    if (issuesShown) {
      showIssues(lastIssues);
    }
    emit();
    const focus = cards.get(index)?.card.querySelector('summary') ?? addButton;
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
        openMembers.add(target.member);
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
    const place = card ?? roster;
    place?.scrollIntoView?.({ block: 'start' });
    (card?.querySelector('summary') ?? addButton)?.focus({ preventScroll: true });
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
   * Where an issue is fixed, and the field it belongs to when that field is shown.
   * @param {Issue} issue
   * @returns {{target: Target, field: Field | null}}
   */
  const locate = (issue) => {
    const key = issue.member_index === null ? `f-${issue.variable}` : `m${issue.member_index}-${issue.variable}`;
    const field = fields.get(key) ?? null;
    if (field && !field.wrapper.hidden) {
      return { target: { blockId: field.blockId, member: field.member, key }, field };
    }
    if (field) {
      return { target: { blockId: field.blockId, member: field.member, key: null }, field: null };
    }
    if (issue.member_index !== null || (group && issue.variable === group.id)) {
      return { target: { blockId: groupBlockId, member: issue.member_index, key: null }, field: null };
    }
    return { target: { blockId: null, member: null, key: null }, field: null };
  };

  /**
   * "<number>: <message>"; the built-in messages already start with "<number> <label>" and
   * are shown as they are.
   * @param {Issue} issue
   * @returns {string}
   */
  const issueText = (issue) => (issue.number && !issue.message.startsWith(`${issue.number} `)
    ? `${issue.number}: ${issue.message}`
    : issue.message);

  /**
   * @param {Issue} issue
   * @param {Target} target
   * @returns {HTMLElement}
   */
  const summaryItem = (issue, target) => {
    const item = el('li', `issue ${issue.severity}`);
    const prefix = issue.member_index !== null ? `${TEXT.member} ${issue.member_index + 1}: ` : '';
    if (target.blockId) {
      const jump = button('button', 'summary-jump link', prefix + issueText(issue));
      jumps.set(jump, target);
      item.append(jump);
    } else {
      item.textContent = prefix + issueText(issue);
    }
    return item;
  };

  /**
   * @param {Issue[]} issues
   */
  function showIssues(issues) {
    if (destroyed) {
      return;
    }
    lastIssues = [...issues];
    issuesShown = true;
    for (const field of fields.values()) {
      field.issues.replaceChildren();
      field.wrapper.classList.remove('has-error', 'has-warning');
    }
    /** @type {Map<string, number>} */
    const blockErrors = new Map();
    /** @type {Map<number, number>} */
    const memberErrors = new Map();
    /** @type {{issue: Issue, target: Target}[]} */
    const orphans = [];
    /** @type {{issue: Issue, target: Target}[]} */
    const placed = [];
    /** @type {Target | null} */
    let firstError = null;
    /** @type {Target | null} */
    let firstWarning = null;
    for (const issue of issues) {
      const { target, field } = locate(issue);
      const error = issue.severity === 'error';
      if (error && target.blockId) {
        blockErrors.set(target.blockId, (blockErrors.get(target.blockId) ?? 0) + 1);
        if (target.member !== null) {
          memberErrors.set(target.member, (memberErrors.get(target.member) ?? 0) + 1);
        }
      }
      if (error) {
        firstError ??= target;
      } else {
        firstWarning ??= target;
      }
      if (field) {
        field.issues.append(el('p', `issue ${issue.severity}`, issueText(issue)));
        field.wrapper.classList.add(error ? 'has-error' : 'has-warning');
        placed.push({ issue, target });
      } else {
        orphans.push({ issue, target });
      }
    }
    for (const [blockId, parts] of blocks) {
      const count = blockErrors.get(blockId) ?? 0;
      parts.count.hidden = count === 0;
      parts.count.textContent = String(count);
      parts.count.setAttribute('aria-label', `${count} ${TEXT.errorsInBlock}`);
    }
    for (const [index, card] of cards) {
      const count = memberErrors.get(index) ?? 0;
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
    const errors = issues.filter((issue) => issue.severity === 'error').length;
    const counts = el('p', 'summary-counts');
    for (const [count, text, first, className] of /** @type {const} */ ([
      [errors, TEXT.errors(errors), firstError, 'error'],
      [issues.length - errors, TEXT.warnings(issues.length - errors), firstWarning, 'warning'],
    ])) {
      if (count > 0 && first?.blockId) {
        const jump = button('button', `summary-jump summary-count ${className}`, text);
        jumps.set(jump, first);
        counts.append(jump);
      } else {
        counts.append(el('span', `summary-count ${className}`, text));
      }
    }
    summary.append(counts);
    if (orphans.length) {
      const list = el('ul', 'summary-list summary-orphans');
      for (const { issue, target } of orphans) {
        list.append(summaryItem(issue, target));
      }
      summary.append(list);
    }
    if (placed.length) {
      const all = el('details', 'summary-all');
      all.append(el('summary', undefined, TEXT.allIssues(placed.length)));
      const list = el('ul', 'summary-list');
      for (const { issue, target } of placed) {
        list.append(summaryItem(issue, target));
      }
      all.append(list);
      summary.append(all);
    }
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
