// @ts-check
/**
 * The sync layer knows no UI: it keeps and emits codes (and the server's own text); the screens
 * word them (static/js/ui/labels.js). Nothing under static/js/sync/ imports the UI or the screens.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

test('static/js/sync/ imports nothing from ui/ or app/', () => {
  const here = new URL('./', import.meta.url);
  const offenders = [];
  for (const name of readdirSync(here)) {
    if (!name.endsWith('.js') || name.endsWith('.test.js')) continue;
    const source = readFileSync(new URL(name, here), 'utf8');
    for (const match of source.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
      if (/^\.\.\/(ui|app)\//.test(match[1])) offenders.push(`${name} → ${match[1]}`);
    }
  }
  assert.deepEqual(offenders, []);
});
