// @ts-check
/** The parts of the sensors module that run without a browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { currentFix, isoWithOffset } from './media.js';

test('a geotag time carries the phone offset, as the server expects', () => {
  const iso = isoWithOffset(new Date(Date.UTC(2022, 9, 18, 2, 30, 5)));
  assert.match(iso, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  // Whatever the machine's zone, it names the same instant.
  assert.equal(new Date(iso).getTime(), Date.UTC(2022, 9, 18, 2, 30, 5));
});

test('a GPS fix is rounded and stamped; refusals and missing GPS have their own codes', async () => {
  /** @type {any} */
  const geolocation = {
    getCurrentPosition: (/** @type {PositionCallback} */ ok, /** @type {any} */ _fail, /** @type {any} */ options) => {
      assert.equal(options.enableHighAccuracy, true);
      assert.equal(options.maximumAge, 0);
      ok(/** @type {any} */ ({ coords: { latitude: -6.344512345678, longitude: 106.65281234567, accuracy: 7.456 }, timestamp: Date.UTC(2022, 9, 18) }));
    },
  };
  const fix = await currentFix(geolocation);
  assert.deepEqual([fix.lat, fix.lon, fix.accuracy_m, fix.provider], [-6.3445123, 106.6528123, 7.5, 'gps']);
  assert.equal(new Date(fix.captured_at).getTime(), Date.UTC(2022, 9, 18));

  /** @type {any} */
  const denied = { getCurrentPosition: (/** @type {any} */ _ok, /** @type {any} */ fail) => fail({ code: 1 }) };
  await assert.rejects(currentFix(denied), { code: 'denied' });
  /** @type {any} */
  const slow = { getCurrentPosition: (/** @type {any} */ _ok, /** @type {any} */ fail) => fail({ code: 3 }) };
  await assert.rejects(currentFix(slow), { code: 'timeout' });
  await assert.rejects(currentFix(undefined), { code: 'unsupported' });
});
