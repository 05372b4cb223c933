// @ts-check
/**
 * The enumerator app: boot, routing, the lock, the sync bar, the update banner. Screens are in
 * screens.js, worklist.js, family.js and lock.js; the store and the sync engine in ../sync (docs/pwa.md).
 *
 * The app lock: the unlocked keys (`session`) live in this page's memory only. Opening the app,
 * and `lockIdleMs` without a touch or a key, lock it: drafts are saved first, then the keys are
 * dropped and the service worker is told to drop its copy.
 */
import { parseRules } from '../geo/rules.js';
import { createBrowserEngine } from '../sync/browser.js';
import { getMeta, openDatabase, setMeta } from '../sync/db.js';
import { fromBase64Url, loadKeyring, createKeyring, setServerWrap, unlockWithShare } from '../sync/keyring.js';
import { retireApproved } from '../sync/retention.js';
import { sealLegacyRows } from '../sync/sealing.js';
import { authRequiredText } from '../ui/labels.js';
import { STRINGS as T } from '../ui/strings.js';
import { formatTime, h, mount } from './dom.js';
import { familyScreen } from './family.js';
import { lockScreen, pinSetupScreen } from './lock.js';
import { signInScreen, storedScreen, wipeScreen } from './screens.js';
import { homeScreen, slsScreen } from './worklist.js';

/** @typedef {import('../sync/engine.js').SyncEvent} SyncEvent */
/** @typedef {import('../sync/outbox.js').WorkCounts} WorkCounts */
/** @typedef {import('../sync/keyring.js').Session} Session */

/**
 * @param {string | undefined} value
 * @param {number} fallback
 * @returns {number}
 */
function numberOr(value, fallback) {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : fallback;
}

/**
 * @typedef {object} App  What the screens get.
 * @property {import('../sync/db.js').RegsosekDB} db
 * @property {import('../sync/engine.js').SyncEngine} engine
 * @property {{maxAccuracy: number, version: string, lockIdleMs: number, pinMaxAttempts: number, retentionMs: number | null, geotagRules: import('../geo/rules.js').GeotagRules}} config
 * @property {() => import('../sync/vault.js').Vault | null} vault   the unlocked vault, null while locked
 * @property {() => Session | null} session
 * @property {(session: Session) => Promise<void>} unlocked  the PIN (or a sign-in) opened the keys
 * @property {() => Promise<void>} lock
 * @property {(shares: string[]) => Promise<import('../sync/vault.js').Vault>} openKeys  for engine.signIn
 * @property {(options?: {force?: boolean}) => void} sync     start a sync run (never throws)
 * @property {(hash: string) => void} go
 * @property {() => void} refresh                           re-render the current screen
 * @property {(cleanup: () => void | Promise<void>) => void} onLeave  runs before the next screen
 * @property {(listener: () => void) => void} onSynced  after each sync run, while the screen is shown
 *   (a screen with input updates its status parts, never its form)
 * @property {(busy: boolean) => void} setEditing           a form is open: updates wait
 * @property {() => string} newId
 */

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
const retentionHours = numberOr(root.dataset.retentionHours, 24);
// Server settings (fieldapp/views.py): APP_LOCK_IDLE_SECONDS, APP_LOCK_MAX_PIN_ATTEMPTS,
// APPROVED_RETENTION_HOURS (negative: approved families stay on the phone).
const config = {
  maxAccuracy: Number(root.dataset.maxAccuracy || 30),
  version: root.dataset.version || '',
  sw: root.dataset.sw || '',
  scope: root.dataset.scope || '/app/',
  lockIdleMs: Math.max(30, numberOr(root.dataset.lockIdleSeconds, 300)) * 1000,
  pinMaxAttempts: Math.max(1, numberOr(root.dataset.pinMaxAttempts, 5)),
  retentionMs: retentionHours < 0 ? null : retentionHours * 60 * 60 * 1000,
  // The server's geotag thresholds (geotag/rules.json), for the doorstep check (geocheck.js).
  geotagRules: parseRules(root.dataset.geotagRules),
};
const db = openDatabase();

/** @type {Session | null} the unlocked keys: in this page's memory only */
let session = null;
/** A sign-in with the password opened the keys without the PIN (forgotten): a new PIN first. */
let pinRequired = false;
let lastActive = Date.now();
let sharedUntil = 0;

const bar = {
  running: false,
  /** @type {string} */
  phase: '',
  done: 0,
  total: 0,
  /** @type {number | null} */
  lastSyncAt: null,
  /** @type {WorkCounts | null} */
  counts: null,
  /** @type {string} */
  message: '',
};

const engine = createBrowserEngine(db, {
  onEvent,
  storage: navigator.storage && typeof navigator.storage.persist === 'function' ? navigator.storage : undefined,
  vault: () => session?.vault ?? null,
  retentionMs: config.retentionMs,
  appVersion: config.version,
});

/** @type {(() => void | Promise<void>)[]} */
let leaving = [];
let editing = false;
/** @type {'home' | 'sls' | 'other'} which kind of screen is shown */
let shown = 'other';
/** @type {ServiceWorker | null} */
let waitingWorker = null;
/** @type {ServiceWorkerRegistration | null} */
let registration = null;
let updateCheckedAt = 0;
// A page kept open all day navigates only by its hash, so the browser alone would not look for a
// new release until the app is opened again: the app asks after syncs that reached the server.
const UPDATE_CHECK_MS = 15 * 60_000;
/** @type {ReturnType<typeof setTimeout> | null} */
let timer = null;
/** @type {Set<() => void>} the shown screen's listeners for finished sync runs */
const synced = new Set();

// At the bottom of the screen, within the thumb's reach, on every screen (docs/pwa.md).
const syncBar = h('section', { class: 'syncbar', 'aria-live': 'polite' });
const banners = h('div', { class: 'banners' });
const screen = h('main', { class: 'screen' });

/** @param {SyncEvent} event */
function onEvent(event) {
  if (event.type === 'progress') {
    Object.assign(bar, { running: true, phase: event.phase, done: event.done, total: event.total });
  } else if (event.type === 'finished') {
    Object.assign(bar, { running: false, phase: '', lastSyncAt: event.lastSyncAt, counts: event.counts });
    bar.message = event.ok ? '' : stopMessage(event.reason);
    schedule();
    renderBanners();
    // Lists show what the sync changed; a screen with input (sign-in, a form) is never redrawn.
    if (!editing && (shown === 'home' || shown === 'sls')) app.refresh();
    for (const listener of synced) {
      try {
        listener();
      } catch (error) {
        console.error('sync listener failed', error);
      }
    }
  } else if (event.type === 'auth-required') {
    bar.message = event.message ?? authRequiredText(event.code);
  } else if (event.type === 'wipe-required') {
    app.go('#/hapus');
  }
  renderSyncBar();
}

/**
 * @param {string | null} reason
 * @returns {string}
 */
function stopMessage(reason) {
  switch (reason) {
    case 'network':
      return T.syncNetworkError;
    case 'server':
    case 'error':
      return T.syncServerError;
    case 'auth':
    case 'not_signed_in':
      return T.authSignInRequired;
    case 'forbidden':
      return T.authForbidden;
    case 'locked':
      return T.syncLocked;
    default:
      return '';
  }
}

function schedule() {
  if (timer) clearTimeout(timer);
  const delay = engine.scheduleNext();
  if (delay !== null) timer = setTimeout(() => app.sync(), delay);
}

async function renderSyncBar() {
  const counts = bar.counts;
  const unsent = counts ? counts.unsent : null;
  const phaseLabel = {
    push: T.syncPhasePush,
    photos: T.syncPhasePhotos,
    marks: T.syncPhaseMarks,
    pull: T.syncPhasePull,
    definition: T.syncPhaseDefinition,
  }[bar.phase] ?? T.syncRunning;
  const paused = await getMeta(db, 'auth_paused');
  mount(
    syncBar,
    h(
      'div',
      { class: 'syncrow' },
      h(
        'div',
        { class: 'syncinfo' },
        h('span', { class: navigator.onLine ? 'dot online' : 'dot offline', title: navigator.onLine ? T.online : T.offline }),
        h('span', { 'data-testid': 'last-sync', text: `${T.lastSync}: ${formatTime(bar.lastSyncAt)}` }),
        h('span', { class: unsent ? 'unsent warn' : 'unsent', 'data-testid': 'unsent', text: unsent === null ? '' : `${T.unsentCount}: ${unsent}` }),
      ),
      h('button', { type: 'button', class: 'send', 'data-testid': 'sync-now', disabled: bar.running, onclick: () => app.sync({ force: true }), text: bar.running ? T.syncRunning : T.syncButton }),
    ),
    bar.running
      ? h('div', { class: 'progress' }, h('label', { text: `${phaseLabel} ${bar.total ? `${bar.done}/${bar.total}` : ''}` }), h('progress', { max: bar.total || 1, value: bar.done }))
      : null,
    bar.message ? h('p', { class: 'syncmessage', text: bar.message }) : null,
    paused ? h('a', { class: 'button secondary', href: '#/masuk', text: T.signInAgain }) : null,
  );
}

function renderBanners() {
  /** @type {HTMLElement[]} */
  const items = [];
  if (waitingWorker) {
    const blocked = editing || (bar.counts !== null && bar.counts.outbox.sending > 0) || bar.running;
    items.push(
      h(
        'div',
        { class: 'banner update', role: 'status' },
        h('span', { text: blocked ? T.updateWaiting : T.updateReady }),
        h('button', {
          type: 'button',
          disabled: blocked,
          text: T.updateButton,
          onclick: () => waitingWorker && waitingWorker.postMessage({ type: 'SKIP_WAITING' }),
        }),
      ),
    );
  }
  if (root.dataset.synthetic === '1') items.push(h('p', { class: 'banner synthetic', text: T.syntheticBanner }));
  mount(banners, ...items);
}

/**
 * Asks the browser to fetch /app/sw.js again (a new release installs and waits for "Perbarui"):
 * after every sync the PPL asked for ("Kirim & perbarui", the network back), else at most every
 * UPDATE_CHECK_MS.
 * @param {boolean} asked
 */
function checkForUpdate(asked) {
  if (!registration || (!asked && Date.now() - updateCheckedAt < UPDATE_CHECK_MS)) return;
  updateCheckedAt = Date.now();
  // Offline or a server in the middle of a release: the next sync asks again.
  registration.update().catch(() => {
    updateCheckedAt = 0;
  });
}

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) {
    bar.message = T.noServiceWorker;
    renderSyncBar();
    return;
  }
  try {
    const registered = await navigator.serviceWorker.register(config.sw, { scope: config.scope });
    registration = registered;
    // The worker that takes over (the first install claims the page) gets the unlocked keys too.
    navigator.serviceWorker.addEventListener('controllerchange', () => shareKeys(true));
    const watch = (/** @type {ServiceWorker | null} */ worker) => {
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) {
          waitingWorker = worker;
          renderBanners();
        }
      });
    };
    if (registered.waiting && navigator.serviceWorker.controller) waitingWorker = registered.waiting;
    watch(registered.installing);
    registered.addEventListener('updatefound', () => watch(registered.installing));
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      // Only after the PPL pressed "Perbarui" (a first install claims the page without reloading).
      if (waitingWorker && !reloading) {
        reloading = true;
        location.reload();
      }
    });
    renderBanners();
  } catch (error) {
    console.error('service worker registration failed', error);
    bar.message = T.noServiceWorker;
    renderSyncBar();
  }
}

/**
 * Tells the service worker the unlocked keys (non-extractable CryptoKeys, cloned), valid until the
 * idle lock would fall, so Background Sync can run after the page closed; or that the app locked.
 * At most every 30 s on activity.
 * @param {boolean} [force]
 */
function shareKeys(force = false) {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return;
  if (!session) {
    sharedUntil = 0;
    worker.postMessage({ type: 'LOCK' });
    return;
  }
  const until = lastActive + config.lockIdleMs;
  if (!force && until - sharedUntil < 30_000) return;
  sharedUntil = until;
  worker.postMessage({ type: 'UNLOCKED', keys: session.vault.keys, until, retentionMs: config.retentionMs });
}

function touched() {
  if (session && Date.now() - lastActive >= config.lockIdleMs) {
    // The idle time passed while the page slept (timers do not run in a hidden tab): lock first.
    app.lock();
    return;
  }
  lastActive = Date.now();
  shareKeys();
}

function checkIdle() {
  if (session && Date.now() - lastActive >= config.lockIdleMs) app.lock();
}

/** @type {App} */
const app = {
  db,
  engine,
  config,
  vault: () => session?.vault ?? null,
  session: () => session,
  async unlocked(opened) {
    session = opened;
    pinRequired = false;
    lastActive = Date.now();
    if (bar.message === T.syncLocked) bar.message = '';
    // Rows a version without the lock stored in the clear are sealed once.
    if (!(await getMeta(db, 'legacy_sealed'))) {
      await sealLegacyRows(db, opened.vault);
      await setMeta(db, 'legacy_sealed', true);
    }
    // The grace period of approved families ends on an offline phone too.
    await retireApproved(db, { now: Date.now(), graceMs: config.retentionMs });
    shareKeys(true);
    route();
    await routing;
    // From the PIN's submit to the screen drawn (docs/performance.md); absent after a sign-in.
    if (performance.getEntriesByName('regsosek-unlock-start').length) {
      performance.measure('regsosek-unlock', 'regsosek-unlock-start');
      performance.clearMarks('regsosek-unlock-start');
    }
    app.sync();
  },
  lock() {
    const locking = routing.then(async () => {
      if (!session) return;
      // Drafts are saved (sealed) before the keys go.
      const cleanups = leaving;
      leaving = [];
      for (const cleanup of cleanups) await cleanup();
      session = null;
      shareKeys(true);
      bar.message = '';
      await renderRoute();
    });
    routing = locking.catch((error) => console.error('lock failed', error));
    return routing;
  },
  async openKeys(shares) {
    const bytes = shares.map(fromBase64Url);
    if (session) {
      // Already open: refresh the server wrap (a new share after a rotation heals here).
      if (bytes[0]) await setServerWrap(db, session, bytes[0]);
      return session.vault;
    }
    if (await loadKeyring(db)) {
      const opened = await unlockWithShare(db, bytes);
      if (!opened) throw new Error(T.lockKeysUnavailable);
      if (bytes[0]) await setServerWrap(db, opened, bytes[0]);
      session = opened;
      // Signed in instead of the PIN (forgotten, or reset after too many): a new PIN first.
      pinRequired = true;
      return opened.vault;
    }
    session = await createKeyring(db, { share: bytes[0] ?? null, now: Date.now() });
    return session.vault;
  },
  sync(options = {}) {
    // Nothing to sync before the first sign-in (a run would only say "sign in again"), nor while locked.
    getMeta(db, 'user')
      .then((user) => {
        if (!user) return;
        if (!session) {
          bar.message = T.syncLocked;
          renderSyncBar();
          return;
        }
        bar.running = true;
        renderSyncBar();
        // A run already going may be past the work this call is about (a family finalised or a
        // conflict resolved during its last phases): one more run follows it.
        const busy = engine.getState().running;
        return engine.syncNow(options).then((result) => (busy ? engine.syncNow(options) : result));
      })
      .then((result) => {
        if (result && result.ok) checkForUpdate(options.force === true);
      })
      .catch((error) => console.error('sync failed', error));
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  refresh() {
    route();
  },
  onLeave(cleanup) {
    leaving.push(cleanup);
  },
  onSynced(listener) {
    synced.add(listener);
    leaving.push(() => {
      synced.delete(listener);
    });
  },
  setEditing(busy) {
    editing = busy;
    renderBanners();
  },
  newId: () => crypto.randomUUID(),
};

let routing = Promise.resolve();

function route() {
  routing = routing.then(renderRoute).catch((error) => {
    console.error('screen failed', error);
    mount(screen, h('p', { class: 'error', text: T.screenFailed }));
  });
}

async function renderRoute() {
  const cleanups = leaving;
  leaving = [];
  editing = false;
  for (const cleanup of cleanups) await cleanup();
  renderBanners();
  const hash = location.hash || '#/';
  const user = await getMeta(db, 'user');
  shown = 'other';
  if (await getMeta(db, 'wipe_required')) return wipeScreen(app, screen);
  const ring = await loadKeyring(db);
  if (hash === '#/masuk' || !user) return signInScreen(app, screen);
  if (!session) {
    if (ring?.pin) return lockScreen(app, screen);
    // Signed in by a version without the lock: its data waits in the clear for a PIN.
    if (!ring) return pinSetupScreen(app, screen, { upgrade: true });
    // The PIN was reset (too many wrong ones) or never chosen: the password, then a new PIN.
    return signInScreen(app, screen);
  }
  if (!ring?.pin || pinRequired) return pinSetupScreen(app, screen);
  if (hash === '#/data') return storedScreen(app, screen);
  const sls = /^#\/sls\/(\d+)$/.exec(hash);
  if (sls) {
    shown = 'sls';
    return slsScreen(app, screen, Number(sls[1]));
  }
  const family = /^#\/keluarga\/([0-9a-f-]{36})$/.exec(hash);
  if (family) return familyScreen(app, screen, family[1]);
  shown = 'home';
  return homeScreen(app, screen);
}

async function boot() {
  mount(root, banners, screen, syncBar);
  // What sits fixed above the sync bar (a form's action bar) and the page's end leave room for it.
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => document.body.style.setProperty('--dock', `${syncBar.offsetHeight}px`)).observe(syncBar);
  }
  bar.lastSyncAt = (await getMeta(db, 'last_sync_at')) ?? null;
  renderSyncBar();
  renderBanners();
  window.addEventListener('hashchange', () => {
    // Another screen starts at its top (a refresh of the same screen keeps its place).
    window.scrollTo(0, 0);
    route();
  });
  window.addEventListener('online', () => {
    renderSyncBar();
    app.sync({ force: true });
  });
  window.addEventListener('offline', () => renderSyncBar());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    checkIdle();
    app.sync();
  });
  for (const type of ['pointerdown', 'keydown', 'input', 'touchstart']) {
    document.addEventListener(type, touched, { capture: true, passive: true });
  }
  setInterval(checkIdle, 5_000);
  route();
  await registerServiceWorker();
  // A page that opens is locked: the worker drops any keys a closed page left with it.
  shareKeys(true);
}

boot().catch((error) => {
  console.error('boot failed', error);
  mount(root, h('p', { class: 'error', text: T.bootFailed }));
});
