// @ts-check
/**
 * The sync engine wired to the browser (the page and the service worker): fetch, the clock,
 * crypto UUIDs, and one sync at a time across both through the Web Locks API where the browser has
 * it (every current Chromium), otherwise only within this context (the engine's own single-flight).
 */
import { createApi } from './api.js';
import { createSyncEngine } from './engine.js';
import { countWork } from './outbox.js';

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

/**
 * @param {import('./db.js').RegsosekDB} db
 * @param {{onEvent?: (event: import('./engine.js').SyncEvent) => void, storage?: {persist: () => Promise<boolean>},
 *   vault?: () => import('./vault.js').Vault | null, retentionMs?: number | null, appVersion?: string}} [options]
 * @returns {import('./engine.js').SyncEngine}
 */
export function createBrowserEngine(db, { onEvent, storage, vault, retentionMs, appVersion = '' } = {}) {
  return createSyncEngine({
    db,
    api: createApi({
      fetch: (input, init) => fetch(input, init),
      // The app's version and what waits to be sent, reported at each pull and push.
      deviceReport: async () => ({ appVersion, unsent: (await countWork(db)).unsent }),
    }),
    clock: { now: () => Date.now() },
    random: Math.random,
    randomUUID: () => crypto.randomUUID(),
    withLock: withSyncLock,
    storage,
    onEvent,
    vault,
    ...(retentionMs === undefined ? {} : { retentionMs }),
  });
}
