// @ts-check
/**
 * The enumerator app's service worker (docs/pwa.md). Django serves it at /app/sw.js with
 * `self.REGSOSEK_SW = {version, precache, shell}` in front (fieldapp/views.py).
 *
 * - install: precaches the app shell into `regsosek-shell-<version>`; it does NOT skip waiting,
 *   so an update never swaps code under a PPL in the middle of a form;
 * - activate (after every tab closed, or the page asked with SKIP_WAITING once nothing is in
 *   flight): deletes older shell caches; IndexedDB is never touched here;
 * - fetch: GET only. Navigations inside /app/ get the cached shell (works offline; `Vary` is
 *   ignored, a deployment may add `Vary: Cookie`); precached
 *   assets come from the cache; everything else, /api/ above all, goes to the network untouched —
 *   personal data never enters Cache Storage;
 * - sync (Background Sync, where the browser has it): runs the same sync engine as the page,
 *   under the same Web Lock, so the two never run at once. Everything it reads is sealed: it can
 *   run only with the keys an unlocked page handed over (`UNLOCKED`: non-extractable CryptoKeys,
 *   cloned, valid until the page's idle lock would fall). They live in this worker's memory only:
 *   the page's lock (`LOCK`), a newly opened page, their deadline, or the browser stopping the idle
 *   worker (Chromium does within about 30 s) drops them. Without them the sync event does nothing
 *   (docs/pwa.md, "App lock"): the next unlocked page sends everything.
 */
import { createBrowserEngine } from '../sync/browser.js';
import { openDatabase } from '../sync/db.js';
import { createVault } from '../sync/vault.js';

const worker = /** @type {ServiceWorkerGlobalScope & typeof globalThis & {REGSOSEK_SW: {version: string, precache: string[], shell: string}}} */ (
  /** @type {unknown} */ (self)
);
const CONFIG = worker.REGSOSEK_SW;
const PREFIX = 'regsosek-shell-';
const CACHE = `${PREFIX}${CONFIG.version}`;
const SYNC_TAG = 'regsosek-sync';
const PRECACHED = new Set(CONFIG.precache.map((path) => new URL(path, worker.location.origin).href));

/** @type {{keys: import('../sync/vault.js').VaultKeys, until: number, retentionMs: number | null} | null} */
let session = null;

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // `reload`: straight from the server, not from the HTTP cache, so the cache matches the version.
      cache.addAll(CONFIG.precache.map((path) => new Request(path, { cache: 'reload', credentials: 'same-origin' }))),
    ),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('message', (event) => {
  const data = event.data;
  if (data && data.type === 'SKIP_WAITING') {
    worker.skipWaiting();
  } else if (data && data.type === 'VERSION' && event.ports[0]) {
    event.ports[0].postMessage({ version: CONFIG.version });
  } else if (data && data.type === 'UNLOCKED' && data.keys && typeof data.until === 'number') {
    session = { keys: data.keys, until: data.until, retentionMs: data.retentionMs ?? null };
  } else if (data && data.type === 'LOCK') {
    session = null;
  }
});

/**
 * @param {Request} request
 * @returns {Promise<Response>}
 */
async function fromCacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  return cached ?? fetch(request);
}

/** @returns {Promise<Response>} */
async function shell() {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(CONFIG.shell, { ignoreVary: true });
  return cached ?? fetch(CONFIG.shell);
}

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate' && url.pathname.startsWith(CONFIG.shell)) {
    event.respondWith(shell());
  } else if (PRECACHED.has(url.href)) {
    event.respondWith(fromCacheFirst(request));
  }
});

/** @returns {Promise<void>} */
async function backgroundSync() {
  if (session && Date.now() >= session.until) session = null;
  // Locked: nothing readable. Resolving (not rejecting) spares the browser's retries.
  if (!session) return;
  const vault = createVault(session.keys);
  const db = openDatabase();
  try {
    const engine = createBrowserEngine(db, {
      vault: () => vault,
      retentionMs: session.retentionMs,
      appVersion: CONFIG.version,
    });
    const result = await engine.syncNow();
    // A rejected promise asks the browser to retry the sync event later.
    if (!result.ok && (result.reason === 'network' || result.reason === 'server')) throw new Error(result.reason);
  } finally {
    db.close();
  }
}

worker.addEventListener('sync', (event) => {
  const syncEvent = /** @type {Event & {tag: string, waitUntil: (p: Promise<unknown>) => void}} */ (event);
  if (syncEvent.tag === SYNC_TAG) syncEvent.waitUntil(backgroundSync());
});
