// @ts-check
/** values.js: a field's name, control kind, text hints and values, without a browser. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  MAX_RADIOS, choiceChecked, choiceKind, inlineChoices, choiceValue, displayText, fieldKey, formatLength, labelOf, labelText,
  pageInEnglish, parseText, sameValue, selectValue, setAnswer, textInput,
} from './values.js';

/** @typedef {import('./values.js').Item} Item */
/** @typedef {import('../../questionnaire/validate.js').Definition} Definition */

const ROOT = new URL('../../../../', import.meta.url);
/** @type {Definition} */
const DEFINITION = JSON.parse(readFileSync(new URL('households/questionnaire/definitions/regsosek22k-1.json', ROOT), 'utf8'));

/** @type {Map<string, Item>} every variable of the definition, family and member alike */
const VARIABLES = new Map();
for (const block of DEFINITION.blocks) {
  for (const item of block.items) {
    for (const variable of item.type === 'group' ? item.variables ?? [] : [item]) {
      VARIABLES.set(variable.id, variable);
    }
  }
}

/**
 * @param {string} id
 * @returns {Item}
 */
function variable(id) {
  const found = VARIABLES.get(id);
  assert.ok(found, `the definition has ${id}`);
  return found;
}

/**
 * @param {Partial<Item>} fields
 * @returns {Item}
 */
function made(fields) {
  return { id: 'x', label_id: 'X', label_en: 'X', type: 'string', required: false, ...fields };
}

test('a control is named f-<id> in the family and m<index>-<id> in a member row', () => {
  assert.equal(fieldKey('r101', null), 'f-r101');
  assert.equal(fieldKey('r402', 0), 'm0-r402');
  assert.equal(fieldKey('r406_tgl', 12), 'm12-r406_tgl');
});

test('text is parsed by the variable type; what does not parse is kept for the validator', () => {
  // strings are kept as typed, spaces included; only an empty field is unanswered
  assert.equal(parseText('string', ''), undefined);
  assert.equal(parseText('string', ' '), ' ');
  assert.equal(parseText('string', ' Budi '), ' Budi ');
  // integers
  assert.equal(parseText('integer', ' 42 '), 42);
  assert.equal(parseText('integer', '+7'), 7);
  assert.equal(parseText('integer', '-3'), -3);
  assert.equal(parseText('integer', '007'), 7);
  assert.equal(parseText('integer', '   '), undefined);
  assert.equal(parseText('integer', '4.5'), '4.5');
  assert.equal(parseText('integer', ' 1e3'), ' 1e3');
  // numbers take a decimal comma or point
  assert.equal(parseText('number', '3,5'), 3.5);
  assert.equal(parseText('number', ' 3.25 '), 3.25);
  assert.equal(parseText('number', ',5'), 0.5);
  assert.equal(parseText('number', '7.'), 7);
  assert.equal(parseText('number', '1.000,5'), '1.000,5');
  // dates are trimmed, never reformatted
  assert.equal(parseText('date', ' 2022-10-01 '), '2022-10-01');
  assert.equal(parseText('date', '01/10/2022'), '01/10/2022');
  assert.equal(parseText('date', ''), undefined);
});

test('a value is shown as text; unanswered and null show nothing', () => {
  assert.equal(displayText(undefined), '');
  assert.equal(displayText(null), '');
  assert.equal(displayText('SLS01'), 'SLS01');
  assert.equal(displayText(0), '0');
  assert.equal(displayText(3.5), '3.5');
  assert.equal(displayText(false), 'false');
});

test('values are the same when their JSON is; null is unanswered', () => {
  assert.ok(sameValue(undefined, null));
  assert.ok(sameValue([1, 2], [1, 2]));
  assert.ok(!sameValue([1, 2], [2, 1]));
  assert.ok(!sameValue(1, '1'));
  assert.ok(!sameValue(0, null));
  assert.ok(!sameValue('', undefined));
});

test('a select gives its code, the empty option nothing', () => {
  assert.equal(selectValue(''), undefined);
  assert.equal(selectValue('12'), 12);
});

test('choices give a boolean, the sorted codes of a multicode, or the one code', () => {
  const box = (/** @type {string} */ value, /** @type {boolean} */ checked) => ({ value, checked });
  assert.equal(choiceValue('boolean', [box('true', false)]), false);
  assert.equal(choiceValue('boolean', [box('true', true)]), true);
  assert.deepEqual(choiceValue('multicode', [box('4', true), box('1', false), box('2', true), box('16', true)]), [2, 4, 16]);
  assert.equal(choiceValue('multicode', [box('1', false)]), undefined);
  assert.equal(choiceValue('code', [box('1', false), box('2', true)]), 2);
  assert.equal(choiceValue('code', [box('1', false), box('2', false)]), undefined);
});

test('a choice is checked when the answer holds its code', () => {
  assert.ok(choiceChecked('boolean', true, 0));
  assert.ok(!choiceChecked('boolean', 'true', 0));
  assert.ok(choiceChecked('multicode', [1, 4], 4));
  assert.ok(!choiceChecked('multicode', [1, 4], 2));
  assert.ok(!choiceChecked('multicode', 4, 4), 'a multicode answer that is no list checks nothing');
  assert.ok(choiceChecked('code', 2, 2));
  assert.ok(!choiceChecked('code', '2', 2));
  assert.ok(!choiceChecked('code', null, 0));
  assert.ok(!choiceChecked('code', undefined, 0));
});

test('up to six codes are radio buttons, more a select; multicode is check boxes', () => {
  assert.equal(MAX_RADIOS, 6);
  assert.equal(choiceKind(variable('r111')), 'radio'); // 3 codes
  assert.equal(choiceKind(variable('r301b')), 'radio'); // 6 codes
  assert.equal(choiceKind(variable('r304')), null); // 7 codes: a select
  assert.equal(choiceKind(variable('r411')), 'checkbox');
  assert.equal(choiceKind(variable('r431f')), 'checkbox'); // 7 codes, still check boxes
  assert.equal(choiceKind(variable('r112')), null);
  assert.equal(choiceKind(made({ type: 'boolean' })), null);
});

test('the length of a code comes from its first check on itself', () => {
  assert.equal(formatLength(variable('r103'), 'is_digits'), 3);
  assert.equal(formatLength(variable('r103'), 'is_upper_alnum'), null);
  assert.equal(formatLength(variable('r105'), 'is_upper_alnum'), 4);
  assert.equal(formatLength(variable('r113'), 'is_upper_alnum'), 6);
  assert.equal(formatLength(variable('r108'), 'is_digits'), null); // is_name
  assert.equal(formatLength(variable('hp_responden'), 'is_digits'), null); // inside an "and"
  assert.equal(formatLength(variable('r107'), 'is_digits'), null); // no checks
  // a range gives its maximum; a check on another variable gives nothing
  const check = (/** @type {unknown} */ rule) => [{ id: 'c', rule, severity: /** @type {const} */ ('error'), message_id: '', message_en: '', variables: [] }];
  assert.equal(formatLength(made({ checks: check({ is_digits: [{ var: 'family.x' }, 9, 13] }) }), 'is_digits'), 13);
  assert.equal(formatLength(made({ checks: check({ is_digits: [{ var: 'family.y' }, 3] }) }), 'is_digits'), null);
  assert.equal(formatLength(made({ checks: check({ is_digits: [{ var: 'family.x' }, '3'] }) }), 'is_digits'), null);
});

test('text controls get the keyboard and length of what they hold', () => {
  const base = { textarea: false, type: 'text', keyboard: null, format: null, maxLength: null };
  assert.deepEqual(textInput(variable('r107')), base);
  assert.deepEqual(textInput(variable('r103')), { ...base, format: 'digits', maxLength: 3 });
  assert.deepEqual(textInput(variable('r105')), { ...base, format: 'capitals', maxLength: 4 });
  // NIK and No. KK: 16 digits, whatever their checks say
  assert.deepEqual(textInput(variable('r403')), { ...base, format: 'digits', maxLength: 16 });
  assert.deepEqual(textInput(variable('r114')), { ...base, format: 'digits', maxLength: 16 });
  assert.deepEqual(textInput(variable('hp_responden')), { ...base, format: 'tel' });
  assert.deepEqual(textInput(variable('r112')), { ...base, keyboard: 'numeric' });
  assert.deepEqual(textInput(variable('r201')), { ...base, type: 'date' });
  assert.deepEqual(textInput(variable('catatan')), { ...base, textarea: true });
  assert.deepEqual(textInput(made({ type: 'number' })), { ...base, keyboard: 'decimal' });
});

test('labels are Indonesian unless the page is English', () => {
  assert.equal(pageInEnglish(), false, 'node has no page');
  const entry = { label_id: 'Nama', label_en: 'Name' };
  assert.equal(labelOf(entry), 'Nama');
  assert.equal(labelOf(entry, true), 'Name');
  assert.equal(labelOf({ label_id: 'Nama' }, true), 'Nama');
  assert.equal(labelOf({}), '');
  assert.equal(labelText(variable('r402')), '402. Nama anggota keluarga');
  assert.equal(labelText(variable('r402'), true), '402. Member name');
  assert.equal(labelText(made({ label_id: 'Catatan', number: null })), 'Catatan');
});

test('an answer is stored, replaced or removed; an equal one changes nothing', () => {
  /** @type {Record<string, unknown>} */
  const row = { r101: '36' };
  assert.equal(setAnswer(row, 'r101', '36'), false);
  assert.equal(setAnswer(row, 'r102', undefined), false);
  assert.equal(setAnswer(row, 'r101', '37'), true);
  assert.equal(setAnswer(row, 'r411', [1, 2]), true);
  assert.equal(setAnswer(row, 'r411', [1, 2]), false);
  assert.deepEqual(row, { r101: '37', r411: [1, 2] });
  assert.equal(setAnswer(row, 'r101', undefined), true);
  assert.deepEqual(row, { r411: [1, 2] });
  // a null left in the record is the same answer as none, but the key goes away
  /** @type {Record<string, unknown>} */
  const member = { r403: null };
  assert.equal(setAnswer(member, 'r403', null), false);
  assert.equal(setAnswer(member, 'r403', undefined), true);
  assert.ok(!Object.hasOwn(member, 'r403'));
});

test('short yes/no lists sit side by side; longer or wordier ones stay a column', () => {
  assert.equal(inlineChoices(variable('r502a')), true); // 1. Ya / 2. Tidak
  assert.equal(inlineChoices(variable('r111')), false); // long labels
  assert.equal(inlineChoices(variable('r301b')), false); // 6 codes
  assert.equal(inlineChoices(variable('r411')), false); // checkboxes
});
