// @ts-check
/** The SLS map's projection into an SVG view box. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { drawMap, scaleBarMetres } from './svgmap.js';

// About 220 m wide and 110 m tall.
const AREA = /** @type {import('./rules.js').Area} */ ({
  type: 'Polygon',
  coordinates: [[[106.7, -6.3], [106.702, -6.3], [106.702, -6.299], [106.7, -6.299], [106.7, -6.3]]],
});

test('nothing to draw without an area or a point', () => {
  assert.equal(drawMap({}), null);
});

test('the area fills the width inside the margins, north up, shape kept', () => {
  const map = drawMap({ area: AREA, width: 320 });
  assert.ok(map);
  assert.equal(map.width, 320);
  // 2:1 (times the cosine of the latitude) plus margins.
  assert.ok(Math.abs(map.height - (0.84 * 320 * (111.2 / (221.1)) + 0.16 * 320)) < 3, String(map.height));
  assert.match(map.area, /^M25\.6 ([\d.]+)L294\.4 \1L294\.4 (2[5-6]\.\d)L25\.6 \2L25\.6 \1Z$/);
  assert.ok(Math.abs(map.metresPerUnit * (294.4 - 25.6) - 221.1) < 1);
  assert.equal(scaleBarMetres(map.metresPerUnit, 320), 50);
});

test('points and the phone are placed; a phone far away is not fitted in', () => {
  const inside = { lat: -6.2995, lon: 106.701 };
  const map = drawMap({ area: AREA, points: [inside], you: { lat: -6.3005, lon: 106.701 } });
  assert.ok(map);
  assert.equal(map.points[0].x, 160);
  assert.ok(map.you && map.you.y > map.points[0].y, 'south is down');
  assert.equal(map.youOutside, false);
  const far = drawMap({ area: AREA, you: { lat: -6.4, lon: 106.7 } });
  assert.ok(far);
  assert.equal(far.you, null);
  assert.equal(far.youOutside, true);
  assert.equal(far.height, drawMap({ area: AREA })?.height, 'drawn as without a position');
});

test('a single point gets a drawing 60 m across, not a dot filling the screen', () => {
  const map = drawMap({ points: [{ lat: -6.3, lon: 106.7 }] });
  assert.ok(map);
  assert.equal(map.area, '');
  assert.deepEqual(map.points[0], { x: 160, y: map.height / 2 });
  assert.ok(Math.abs(map.metresPerUnit * 320 * 0.84 - 60) < 0.5);
});
