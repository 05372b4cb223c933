// @ts-check
/**
 * The sync engine's invariants (property-harness.js): the second half of the random sequences, in a
 * file of its own so that node's test runner runs it beside the first.
 */
import { test } from 'node:test';

import { runHalf } from './property-harness.js';

test('sync engine invariants hold for random sequences (second half)', async () => {
  await runHalf(1);
});
