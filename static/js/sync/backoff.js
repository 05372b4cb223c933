// @ts-check
/**
 * Retry delays: doubling from 1 s to 5 min, minus up to 20 % jitter so that phones that lost
 * the network together do not come back together. `random` is injected (Math.random in the app).
 */

export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 5 * 60 * 1000;
export const BACKOFF_JITTER = 0.2;

/**
 * Delay before retry number `failures` (1 = after the first failure).
 * With random() = 0: 1 s, 2 s, 4 s, … 256 s, then 300 s.
 * @param {number} failures  at least 1
 * @param {() => number} random  in [0, 1)
 * @returns {number} milliseconds
 */
export function backoffDelay(failures, random) {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const full = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** exponent);
  return Math.round(full * (1 - BACKOFF_JITTER * random()));
}
