// @ts-check
/**
 * The server's geotag checks (geotag/services.py, docs/sync.md "Geotags"), applied on the phone at
 * the doorstep, with the same thresholds (geotag/rules.json, handed over by the app shell). Pure:
 * no DOM, no storage.
 *
 * Distances are on a sphere of the mean Earth radius; PostGIS measures on the WGS 84 spheroid. At
 * the scale of a kelurahan the two differ by less than 0.5 %, i.e. under 0.25 m at the 50 m
 * tolerance: a point the phone passes the server passes too, except within centimetres of the line.
 */

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

/**
 * @typedef {object} GeotagRules  geotag/rules.json (the values in force)
 * @property {number} max_accuracy_m
 * @property {number} area_tolerance_m
 * @property {number} same_point_m
 * @property {number} max_speed_kmh
 * @property {number} speed_min_distance_m
 */

/** The defaults of geotag/rules.json, for a shell that carries none (an older server). */
export const DEFAULT_RULES = Object.freeze({
  max_accuracy_m: 30,
  area_tolerance_m: 50,
  same_point_m: 1,
  max_speed_kmh: 80,
  speed_min_distance_m: 200,
});

/**
 * @typedef {{lat: number, lon: number}} LatLon
 * @typedef {{type: 'Polygon', coordinates: number[][][]} | {type: 'MultiPolygon', coordinates: number[][][][]}} Area
 *   GeoJSON, [lon, lat] positions
 */

const rad = (/** @type {number} */ deg) => (deg * Math.PI) / 180;

/**
 * Great-circle distance in metres (haversine).
 * @param {LatLon} a
 * @param {LatLon} b
 * @returns {number}
 */
export function distanceM(a, b) {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/**
 * The polygons of an area (a Polygon is one of them).
 * @param {Area} area
 * @returns {number[][][][]}
 */
export function polygonsOf(area) {
  if (area.type === 'Polygon') return [area.coordinates];
  if (area.type === 'MultiPolygon') return area.coordinates;
  return [];
}

/**
 * Ray casting: is the point inside the ring (closed or not)?
 * @param {LatLon} point
 * @param {number[][]} ring
 * @returns {boolean}
 */
function inRing(point, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > point.lat !== yj > point.lat && point.lon < ((xj - xi) * (point.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Inside the area (inside an outer ring and outside its holes)?
 * @param {LatLon} point
 * @param {Area} area
 * @returns {boolean}
 */
export function contains(point, area) {
  return polygonsOf(area).some((rings) => rings.length > 0 && inRing(point, rings[0]) && !rings.slice(1).some((hole) => inRing(point, hole)));
}

/**
 * Distance in metres from the point to the nearest edge of the area, 0 inside. Edges are measured
 * in a local plane around the point (equirectangular), exact enough within a few kilometres.
 * @param {LatLon} point
 * @param {Area} area
 * @returns {number}
 */
export function distanceToAreaM(point, area) {
  if (contains(point, area)) return 0;
  const kx = EARTH_RADIUS_M * Math.cos(rad(point.lat)) * (Math.PI / 180);
  const ky = EARTH_RADIUS_M * (Math.PI / 180);
  let best = Infinity;
  for (const rings of polygonsOf(area)) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i += 1) {
        const ax = (ring[i - 1][0] - point.lon) * kx;
        const ay = (ring[i - 1][1] - point.lat) * ky;
        const bx = (ring[i][0] - point.lon) * kx;
        const by = (ring[i][1] - point.lat) * ky;
        const dx = bx - ax;
        const dy = by - ay;
        const length2 = dx * dx + dy * dy;
        const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / length2));
        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
      }
    }
  }
  return best;
}

/**
 * @typedef {object} Fix  a geotag as the phone takes it
 * @property {number} lat
 * @property {number} lon
 * @property {number} accuracy_m
 * @property {string} captured_at  ISO 8601
 */

/**
 * @typedef {{code: 'accuracy', accuracy_m: number, limit_m: number}
 *   | {code: 'outside_sls', distance_m: number}
 *   | {code: 'outside_kelurahan', distance_m: number}
 *   | {code: 'speed', km_per_h: number, distance_m: number, minutes: number}} Warning
 */

/**
 * Travel between two geotags: the server's rule (faster than the limit over more than the minimum
 * distance; a time difference under 1 s counts as 1 s).
 * @param {Fix} a
 * @param {Fix} b
 * @param {GeotagRules} rules
 * @returns {Warning | null}
 */
export function travelWarning(a, b, rules) {
  const metres = distanceM(a, b);
  const seconds = Math.abs(Date.parse(a.captured_at) - Date.parse(b.captured_at)) / 1000;
  if (!Number.isFinite(seconds)) return null;
  const speed = metres / Math.max(seconds, 1);
  if (speed <= rules.max_speed_kmh / 3.6 || metres <= rules.speed_min_distance_m) return null;
  return { code: 'speed', km_per_h: Math.round(speed * 36) / 10, distance_m: Math.round(metres), minutes: Math.round(seconds / 60) };
}

/**
 * Everything the server would flag about this geotag (but the shared point, which needs every
 * other PPL's geotags), plus a phone-only check against the SLS boundary, where there is one.
 * @param {Fix} fix
 * @param {{sls?: Area | null, kelurahan?: Area | null, others?: Fix[]}} around
 *   others: this PPL's geotags on the phone; the nearest in time before and after are checked
 * @param {GeotagRules} rules
 * @returns {Warning[]}
 */
export function checkGeotag(fix, { sls = null, kelurahan = null, others = [] }, rules) {
  /** @type {Warning[]} */
  const warnings = [];
  if (fix.accuracy_m > rules.max_accuracy_m) warnings.push({ code: 'accuracy', accuracy_m: fix.accuracy_m, limit_m: rules.max_accuracy_m });
  if (kelurahan) {
    const distance = distanceToAreaM(fix, kelurahan);
    if (distance > rules.area_tolerance_m) warnings.push({ code: 'outside_kelurahan', distance_m: Math.round(distance) });
  }
  if (sls && !warnings.some((w) => w.code === 'outside_kelurahan')) {
    const distance = distanceToAreaM(fix, sls);
    if (distance > rules.area_tolerance_m) warnings.push({ code: 'outside_sls', distance_m: Math.round(distance) });
  }
  const at = Date.parse(fix.captured_at);
  /** @type {Fix | null} */
  let before = null;
  /** @type {Fix | null} */
  let after = null;
  for (const other of others) {
    const t = Date.parse(other.captured_at);
    if (!Number.isFinite(t)) continue;
    if (t <= at && (!before || t > Date.parse(before.captured_at))) before = other;
    if (t > at && (!after || t < Date.parse(after.captured_at))) after = other;
  }
  for (const other of [before, after]) {
    const warning = other ? travelWarning(fix, other, rules) : null;
    if (warning) {
      warnings.push(warning);
      break;
    }
  }
  return warnings;
}

/**
 * The rules the shell carries (a JSON data attribute), with the defaults for any missing value.
 * @param {string | undefined} text
 * @returns {GeotagRules}
 */
export function parseRules(text) {
  /** @type {Record<string, unknown>} */
  let given = {};
  try {
    given = text ? JSON.parse(text) : {};
  } catch {
    given = {};
  }
  /** @type {Record<string, number>} */
  const rules = { ...DEFAULT_RULES };
  for (const key of Object.keys(DEFAULT_RULES)) {
    const value = given[key];
    if (typeof value === 'number' && Number.isFinite(value)) rules[key] = value;
  }
  return /** @type {GeotagRules} */ (/** @type {unknown} */ (rules));
}
