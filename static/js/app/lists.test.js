// @ts-check
/** The VK1 list's and the task list's rules, and the family states in words. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { familyStage, familyStatusLabel } from '../ui/labels.js';
import { buildingKey, byUrgency, categoryOf, likelyDuplicates, matches, normalize, visited } from './lists.js';

test('a family state in the PPL words: approved and sent are told apart, an untouched draft is not a draft', () => {
  assert.equal(familyStage({ status: 'draft', untouched: true }), 'untouched');
  assert.equal(familyStage({ status: 'draft' }), 'draft');
  assert.equal(familyStage({ status: 'final' }), 'waiting');
  assert.equal(familyStage({ status: 'sent', server_status: 'submitted' }), 'sent');
  assert.equal(familyStage({ status: 'sent', server_status: 'approved' }), 'approved');
  assert.equal(familyStage({ status: 'returned', server_status: 'returned' }), 'returned');
  assert.equal(familyStage({ status: 'conflict', conflict_reason: 'returned' }), 'returned');
  assert.equal(familyStage({ status: 'conflict', conflict_reason: 'changed' }), 'conflict');
  assert.equal(familyStage({ status: 'rejected' }), 'rejected');
  const words = new Set(
    /** @type {const} */ (['draft', 'final', 'sent', 'conflict', 'rejected', 'returned']).map((status) => familyStatusLabel({ status })),
  );
  assert.equal(words.size, 6, 'six states, six different words');
  assert.notEqual(familyStatusLabel({ status: 'sent', server_status: 'approved' }), familyStatusLabel({ status: 'sent', server_status: 'submitted' }));
  assert.equal(familyStatusLabel({ status: 'final' }), 'Menunggu dikirim');
});

test('filters: not visited, in progress, waiting, returned', () => {
  assert.equal(categoryOf('pending', null), 'not_visited');
  assert.equal(categoryOf('moved', null), 'done');
  assert.equal(categoryOf('found', 'untouched'), 'in_progress');
  assert.equal(categoryOf('found', 'draft'), 'in_progress');
  assert.equal(categoryOf('found', 'conflict'), 'in_progress');
  assert.equal(categoryOf('found', 'waiting'), 'waiting');
  assert.equal(categoryOf('found', 'returned'), 'returned');
  assert.equal(categoryOf('found', 'sent'), 'done');
  assert.equal(categoryOf('found', 'approved'), 'done');
  assert.deepEqual(visited(['pending', 'found', 'moved', 'pending']), { done: 2, total: 4 });
});

test('search by name, address, building number or VK1 line, whatever the case and spacing', () => {
  const row = { name: 'Budi  Santoso', address: 'Jl. Mawar No. 5', building: '007', line: 12 };
  assert.equal(normalize('  BUDI   santoso '), 'budi santoso');
  assert.ok(matches('budi', row));
  assert.ok(matches('santoso budi', row), 'words in any order');
  assert.ok(matches('mawar', row));
  assert.ok(matches('7', row), 'building 007');
  assert.ok(matches('12', row), 'VK1 line');
  assert.ok(matches('', row));
  assert.ok(!matches('budi melati', row));
  assert.ok(!matches('8', row));
  assert.ok(matches('5', row), 'a number in the address');
});

test('a new family that may duplicate one on the list: same head name or same building', () => {
  const candidates = [
    { key: 'a', name: 'BUDI SANTOSO', building: '' },
    { key: 'b', name: 'Siti Aminah', building: '12' },
    { key: 'c', name: 'Budi Hartono', building: '3' },
  ];
  assert.deepEqual(likelyDuplicates({ name: 'budi  santoso', building: '' }, candidates).map((c) => c.key), ['a']);
  assert.deepEqual(likelyDuplicates({ name: 'Joko', building: '012' }, candidates).map((c) => c.key), ['b']);
  assert.deepEqual(likelyDuplicates({ name: 'Joko', building: '' }, candidates), []);
  assert.equal(buildingKey(' 012 '), '12');
});

test('tasks: returns first, the latest return on top, then conflicts, then refusals', () => {
  const tasks = [
    { id: 1, stage: /** @type {const} */ ('rejected'), updated_at: 9 },
    { id: 2, stage: /** @type {const} */ ('returned'), return_id: 10, updated_at: 1 },
    { id: 3, stage: /** @type {const} */ ('conflict'), updated_at: 5 },
    { id: 4, stage: /** @type {const} */ ('returned'), return_id: 42, updated_at: 0 },
  ];
  assert.deepEqual(byUrgency(tasks).map((t) => t.id), [4, 2, 3, 1]);
});
