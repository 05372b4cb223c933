// @ts-check
/** The doorstep geotag checks: the server's rules (geotag/services.py) on the phone. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { DEFAULT_RULES, checkGeotag, contains, distanceM, distanceToAreaM, parseRules, travelWarning } from './rules.js';

// A square of about 1.1 km around (-6.30, 106.70) with a 220 m hole in its middle.
const AREA = /** @type {import('./rules.js').Area} */ ({
  type: 'MultiPolygon',
  coordinates: [
    [
      [[106.695, -6.305], [106.705, -6.305], [106.705, -6.295], [106.695, -6.295], [106.695, -6.305]],
      [[106.699, -6.301], [106.701, -6.301], [106.701, -6.299], [106.699, -6.299], [106.699, -6.301]],
    ],
  ],
});
// Metres per degree of longitude at this latitude (sphere of the mean radius).
const M_PER_DEG_LON = (6_371_008.8 * Math.cos((6.3 * Math.PI) / 180) * Math.PI) / 180;

/**
 * @param {number} lat
 * @param {number} lon
 * @param {string} at
 * @param {number} [accuracy]
 */
const fix = (lat, lon, at, accuracy = 5) => ({ lat, lon, accuracy_m: accuracy, captured_at: at });

test('the defaults are the ones of geotag/rules.json, which the server reads', () => {
  const json = JSON.parse(readFileSync(new URL('../../../geotag/rules.json', import.meta.url), 'utf8'));
  for (const [key, value] of Object.entries(DEFAULT_RULES)) assert.equal(json[key], value, key);
  assert.deepEqual(parseRules(JSON.stringify({ ...json, max_speed_kmh: 60 })), { ...DEFAULT_RULES, max_speed_kmh: 60 });
  assert.deepEqual(parseRules('not json'), DEFAULT_RULES);
  assert.deepEqual(parseRules(undefined), DEFAULT_RULES);
});

test('distances: one degree of latitude is about 111.2 km', () => {
  assert.ok(Math.abs(distanceM({ lat: -6, lon: 106 }, { lat: -7, lon: 106 }) - 111_195) < 1);
  assert.equal(distanceM({ lat: -6.3, lon: 106.7 }, { lat: -6.3, lon: 106.7 }), 0);
});

test('inside, in a hole, outside', () => {
  assert.equal(contains({ lat: -6.303, lon: 106.697 }, AREA), true);
  assert.equal(contains({ lat: -6.3, lon: 106.7 }, AREA), false, 'the hole is not inside');
  assert.equal(contains({ lat: -6.31, lon: 106.7 }, AREA), false);
  assert.equal(distanceToAreaM({ lat: -6.303, lon: 106.697 }, AREA), 0);
  // 100 m east of the east edge, level with its middle part.
  const east = { lat: -6.3025, lon: 106.705 + 100 / M_PER_DEG_LON };
  assert.ok(Math.abs(distanceToAreaM(east, AREA) - 100) < 0.5, String(distanceToAreaM(east, AREA)));
  // In the hole: 100 m from its edges.
  assert.ok(Math.abs(distanceToAreaM({ lat: -6.3, lon: 106.7 }, AREA) - 0.001 * M_PER_DEG_LON) < 0.5);
});

test('outside the kelurahan by more than the tolerance is flagged, within it is not', () => {
  const rules = DEFAULT_RULES;
  const at = '2022-10-18T09:00:00+07:00';
  const near = fix(-6.3025, 106.705 + 40 / M_PER_DEG_LON, at);
  const far = fix(-6.3025, 106.705 + 60 / M_PER_DEG_LON, at);
  assert.deepEqual(checkGeotag(near, { kelurahan: AREA }, rules), []);
  assert.deepEqual(checkGeotag(far, { kelurahan: AREA }, rules), [{ code: 'outside_kelurahan', distance_m: 60 }]);
  // The SLS is checked too (the phone's own check), unless the kelurahan already said it.
  assert.deepEqual(checkGeotag(far, { sls: AREA }, rules), [{ code: 'outside_sls', distance_m: 60 }]);
  assert.deepEqual(checkGeotag(far, { sls: AREA, kelurahan: AREA }, rules), [{ code: 'outside_kelurahan', distance_m: 60 }]);
  // No boundary, no check.
  assert.deepEqual(checkGeotag(far, {}, rules), []);
});

test('accuracy worse than the limit is flagged', () => {
  assert.deepEqual(checkGeotag(fix(-6.3, 106.7, '2022-10-18T09:00:00+07:00', 31), {}, DEFAULT_RULES), [
    { code: 'accuracy', accuracy_m: 31, limit_m: 30 },
  ]);
  assert.deepEqual(checkGeotag(fix(-6.3, 106.7, '2022-10-18T09:00:00+07:00', 30), {}, DEFAULT_RULES), []);
});

test('travel: faster than the limit over more than the minimum distance, to the previous or the next point in time', () => {
  const rules = DEFAULT_RULES;
  const here = fix(-6.3, 106.7, '2022-10-18T09:10:00+07:00');
  // 1.1 km in one minute: 66 km/h, plausible on a motorbike.
  const slow = fix(-6.29, 106.7, '2022-10-18T09:09:00+07:00');
  assert.equal(travelWarning(here, slow, rules), null);
  // 11 km in five minutes: 133 km/h.
  const fast = fix(-6.2, 106.7, '2022-10-18T09:05:00+07:00');
  assert.deepEqual(travelWarning(here, fast, rules), { code: 'speed', km_per_h: 133.4, distance_m: 11_120, minutes: 5 });
  // 150 m in a second is fast but shorter than the minimum distance (GPS jumps).
  const jump = fix(-6.30135, 106.7, '2022-10-18T09:09:59+07:00');
  assert.equal(travelWarning(here, jump, rules), null);
  // Only the nearest points in time count: the fast one is older than the slow one.
  assert.deepEqual(checkGeotag(here, { others: [fast, slow] }, rules), []);
  assert.deepEqual(checkGeotag(here, { others: [fast] }, rules).map((w) => w.code), ['speed']);
  // The next point in time too (a geotag taken later, e.g. a phone clock moved).
  const next = fix(-6.2, 106.7, '2022-10-18T09:12:00+07:00');
  assert.deepEqual(checkGeotag(here, { others: [slow, next] }, rules).map((w) => w.code), ['speed']);
});
