// @ts-check
/**
 * The enumerator app: boot, routing, the sync bar, the update banner. Screens are in screens.js
 * and family.js; the store and the sync engine in ../sync (docs/pwa.md).
 */
import { createBrowserEngine } from '../sync/browser.js';
import { getMeta, openDatabase } from '../sync/db.js';
import { authRequiredText } from '../ui/labels.js';
import { STRINGS as T } from '../ui/strings.js';
import { formatTime, h, mount } from './dom.js';
import { familyScreen } from './family.js';
import { homeScreen, signInScreen, slsScreen, wipeScreen } from './screens.js';

/** @typedef {import('../sync/engine.js').SyncEvent} SyncEvent */
/** @typedef {import('../sync/outbox.js').WorkCounts} WorkCounts */

/**
 * @typedef {object} App  What the screens get.
 * @property {import('../sync/db.js').RegsosekDB} db
 * @property {import('../sync/engine.js').SyncEngine} engine
 * @property {{maxAccuracy: number, version: string}} config
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
const config = {
  maxAccuracy: Number(root.dataset.maxAccuracy || 30),
  version: root.dataset.version || '',
  sw: root.dataset.sw || '',
  scope: root.dataset.scope || '/app/',
};
const db = openDatabase();

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
});

/** @type {(() => void | Promise<void>)[]} */
let leaving = [];
let editing = false;
/** @type {'home' | 'sls' | 'other'} which kind of screen is shown */
let shown = 'other';
/** @type {ServiceWorker | null} */
let waitingWorker = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let timer = null;
/** @type {Set<() => void>} the shown screen's listeners for finished sync runs */
const synced = new Set();

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

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) {
    bar.message = T.noServiceWorker;
    renderSyncBar();
    return;
  }
  try {
    const registration = await navigator.serviceWorker.register(config.sw, { scope: config.scope });
    const watch = (/** @type {ServiceWorker | null} */ worker) => {
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) {
          waitingWorker = worker;
          renderBanners();
        }
      });
    };
    if (registration.waiting && navigator.serviceWorker.controller) waitingWorker = registration.waiting;
    watch(registration.installing);
    registration.addEventListener('updatefound', () => watch(registration.installing));
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

/** @type {App} */
const app = {
  db,
  engine,
  config,
  sync(options = {}) {
    // Nothing to sync before the first sign-in (a run would only say "sign in again").
    getMeta(db, 'user')
      .then((user) => {
        if (!user) return;
        bar.running = true;
        renderSyncBar();
        // A run already going may be past the work this call is about (a family finalised or a
        // conflict resolved during its last phases): one more run follows it.
        const busy = engine.getState().running;
        return engine.syncNow(options).then((result) => (busy ? engine.syncNow(options) : result));
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
  if (hash === '#/masuk' || !user) return signInScreen(app, screen);
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
  mount(root, banners, syncBar, screen);
  bar.lastSyncAt = (await getMeta(db, 'last_sync_at')) ?? null;
  renderSyncBar();
  renderBanners();
  window.addEventListener('hashchange', route);
  window.addEventListener('online', () => {
    renderSyncBar();
    app.sync({ force: true });
  });
  window.addEventListener('offline', () => renderSyncBar());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') app.sync();
  });
  route();
  await registerServiceWorker();
  if (await getMeta(db, 'user')) app.sync();
}

boot().catch((error) => {
  console.error('boot failed', error);
  mount(root, h('p', { class: 'error', text: T.bootFailed }));
});
