// @ts-check
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { recordDifferences } from './differences.js';

/** @type {import('./validate.js').Definition} */
const definition = /** @type {any} */ ({
  form: 'f',
  version: '1',
  messages: {},
  context: {},
  derived: [],
  blocks: [
    {
      id: 'b1',
      items: [
        { id: 'r107', number: '107', label_id: 'Nama jalan', label_en: 'Street', type: 'text', required: false },
        { id: 'r302', number: '302', label_id: 'Luas lantai', label_en: 'Floor area', type: 'integer', required: false },
      ],
    },
    {
      id: 'b4',
      items: [
        {
          id: 'members',
          number: '400',
          label_id: 'Anggota keluarga',
          label_en: 'Family members',
          type: 'group',
          required: false,
          variables: [
            { id: 'r402', number: '402', label_id: 'Nama', label_en: 'Name', type: 'text', required: true },
            { id: 'r407', number: '407', label_id: 'Umur', label_en: 'Age', type: 'integer', required: true },
          ],
        },
      ],
    },
  ],
});

/**
 * @param {Record<string, unknown>} family
 * @param {Record<string, unknown>[]} members
 */
const rec = (family, members) => ({ form: 'f', version: '1', family, members });

test('lists the family and member variables that differ, with numbers and labels', () => {
  const mine = rec({ r107: 'Jl. Mawar', r302: 40 }, [{ r402: 'Budi', r407: 40 }, { r402: 'Siti', r407: 38 }]);
  const theirs = rec({ r107: 'Jl. Mawar', r302: 45 }, [{ r402: 'Budi', r407: 41 }]);
  assert.deepEqual(
    recordDifferences(definition, mine, theirs).map((d) => [d.number, d.label, d.member]),
    [
      ['302', 'Luas lantai', null],
      ['407', 'Umur', 1],
      ['400', 'Anggota keluarga', 2],
    ],
  );
  assert.equal(recordDifferences(definition, mine, theirs, 'en')[0].label, 'Floor area');
});

test('equal records, and an answer missing on one side counted once', () => {
  const a = rec({ r107: 'x' }, []);
  assert.deepEqual(recordDifferences(definition, a, structuredClone(a)), []);
  assert.deepEqual(
    recordDifferences(definition, rec({ r107: 'x', r302: null }, []), rec({ r107: 'x' }, [])),
    [],
    'null and missing are the same empty answer',
  );
  assert.equal(recordDifferences(definition, rec({}, []), rec({ r302: 1 }, [])).length, 1);
});
