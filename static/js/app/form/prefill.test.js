// @ts-check
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { buildingAnswers, placeNotes, prefillOfficers } from './prefill.js';

const definition = JSON.parse(readFileSync(new URL('../../../../households/questionnaire/definitions/regsosek22k-1.json', import.meta.url), 'utf8'));
const team = { ppl: { name: 'ANI SUSANTI', code: 'ppl00001' }, pml: { name: 'DEDI KURNIAWAN', code: 'pml0001' } };

/**
 * @param {Record<string, unknown>} family
 * @param {Record<string, unknown>[]} [members]
 */
function record(family, members = []) {
  return { form: 'regsosek22k', version: '1', family, members };
}

test('Blok II of a new family starts with today, the PPL and the PML; 203 is left to the PML', () => {
  const { record: filled, filled: ids } = prefillOfficers(definition, record({ r101: '36' }), { today: '2022-10-18', team });
  assert.deepEqual(filled.family, {
    r101: '36', r201: '2022-10-18', r202_nama: 'ANI SUSANTI', r202_kode: 'ppl00001', r204_nama: 'DEDI KURNIAWAN', r204_kode: 'pml0001',
  });
  assert.deepEqual(ids, ['r201', 'r202_nama', 'r202_kode', 'r204_nama', 'r204_kode']);
});

test('an answer the PPL gave is never replaced, and an unknown PML fills nothing', () => {
  const start = record({ r201: '2022-10-17', r202_nama: 'NAMA LAIN' });
  const { record: filled, filled: ids } = prefillOfficers(definition, start, { today: '2022-10-18', team: { ppl: team.ppl, pml: null } });
  assert.equal(filled.family.r201, '2022-10-17');
  assert.equal(filled.family.r202_nama, 'NAMA LAIN');
  assert.deepEqual(ids, ['r202_kode']);
  assert.equal(start.family.r202_kode, undefined, 'the record given is not changed');
});

test('the building answers of another family are offered: only Blok III items marked building, only what differs', () => {
  const source = record({ r301a: 2, r302: 36, r303: 2, r304: 1, r305: 3, r306a: 4, r307a: 1, r310: 1, r109: '001' });
  const copied = buildingAnswers(definition, record({ r304: 1 }), source);
  assert.deepEqual(copied, { r303: 2, r305: 3, r306a: 4, r307a: 1, r310: 1 });
  assert.ok(!('r301a' in copied) && !('r302' in copied), "ownership and floor area are each family's own");
  assert.deepEqual(buildingAnswers(definition, source, source), {});
});

test("a supervisor's note goes to its member row by line number, or above the form", () => {
  const rec = record({}, [{ r401: 1 }, { r401: 2 }]);
  const notes = [
    { variable: 'r302', member: null, comment: 'Luas lantai?' },
    { variable: 'r407', member: 2, comment: 'Umur?' },
    { variable: 'r407', member: 5, comment: 'Anggota ke-5?' },
    { variable: 'r405', member: 1, comment: ' ' },
  ];
  assert.deepEqual(placeNotes(notes, rec, 'r401'), [
    { variable: 'r302', member: null, comment: 'Luas lantai?' },
    { variable: 'r407', member: 1, comment: 'Umur?' },
    { variable: '', member: null, comment: 'Anggota ke-5?' },
  ]);
});
