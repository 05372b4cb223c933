// @ts-check
// Colours and sizes of the monitoring map's features (no DOM, no Leaflet: tested with node --test).

/** Fill colours for % done, in steps of 25 (the legend of templates/monitoring/dashboard.html). */
export const PERCENT_COLOURS = ["#d7301f", "#fc8d59", "#fdcc8a", "#1a9850"];
export const NO_TARGET_COLOUR = "#bdbdbd";
/** Point colours by review status, and for a geotag with a flag. */
export const STATUS_COLOURS = /** @type {Record<string, string>} */ ({
  approved: "#1a9850",
  submitted: "#0b5cad",
  returned: "#d7301f",
  draft: "#7f7f7f",
});
export const FLAGGED_COLOUR = "#a100b0";
export const UNFLAGGED_COLOUR = "#5b6575";

/**
 * @param {number | null | undefined} percent
 * @returns {string}
 */
export function percentColour(percent) {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return NO_TARGET_COLOUR;
  const step = Math.min(3, Math.max(0, Math.floor(percent / 25)));
  return PERCENT_COLOURS[step];
}

/**
 * A point's colour: by review status, or (mode "flag") by whether its geotag has a flag.
 * @param {{status?: string, flagged?: boolean}} props
 * @param {"status" | "flag"} mode
 * @returns {string}
 */
export function pointColour(props, mode) {
  if (mode === "flag") return props.flagged ? FLAGGED_COLOUR : UNFLAGGED_COLOUR;
  return STATUS_COLOURS[props.status ?? ""] ?? STATUS_COLOURS.draft;
}

/**
 * A cluster's colour: the status (or flag) most of its families have.
 * @param {{count: number, approved: number, submitted: number, returned: number, flagged: number}} props
 * @param {"status" | "flag"} mode
 * @returns {string}
 */
export function clusterColour(props, mode) {
  if (mode === "flag") return props.flagged * 2 >= props.count && props.flagged > 0 ? FLAGGED_COLOUR : UNFLAGGED_COLOUR;
  const ranked = /** @type {const} */ (["approved", "submitted", "returned"]);
  let best = "draft";
  let most = 0;
  for (const status of ranked) {
    if (props[status] > most) {
      most = props[status];
      best = status;
    }
  }
  return STATUS_COLOURS[best];
}

/**
 * Diameter in pixels of a cluster's disc: grows with the logarithm of its count, 22 to 56.
 * @param {number} count
 * @returns {number}
 */
export function clusterSize(count) {
  return Math.round(Math.min(56, 22 + 6 * Math.log10(Math.max(1, count))));
}

/**
 * A count as a short label: 950, 1,2k, 15k, 1,2 jt (Indonesian decimal comma).
 * @param {number} count
 * @returns {string}
 */
export function shortCount(count) {
  if (count < 1000) return String(count);
  if (count < 10000) return `${(count / 1000).toFixed(1).replace(".", ",")}k`;
  if (count < 1000000) return `${Math.round(count / 1000)}k`;
  return `${(count / 1000000).toFixed(1).replace(".", ",")} jt`;
}
