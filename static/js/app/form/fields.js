// @ts-check
/**
 * A variable's field on the page: built (label, the PPL's help, control, a supervisor's note, issue
 * slot), read and written. The definition's `note` is for developers and is never put on the page.
 * The decisions (which control, which keyboard, how a value is parsed and shown) are the pure
 * functions of values.js; this module only turns them into elements.
 */
import { button, el } from './elements.js';
import { TEXT } from './text.js';
import {
  choiceChecked, choiceKind, choiceValue, displayText, fieldKey, helpText, inlineChoices, labelOf, labelText, parseText, selectValue, textInput,
} from './values.js';

/** @typedef {import('./values.js').Item} Item */

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
 * @property {HTMLElement} review  where the supervisor's note on this answer goes
 * @property {HTMLElement} req  the required marker
 * @property {Control | null} control  the text input, text area or select
 * @property {HTMLInputElement[]} choices  the radio buttons or checkboxes
 * @property {HTMLButtonElement | null} clear  "clear choice" of a radio group
 */

/**
 * Builds the field of a family variable (member null) or of a member's variable, empty.
 * @param {Item} variable
 * @param {number | null} member
 * @param {string} blockId
 * @returns {Field}
 */
export function buildField(variable, member, blockId) {
  const key = fieldKey(variable.id, member);
  const codes = variable.codes ?? [];
  const choiceType = choiceKind(variable);
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
  const help = helpText(variable);
  if (help) {
    const note = el('p', 'field-help', help);
    note.id = `help-${key}`;
    wrapper.append(note);
  }
  const review = el('p', 'review-note');
  review.id = `review-${key}`;
  review.hidden = true;
  /** @param {HTMLElement} input */
  const tag = (input) => {
    input.dataset.variable = variable.id;
    if (member !== null) {
      input.dataset.member = String(member);
    }
    input.setAttribute('aria-describedby', help ? `help-${key} review-${key}` : `review-${key}`);
  };

  /** @type {Field} */
  const field = {
    key, variable, member, blockId, wrapper, req, control: null, choices: [], clear: null, review,
    issues: el('div', 'issues'),
  };

  if (choiceType) {
    const list = el('div', choiceType === 'radio' ? `choices radios${inlineChoices(variable) ? ' inline' : ''}` : 'choices checks');
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
    const input = textControl(textInput(variable), key);
    tag(input);
    wrapper.append(input);
    field.control = input;
  }
  if (heading instanceof HTMLLabelElement) {
    heading.htmlFor = key;
  }
  wrapper.append(review, field.issues);
  return field;
}

/**
 * A text input or text area as `spec` says, with id and name `key`.
 * @param {import('./values.js').TextInput} spec
 * @param {string} key
 * @returns {HTMLInputElement | HTMLTextAreaElement}
 */
function textControl(spec, key) {
  /** @type {HTMLInputElement | HTMLTextAreaElement} */
  let input;
  if (spec.textarea) {
    input = el('textarea', 'input');
    input.rows = 4;
  } else {
    input = el('input', 'input');
    input.type = spec.type;
    if (spec.keyboard) {
      input.inputMode = spec.keyboard;
    }
  }
  input.name = key;
  input.id = key;
  input.autocomplete = 'off';
  input.spellcheck = false;
  if (spec.format === 'tel') {
    if (input instanceof HTMLInputElement) {
      input.type = 'tel';
    }
    input.inputMode = 'tel';
  } else if (spec.format === 'digits' && spec.maxLength !== null) {
    input.inputMode = 'numeric';
    input.maxLength = spec.maxLength;
  } else if (spec.format === 'capitals' && spec.maxLength !== null) {
    input.autocapitalize = 'characters';
    input.maxLength = spec.maxLength;
  }
  return input;
}

/**
 * Shows a value in a field's control(s).
 * @param {Field} field
 * @param {unknown} value
 */
export function writeField(field, value) {
  const { variable } = field;
  if (field.control) {
    field.control.value = displayText(value);
    if (field.control instanceof HTMLSelectElement && field.control.value !== displayText(value)) {
      field.control.value = '';
    }
  } else {
    for (const input of field.choices) {
      input.checked = choiceChecked(variable.type, value, Number(input.value));
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
export function readField(field) {
  const { variable } = field;
  if (field.control) {
    if (field.control instanceof HTMLSelectElement) {
      return selectValue(field.control.value);
    }
    return parseText(variable.type, field.control.value);
  }
  return choiceValue(variable.type, field.choices);
}
