// @ts-check
/**
 * The sync engine's invariants (property-harness.js): the sequences kept from failures and the issue,
 * and the first half of the random sequences.
 */
import { test } from 'node:test';

import { FIXED_CASES, runHalf, runSequence } from './property-harness.js';

for (const [name, commands] of FIXED_CASES) {
  test(`sync sequence: ${name}`, async () => {
    await runSequence(commands);
  });
}

test('sync engine invariants hold for random sequences (first half)', async () => {
  await runHalf(0);
});
