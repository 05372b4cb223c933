// @ts-check
/**
 * A form field without the DOM: its name, the kind of control a variable gets, the hints its text
 * input carries, and the values its controls hold (parsing, display, equality). static/js/app/form/
 * fields.js builds, reads and writes the controls with these.
 */

/**
 * @typedef {import('../../questionnaire/validate.js').Item & {note?: string, help_id?: string, help_en?: string, building?: boolean}} Item
 * a variable or the group; `note` is for developers and never shown, `help_id` / `help_en` is the PPL's help
 */
/** @typedef {import('../../questionnaire/validate.js').Row} Row */

/**
 * @typedef {object} TextInput  how a variable's text control is made
 * @property {boolean} textarea  a text area instead of a one-line input
 * @property {'text' | 'date'} type  the input's type (unused for a text area)
 * @property {'numeric' | 'decimal' | null} keyboard  an integer's or a number's keyboard (never a text area's)
 * @property {'tel' | 'digits' | 'capitals' | null} format  a string's: a phone number (its input
 *   type and keyboard), digits (numeric keyboard) or capitals and digits (capitalised)
 * @property {number | null} maxLength  of digits and capitals
 */

/** Variables typed as a text area instead of a one-line input. */
const TEXTAREA_IDS = new Set(['catatan']);
/** String variables that are numbers on paper (NIK, No. KK): numeric keyboard, 16 digits. */
const NUMERIC_16_IDS = new Set(['r403', 'r114']);
/** Phone numbers. */
const TEL_IDS = new Set(['hp_responden']);
/** Code lists up to this length are radio buttons, longer ones a select. */
export const MAX_RADIOS = 6;

/**
 * @param {object} obj
 * @param {string} key
 * @returns {boolean}
 */
function hasOwn(obj, key) {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * The id and name of a variable's control: `f-<id>` in the family, `m<index>-<id>` in a member row.
 * @param {string} variableId
 * @param {number | null} member
 * @returns {string}
 */
export function fieldKey(variableId, member) {
  return member === null ? `f-${variableId}` : `m${member}-${variableId}`;
}

/**
 * Two answers are the same when their JSON is (null and unanswered are the same).
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
export function sameValue(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The value a text control holds for its variable type; text that does not parse is kept
 * as it is (the validator reports its type), an empty field is unanswered (undefined).
 * @param {string} type
 * @param {string} raw
 * @returns {unknown}
 */
export function parseText(type, raw) {
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
 * An answer as a text control shows it ('' when unanswered).
 * @param {unknown} value
 * @returns {string}
 */
export function displayText(value) {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : String(value);
}

/**
 * The value of a select: its code, or undefined for the empty option.
 * @param {string} raw
 * @returns {number | undefined}
 */
export function selectValue(raw) {
  return raw === '' ? undefined : Number(raw);
}

/**
 * The value a variable's check boxes or radio buttons hold: a boolean's one box is true or false;
 * multicode gives its checked codes in ascending order, a code the checked one, undefined when none.
 * @param {string} type
 * @param {readonly {value: string, checked: boolean}[]} choices  the inputs, in order
 * @returns {unknown}
 */
export function choiceValue(type, choices) {
  if (type === 'boolean') {
    return choices[0].checked;
  }
  const checked = choices.filter((input) => input.checked).map((input) => Number(input.value));
  if (type === 'multicode') {
    return checked.length ? checked.sort((a, b) => a - b) : undefined;
  }
  return checked.length ? checked[0] : undefined;
}

/**
 * Whether the choice for `code` is checked when the variable's answer is `value` (a boolean has a
 * single box, checked for true).
 * @param {string} type
 * @param {unknown} value
 * @param {number} code
 * @returns {boolean}
 */
export function choiceChecked(type, value, code) {
  if (type === 'boolean') {
    return value === true;
  }
  if (type === 'multicode') {
    return Array.isArray(value) && value.includes(code);
  }
  return value !== null && value !== undefined && code === value;
}

/**
 * Radio buttons for a code list up to MAX_RADIOS long, check boxes for multicode, else null (a
 * select, a single check box for a boolean, or a text control).
 * @param {Item} variable
 * @returns {'radio' | 'checkbox' | null}
 */
export function choiceKind(variable) {
  const codes = variable.codes ?? [];
  if (variable.type === 'multicode') {
    return 'checkbox';
  }
  return variable.type === 'code' && codes.length <= MAX_RADIOS ? 'radio' : null;
}

/** Radio buttons side by side when there are at most this many, each label this short at most. */
export const INLINE_RADIOS = 3;
export const INLINE_LABEL = 12;

/**
 * Whether a variable's radio buttons sit side by side (e.g. "1. Ya" / "2. Tidak"): a short list of
 * short labels in both languages. Halves the height of the long Ya/Tidak blocks (Blok V).
 * @param {Item} variable
 * @returns {boolean}
 */
export function inlineChoices(variable) {
  const codes = variable.codes ?? [];
  return (
    choiceKind(variable) === 'radio' &&
    codes.length <= INLINE_RADIOS &&
    codes.every((entry) => [entry.label_id, entry.label_en].every((label) => `${entry.code}. ${label ?? ''}`.length <= INLINE_LABEL))
  );
}

/**
 * The maximum length of a string variable whose first check is `operator` (is_digits or
 * is_upper_alnum) on itself, e.g. 3 for 103 (kecamatan code), else null.
 * @param {Item} variable
 * @param {string} operator
 * @returns {number | null}
 */
export function formatLength(variable, operator) {
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
 * The text control of a variable that has no choices: a text area for notes, else an input
 * (date or text) with the keyboard its type needs; a string gets the phone keyboard, or the
 * numeric one and its length (NIK, No. KK, digit codes), or capitals and its length (SLS codes).
 * @param {Item} variable
 * @returns {TextInput}
 */
export function textInput(variable) {
  const textarea = TEXTAREA_IDS.has(variable.id);
  /** @type {TextInput} */
  const spec = {
    textarea,
    type: variable.type === 'date' ? 'date' : 'text',
    keyboard: null,
    format: null,
    maxLength: null,
  };
  if (!textarea && variable.type === 'integer') {
    spec.keyboard = 'numeric';
  } else if (!textarea && variable.type === 'number') {
    spec.keyboard = 'decimal';
  }
  if (variable.type === 'string') {
    const digits = NUMERIC_16_IDS.has(variable.id) ? 16 : formatLength(variable, 'is_digits');
    const alnum = formatLength(variable, 'is_upper_alnum');
    if (TEL_IDS.has(variable.id)) {
      spec.format = 'tel';
    } else if (digits !== null) {
      spec.format = 'digits';
      spec.maxLength = digits;
    } else if (alnum !== null) {
      spec.format = 'capitals';
      spec.maxLength = alnum;
    }
  }
  return spec;
}

/**
 * Whether the page is shown in English (the user chose it); false without a page (node).
 * @returns {boolean}
 */
export function pageInEnglish() {
  return typeof document !== 'undefined' && document.documentElement.lang.startsWith('en');
}

/**
 * The definition's label in the page's language: Indonesian, or English when the user chose it.
 * @param {{label_id?: string, label_en?: string}} entry
 * @param {boolean} [english]  the page's language when not given
 * @returns {string}
 */
export function labelOf(entry, english = pageInEnglish()) {
  return (english ? entry.label_en : entry.label_id) ?? entry.label_id ?? '';
}

/**
 * The help a PPL reads under a question, in the page's language ('' when it has none). A variable's
 * `note` is for developers and is never shown.
 * @param {Item} variable
 * @param {boolean} [english]  the page's language when not given
 * @returns {string}
 */
export function helpText(variable, english = pageInEnglish()) {
  return (english ? variable.help_en : variable.help_id) ?? variable.help_id ?? '';
}

/**
 * "<number>. <label>", or the label alone when the variable has no number.
 * @param {Item} variable
 * @param {boolean} [english]  the page's language when not given
 * @returns {string}
 */
export function labelText(variable, english = pageInEnglish()) {
  return variable.number ? `${variable.number}. ${labelOf(variable, english)}` : labelOf(variable, english);
}

/**
 * Stores an answer in a row, or removes it when `value` is undefined (unanswered). Returns whether
 * the row changed: an equal answer is left alone, but an unanswered key that holds null is removed.
 * @param {Row} row
 * @param {string} id
 * @param {unknown} value
 * @returns {boolean}
 */
export function setAnswer(row, id, value) {
  if (sameValue(row[id], value) && (value !== undefined || !hasOwn(row, id))) {
    return false;
  }
  if (value === undefined) {
    delete row[id];
  } else {
    row[id] = value;
  }
  return true;
}
