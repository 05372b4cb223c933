// @ts-check
/**
 * The doorstep check of a geotag: the moment the GPS gives a fix, the server's rules
 * (geo/rules.js with geotag/rules.json's thresholds from the shell) are applied against what the
 * phone holds from the pull: the SLS and kelurahan boundaries, and the PPL's geotags before and
 * after it in time. The family screen asks for a retake or a reason while the PPL is still there.
 */
import { checkGeotag } from '../geo/rules.js';
import { openGeotag, requireVault } from '../sync/sealing.js';
import { interpolate } from '../ui/i18n.js';
import { LIST_STRINGS as L } from '../ui/list-strings.js';
import { h } from './dom.js';

/** @typedef {import('../geo/rules.js').Fix} Fix */
/** @typedef {import('../geo/rules.js').Warning} Warning */

/**
 * What the server would flag about this fix (and the phone's own SLS check).
 * @param {import('./main.js').App} app
 * @param {number} slsId
 * @param {Fix} fix
 * @returns {Promise<Warning[]>}
 */
export async function doorstepWarnings(app, slsId, fix) {
  const [sls, rows] = await Promise.all([app.db.sls.get(slsId), app.db.geotags.toArray()]);
  // Only the nearest geotags in time are opened (the times are stored in the clear).
  const at = Date.parse(fix.captured_at);
  /** @type {import('../sync/db.js').GeotagRow | undefined} */
  let before;
  /** @type {import('../sync/db.js').GeotagRow | undefined} */
  let after;
  for (const row of rows) {
    const t = Date.parse(row.captured_at);
    if (!Number.isFinite(t)) continue;
    if (t <= at && (!before || t > Date.parse(before.captured_at))) before = row;
    if (t > at && (!after || t < Date.parse(after.captured_at))) after = row;
  }
  const vault = requireVault(app.vault());
  const others = await Promise.all([before, after].filter((row) => row !== undefined).map((row) => openGeotag(vault, row)));
  return checkGeotag(fix, { sls: sls?.boundary ?? null, kelurahan: sls?.kelurahan_boundary ?? null, others }, app.config.geotagRules);
}

/**
 * @param {Warning} warning
 * @returns {string}
 */
export function warningText(warning) {
  switch (warning.code) {
    case 'accuracy':
      return interpolate(L.warnAccuracy, { accuracy: warning.accuracy_m, limit: warning.limit_m });
    case 'outside_kelurahan':
      return interpolate(L.warnOutsideKelurahan, { distance: warning.distance_m });
    case 'outside_sls':
      return interpolate(L.warnOutsideSls, { distance: warning.distance_m });
    default:
      return interpolate(L.warnSpeed, { distance: warning.distance_m, minutes: warning.minutes, speed: warning.km_per_h });
  }
}

/**
 * The warnings as the family screen shows them, above its retake / reason buttons.
 * @param {Warning[]} warnings
 * @returns {HTMLElement[]}
 */
export function warningParts(warnings) {
  return [
    h('p', { class: 'warn', text: L.warnTitle }),
    h('ul', { class: 'warnings' }, ...warnings.map((warning) => h('li', { dataset: { warning: warning.code }, text: warningText(warning) }))),
    h('p', { class: 'muted', text: L.warnHelp }),
  ];
}
