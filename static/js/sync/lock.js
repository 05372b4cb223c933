// @ts-check
/**
 * One sync at a time across the page(s) and the service worker: the Web Locks API where the
 * browser has it (every current Chromium), otherwise only within this context (the engine's own
 * single-flight).
 */
export const SYNC_LOCK = 'regsosek-sync';

/**
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export function withSyncLock(fn) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return fn();
  return /** @type {Promise<T>} */ (locks.request(SYNC_LOCK, fn));
}
