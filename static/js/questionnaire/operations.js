// @ts-check
/**
 * The questionnaire's rule language on the phone: json-logic-js 2.0.5 restricted to an
 * operator whitelist, plus five custom operators (is_digits, is_upper_alnum, is_name,
 * is_date, possible_ages; see households/questionnaire/operations.py for their contract).
 *
 * The same whitelist and the same custom operators exist on the server
 * (households/questionnaire/logic.py and operations.py); the differential tests in
 * tests/questionnaire/ check that both engines agree.
 */
import jsonLogic from 'json-logic-js';

/**
 * The subset of json-logic-js used here.
 * @typedef {object} JsonLogicLib
 * @property {(rule: unknown, data?: unknown) => any} apply
 * @property {(name: string, fn: (...args: any[]) => any) => void} add_operation
 */

/** @type {JsonLogicLib} */
const logicLib = /** @type {any} */ (jsonLogic);

export const STANDARD_OPERATORS = Object.freeze([
  'var', 'missing', 'missing_some',
  'if', 'and', 'or', '!', '!!',
  '==', '===', '!=', '!==', '<', '<=', '>', '>=',
  '+', '-', '*', '/', '%', 'min', 'max',
  'in', 'cat', 'substr', 'merge',
  'some', 'all', 'none', 'filter', 'map', 'reduce',
]);

const UNKNOWN_PART = 98;
const DIGITS = /^[0-9]*$/;
const UPPER_ALNUM = /^[0-9A-Z]*$/;
const NAME_CHARS = /^[A-Za-z .'\-,]*$/;
const LETTER = /[A-Za-z]/;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * @param {number} year
 * @returns {boolean}
 */
function isLeapYear(year) {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * @param {number} year
 * @param {number} month
 * @returns {number}
 */
export function daysInMonth(year, month) {
  if (month === 2) {
    return isLeapYear(year) ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * [year, month, day] of a "YYYY-MM-DD" calendar date (year 0001-9999), else null.
 * @param {unknown} value
 * @returns {[number, number, number] | null}
 */
export function parseIsoDate(value) {
  if (typeof value !== 'string') {
    return null;
  }
  const match = ISO_DATE.exec(value);
  if (match === null) {
    return null;
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  return [year, month, day];
}

/**
 * The integer a JSON number holds (1.0 counts), else null.
 * @param {unknown} value
 * @returns {number | null}
 */
export function integerValue(value) {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/**
 * @param {unknown} value
 * @param {unknown} minLength
 * @param {unknown} maxLength
 * @param {RegExp} allowed
 * @returns {boolean}
 */
function charsWithin(value, minLength, maxLength, allowed) {
  const low = integerValue(minLength);
  const high = maxLength === undefined ? low : integerValue(maxLength);
  if (typeof value !== 'string' || low === null || high === null) {
    return false;
  }
  return low <= value.length && value.length <= high && allowed.test(value);
}

/**
 * @param {[number, number, number]} birth
 * @param {[number, number, number]} ref
 * @returns {number}
 */
function completedYears(birth, ref) {
  const before = ref[1] < birth[1] || (ref[1] === birth[1] && ref[2] < birth[2]);
  return ref[0] - birth[0] - (before ? 1 : 0);
}

/**
 * @param {[number, number, number]} a
 * @param {[number, number, number]} b
 * @returns {number} negative, 0 or positive as a is before, equal to or after b
 */
function compareDates(a, b) {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The completed ages a person born on (year, month, day) can have on refDate.
 * @param {unknown} refDate
 * @param {unknown} yearArg
 * @param {unknown} monthArg
 * @param {unknown} dayArg
 * @returns {number[]}
 */
export function possibleAges(refDate, yearArg, monthArg, dayArg) {
  const ref = parseIsoDate(refDate);
  const year = integerValue(yearArg);
  const month = integerValue(monthArg);
  const day = integerValue(dayArg);
  if (ref === null || year === null || month === null || day === null) {
    return [];
  }
  const monthKnown = month !== UNKNOWN_PART;
  const dayKnown = day !== UNKNOWN_PART;
  if (year < 1 || year > 9999 || (monthKnown && (month < 1 || month > 12)) || (dayKnown && (day < 1 || day > 31))) {
    return [];
  }
  if (monthKnown && dayKnown && day > daysInMonth(year, month)) {
    return [];
  }
  /** @type {[number, number, number]} */
  const earliest = [year, monthKnown ? month : 1, dayKnown ? day : 1];
  const latestMonth = monthKnown ? month : 12;
  /** @type {[number, number, number]} */
  let latest = [year, latestMonth, dayKnown ? day : daysInMonth(year, latestMonth)];
  if (compareDates(earliest, ref) > 0) {
    return [];
  }
  if (compareDates(latest, ref) > 0) {
    latest = ref;
  }
  const ages = [];
  for (let age = completedYears(latest, ref); age <= completedYears(earliest, ref); age += 1) {
    ages.push(age);
  }
  return ages;
}

/**
 * Custom operators, called by json-logic-js with evaluated arguments.
 * @type {Readonly<Record<string, (...args: any[]) => any>>}
 */
export const CUSTOM_OPERATIONS = Object.freeze({
  /** @type {(value?: unknown, minLength?: unknown, maxLength?: unknown) => boolean} */
  is_digits: (value, minLength, maxLength) => charsWithin(value, minLength, maxLength, DIGITS),
  /** @type {(value?: unknown, minLength?: unknown, maxLength?: unknown) => boolean} */
  is_upper_alnum: (value, minLength, maxLength) => charsWithin(value, minLength, maxLength, UPPER_ALNUM),
  /** @type {(value?: unknown) => boolean} */
  is_name: (value) => typeof value === 'string' && NAME_CHARS.test(value) && LETTER.test(value),
  /** @type {(value?: unknown) => boolean} */
  is_date: (value) => parseIsoDate(value) !== null,
  possible_ages: possibleAges,
});

export const OPERATORS = Object.freeze([...STANDARD_OPERATORS, ...Object.keys(CUSTOM_OPERATIONS)]);

/**
 * Operator names a rule uses, as json-logic-js would see them (a one-key object is an
 * operation; arrays are walked; other objects are literals).
 * @param {unknown} rule
 * @param {Set<string>} [found]
 * @returns {Set<string>}
 */
export function ruleOperators(rule, found = new Set()) {
  if (Array.isArray(rule)) {
    for (const item of rule) {
      ruleOperators(item, found);
    }
  } else if (rule !== null && typeof rule === 'object' && Object.keys(rule).length === 1) {
    const operator = Object.keys(rule)[0];
    found.add(operator);
    const values = /** @type {Record<string, unknown>} */ (rule)[operator];
    ruleOperators(Array.isArray(values) ? values : [values], found);
  }
  return found;
}

/**
 * Throws if the rule uses an operator outside the whitelist.
 * @param {unknown} rule
 */
export function assertWhitelisted(rule) {
  for (const operator of ruleOperators(rule)) {
    if (!OPERATORS.includes(operator)) {
      throw new Error(`Unrecognized operation ${operator}`);
    }
  }
}

/**
 * Registers the custom operators with json-logic-js (idempotent) and returns it.
 * @returns {JsonLogicLib}
 */
export function jsonLogicWithOperations() {
  for (const [name, fn] of Object.entries(CUSTOM_OPERATIONS)) {
    logicLib.add_operation(name, fn);
  }
  return logicLib;
}

/**
 * Evaluates a whitelisted rule against data.
 * @param {unknown} rule
 * @param {unknown} data
 * @returns {any}
 */
export function applyRule(rule, data) {
  assertWhitelisted(rule);
  return jsonLogicWithOperations().apply(rule, data);
}

/**
 * JsonLogic truthiness: JavaScript's, except that an empty array is false.
 * @param {unknown} value
 * @returns {boolean}
 */
export function truthy(value) {
  if (Array.isArray(value) && value.length === 0) {
    return false;
  }
  return Boolean(value);
}
