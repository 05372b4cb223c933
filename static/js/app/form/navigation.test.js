// @ts-check
/** navigation.js: blocks and fields shown from a relevance object, without a browser. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { emptyRecord, relevance } from '../../questionnaire/relevance.js';
import { blockAvailable, blockToShow, fieldRelevant, fieldRequired, neighbourBlock } from './navigation.js';

/** @typedef {import('../../questionnaire/validate.js').Definition} Definition */
/** @typedef {import('../../questionnaire/relevance.js').Relevance} Relevance */

const ROOT = new URL('../../../../', import.meta.url);
/** @type {Definition} */
const DEFINITION = JSON.parse(readFileSync(new URL('households/questionnaire/definitions/regsosek22k-1.json', ROOT), 'utf8'));
const IDS = DEFINITION.blocks.map((block) => block.id);

/**
 * @param {Record<string, unknown>} family
 * @param {Record<string, unknown>[]} [members]
 * @returns {Relevance}
 */
function relevanceOf(family, members = []) {
  return relevance(DEFINITION, { ...emptyRecord(DEFINITION), family, members });
}

/**
 * @param {Relevance} rel
 * @param {number} memberCount
 * @returns {(blockId: string) => boolean}
 */
function availableIn(rel, memberCount) {
  return (blockId) => blockAvailable(rel, blockId, 'IV', memberCount);
}

test('blocks III-V open only for a found family, Blok IV also while it holds members to remove', () => {
  assert.deepEqual(IDS, ['I', 'II', 'III', 'IV', 'V', 'VI']);
  const found = relevanceOf({ r205: 1 });
  assert.deepEqual(IDS.filter(availableIn(found, 0)), IDS);
  const refused = relevanceOf({ r205: 3 });
  assert.deepEqual(IDS.filter(availableIn(refused, 0)), ['I', 'II', 'VI']);
  assert.deepEqual(IDS.filter(availableIn(refused, 2)), ['I', 'II', 'IV', 'VI']);
  assert.ok(!blockAvailable(refused, 'IV', null, 2), 'only the group block holds members');
});

test('previous and next skip the blocks that cannot be opened', () => {
  const refused = availableIn(relevanceOf({ r205: 3 }), 0);
  assert.equal(neighbourBlock(IDS, 'II', 1, refused), 'VI');
  assert.equal(neighbourBlock(IDS, 'VI', -1, refused), 'II');
  assert.equal(neighbourBlock(IDS, 'I', -1, refused), null);
  assert.equal(neighbourBlock(IDS, 'VI', 1, refused), null);
  const found = availableIn(relevanceOf({ r205: 1 }), 0);
  assert.equal(neighbourBlock(IDS, 'II', 1, found), 'III');
  assert.equal(neighbourBlock(IDS, 'IV', -1, found), 'III');
  // an unknown block: forward starts at the first one, back finds nothing
  assert.equal(neighbourBlock(IDS, 'X', 1, found), 'I');
  assert.equal(neighbourBlock(IDS, 'X', -1, found), null);
});

test('a block that closes falls back to the one before it, else after it', () => {
  const refused = availableIn(relevanceOf({ r205: 3 }), 0);
  assert.equal(blockToShow(IDS, 'II', refused), 'II');
  assert.equal(blockToShow(IDS, 'IV', refused), 'II');
  assert.equal(blockToShow(['III', 'IV', 'VI'], 'III', refused), 'VI');
  assert.equal(blockToShow(['III', 'IV'], 'III', refused), 'III');
});

test('a field is shown when its variable is relevant, in the family or in its member row', () => {
  const rel = relevanceOf({ r205: 1 }, [{ r401: 1, r404: 1 }, { r401: 2, r404: 1, r405: 2, r407: 30, r408: 2 }]);
  assert.ok(fieldRelevant(rel, 'r301a', null));
  assert.ok(!fieldRelevant(rel, 'r301b', null), '301b only for own dwellings');
  assert.ok(fieldRelevant(rel, 'r402', 0));
  assert.ok(fieldRelevant(rel, 'r410', 1), '410 for a married woman aged 10-54');
  assert.ok(!fieldRelevant(rel, 'r410', 0));
  assert.ok(!fieldRelevant(rel, 'r402', 5), 'a row that is not there');
  const refused = relevanceOf({ r205: 3 }, [{ r401: 1 }]);
  assert.ok(!fieldRelevant(refused, 'r301a', null));
  assert.ok(!fieldRelevant(refused, 'r402', 0), 'the whole group is skipped');
});

test('the required marker shows in blocks whose required_when holds', () => {
  const variable = DEFINITION.blocks[2].items[0];
  assert.equal(variable.id, 'r301a');
  assert.ok(fieldRequired(variable, relevanceOf({ r205: 1 }), 'III'));
  assert.ok(!fieldRequired(variable, relevanceOf({ r205: 2 }), 'III'), 'a partly completed interview');
  assert.ok(!fieldRequired({ ...variable, required: false }, relevanceOf({ r205: 1 }), 'III'));
  assert.ok(fieldRequired(DEFINITION.blocks[0].items[0], relevanceOf({}), 'I'));
});
