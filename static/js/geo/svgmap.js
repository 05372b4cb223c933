// @ts-check
/**
 * The SLS map's drawing, without the DOM: an area (GeoJSON polygons) and points projected into an
 * SVG view box. No tiles: the boundary from the pull and the geotags on the phone are all it
 * draws, so it works offline and weighs nothing (docs/pwa.md, "SLS map").
 *
 * Projection: equirectangular around the drawing's middle latitude (x scaled by its cosine), which
 * keeps an SLS's shape and distances true to well under 1 % at these sizes.
 */
import { polygonsOf } from './rules.js';

/** @typedef {import('./rules.js').Area} Area */
/** @typedef {import('./rules.js').LatLon} LatLon */

/**
 * @typedef {object} Drawing
 * @property {number} width    view box width (fixed)
 * @property {number} height   view box height (from the shape, at most `width` * 1.25)
 * @property {string} area     the SVG path of the area's rings ('' without an area)
 * @property {{x: number, y: number}[]} points
 * @property {{x: number, y: number} | null} you
 * @property {boolean} youOutside  the phone's position was too far to fit (not drawn)
 * @property {number} metresPerUnit  scale, for the scale bar
 */

/**
 * @param {{area?: Area | null, points?: LatLon[], you?: LatLon | null, width?: number, maxSpanM?: number}} input
 *   maxSpanM: a position farther than this from the drawing is not fitted in (the map would shrink to nothing)
 * @returns {Drawing | null}  null when there is nothing to draw
 */
export function drawMap({ area = null, points = [], you = null, width = 320, maxSpanM = 3000 }) {
  const rings = area ? polygonsOf(area).flat() : [];
  /** @type {number[][]} [lon, lat] */
  const positions = [...rings.flat(), ...points.map((p) => [p.lon, p.lat])];
  if (positions.length === 0) return null;
  let west = Math.min(...positions.map((p) => p[0]));
  let east = Math.max(...positions.map((p) => p[0]));
  let south = Math.min(...positions.map((p) => p[1]));
  let north = Math.max(...positions.map((p) => p[1]));
  const mPerDegLat = 111_195;
  let youOutside = false;
  if (you) {
    const cos = Math.cos((((south + north) / 2) * Math.PI) / 180);
    const dx = Math.max(0, west - you.lon, you.lon - east) * mPerDegLat * cos;
    const dy = Math.max(0, south - you.lat, you.lat - north) * mPerDegLat;
    if (Math.hypot(dx, dy) > maxSpanM) youOutside = true;
    else {
      west = Math.min(west, you.lon);
      east = Math.max(east, you.lon);
      south = Math.min(south, you.lat);
      north = Math.max(north, you.lat);
    }
  }
  const cos = Math.cos((((south + north) / 2) * Math.PI) / 180);
  // At least 60 m across, so a single point is not a full-screen dot; 8 % margin.
  const spanX = Math.max((east - west) * cos * mPerDegLat, 60);
  const spanY = Math.max((north - south) * mPerDegLat, 60);
  const margin = 0.08;
  const inner = width * (1 - 2 * margin);
  const scale = Math.min(inner / spanX, (inner * 1.25) / spanY); // units per metre
  const height = Math.round(spanY * scale + width * 2 * margin);
  const midX = ((west + east) / 2) * cos * mPerDegLat;
  const midY = ((south + north) / 2) * mPerDegLat;
  const project = (/** @type {number} */ lon, /** @type {number} */ lat) => ({
    x: Math.round((width / 2 + (lon * cos * mPerDegLat - midX) * scale) * 10) / 10,
    y: Math.round((height / 2 - (lat * mPerDegLat - midY) * scale) * 10) / 10,
  });
  const path = rings
    .filter((ring) => ring.length > 2)
    .map((ring) => `M${ring.map(([lon, lat]) => { const p = project(lon, lat); return `${p.x} ${p.y}`; }).join('L')}Z`)
    .join('');
  return {
    width,
    height,
    area: path,
    points: points.map((p) => project(p.lon, p.lat)),
    you: you && !youOutside ? project(you.lon, you.lat) : null,
    youOutside,
    metresPerUnit: 1 / scale,
  };
}

/**
 * A round scale bar length (metres) that takes about a quarter of the width.
 * @param {number} metresPerUnit
 * @param {number} width
 * @returns {number}
 */
export function scaleBarMetres(metresPerUnit, width) {
  const target = (width / 4) * metresPerUnit;
  const steps = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
  return steps.reduce((best, step) => (Math.abs(step - target) < Math.abs(best - target) ? step : best), steps[0]);
}
