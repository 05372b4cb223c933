// @ts-check
/**
 * Screens of the enumerator app other than the work lists (worklist.js), the family form and the
 * lock: sign-in, what the phone stores, storage use and the wipe of a revoked device.
 */
import { getMeta } from '../sync/db.js';
import { loadKeyring } from '../sync/keyring.js';
import { countWork } from '../sync/outbox.js';
import { storedSummary } from '../sync/retention.js';
import { interpolate } from '../ui/i18n.js';
import { authRequiredText } from '../ui/labels.js';
import { STRINGS as T } from '../ui/strings.js';
import { formatBytes, h, mount } from './dom.js';

/** @typedef {import('./main.js').App} App */

/**
 * @param {App} app
 * @param {HTMLElement} screen
 */
export async function signInScreen(app, screen) {
  const user = await getMeta(app.db, 'user');
  const ring = await loadKeyring(app.db);
  // A keyring without its PIN wrap: too many wrong PINs, or none chosen yet (the app was closed
  // between the sign-in and the PIN); only the password opens it.
  const pinMissing = Boolean(ring && !ring.pin && !app.session());
  const message = h('p', { class: 'error', role: 'alert' });
  const username = h('input', { name: 'username', id: 'username', autocomplete: 'username', autocapitalize: 'none', required: true, value: user?.username ?? '' });
  const password = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', text: T.signInButton });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault();
        submit.disabled = true;
        message.textContent = '';
        const result = await app.engine.signIn({
          username: username.value.trim(),
          password: password.value,
          deviceName: navigator.userAgent.slice(0, 100),
          openKeys: app.openKeys,
        });
        submit.disabled = false;
        if (!result.ok) {
          message.textContent =
            result.reason === 'network'
              ? T.signInOffline
              : result.reason === 'keys'
                ? T.lockKeysUnavailable
                : (result.message ??
                  (result.reason === 'device_revoked' ? T.authWipeRequired : result.reason === 'invalid_credentials' ? T.authInvalidCredentials : authRequiredText(result.reason ?? '')));
          if (result.wipe) app.go('#/hapus');
          return;
        }
        password.value = '';
        // The keys are open (main.js); the PIN screen follows when the keyring has no PIN yet.
        app.go('#/');
        app.sync({ force: true });
      },
    },
    h('h1', { text: T.signInTitle }),
    pinMissing
      ? h('p', { class: 'warn', 'data-testid': ring?.pin_reset_at ? 'pin-reset' : 'pin-missing', text: ring?.pin_reset_at ? T.pinReset : T.pinMissing })
      : null,
    h('p', { class: 'muted', text: user ? T.signInAgainHint : T.signInHint }),
    h('label', { for: 'username', text: T.username }),
    username,
    h('label', { for: 'password', text: T.password }),
    password,
    message,
    submit,
  );
  mount(screen, form);
}

/**
 * @param {App} app
 * @param {HTMLElement} screen
 */
export async function wipeScreen(app, screen) {
  const wipe = await getMeta(app.db, 'wipe_required');
  const work = await countWork(app.db);
  const families = work.families.draft + work.families.final + work.families.conflict + work.families.rejected;
  const photos = work.photos.pending + work.photos.sending + work.photos.rejected;
  const unsent = families + photos + work.marks;
  const confirmBox = h('div', { class: 'confirm', hidden: true, role: 'alertdialog', 'aria-labelledby': 'wipe-question' });
  const start = h('button', {
    type: 'button',
    class: 'danger',
    text: T.wipeButton,
    onclick: () => {
      // A second, explicit step: what is lost is named above the final button.
      start.hidden = true;
      confirmBox.hidden = false;
      /** @type {HTMLElement | null} */ (confirmBox.querySelector('button.danger'))?.focus();
    },
  });
  const confirmButton = h('button', {
    type: 'button',
    class: 'danger',
    text: T.wipeConfirmButton,
    onclick: async () => {
      confirmButton.disabled = true;
      const result = await app.engine.wipeLocalData();
      if (result.ok) app.go('#/masuk');
      else confirmButton.disabled = false;
    },
  });
  const cancel = h('button', {
    type: 'button',
    class: 'secondary',
    text: T.wipeCancel,
    onclick: () => {
      confirmBox.hidden = true;
      start.hidden = false;
      start.focus();
    },
  });
  mount(confirmBox, h('p', { id: 'wipe-question', text: T.wipeConfirmQuestion }), h('div', { class: 'actions' }, confirmButton, cancel));
  mount(
    screen,
    h(
      'section',
      { class: 'card' },
      h('h1', { text: T.wipeTitle }),
      h('p', { text: wipe?.message ?? T.authWipeRequired }),
      h('p', { class: 'muted', text: T.wipeExplain }),
      h('p', {
        class: unsent ? 'error' : 'muted',
        'data-testid': 'wipe-unsent',
        text: unsent ? interpolate(T.wipeUnsent, { families, photos, marks: work.marks }) : T.wipeNothingUnsent,
      }),
      start,
      confirmBox,
    ),
  );
}

/**
 * @returns {Promise<HTMLElement>}
 */
export async function storageInfo() {
  const storage = navigator.storage;
  if (!storage || typeof storage.estimate !== 'function') return h('p', { class: 'warn', text: T.storageUnsupported });
  const [estimate, persisted] = await Promise.all([
    storage.estimate(),
    typeof storage.persisted === 'function' ? storage.persisted() : Promise.resolve(false),
  ]);
  return h(
    'p',
    { class: persisted ? 'muted storage' : 'warn storage', 'data-testid': 'storage' },
    `${T.storageUsed}: ${formatBytes(estimate.usage ?? 0)} / ${formatBytes(estimate.quota ?? 0)}. `,
    persisted ? T.storagePersisted : T.storageNotPersisted,
  );
}

/**
 * What the phone stores and why (issue 16: "Show the PPL what is stored and why"). Counts only.
 * @param {App} app
 * @param {HTMLElement} screen
 */
export async function storedScreen(app, screen) {
  const summary = await storedSummary(app.db);
  const hours = app.config.retentionMs === null ? '–' : Math.round(app.config.retentionMs / 3_600_000);
  const line = (/** @type {string} */ key, /** @type {string} */ text) => h('li', { 'data-stored': key, text });
  mount(
    screen,
    h('a', { class: 'back', href: '#/', text: `← ${T.back}` }),
    h('h1', { text: T.storedTitle }),
    h('p', { text: T.storedIntro }),
    h(
      'ul',
      { class: 'stored', 'data-testid': 'stored' },
      line('families', interpolate(T.storedFamilies, { count: summary.families })),
      summary.approvedWaiting ? line('approved', interpolate(T.storedApproved, { count: summary.approvedWaiting, hours })) : null,
      line('retired', interpolate(T.storedRetired, { count: summary.retired })),
      line('photos', interpolate(T.storedPhotos, { count: summary.photos })),
      line('geotags', interpolate(T.storedGeotags, { count: summary.geotags })),
      line('prelist', interpolate(T.storedPrelist, { count: summary.prelist })),
      line('marks', interpolate(T.storedMarks, { count: summary.marks })),
    ),
    h('p', { class: 'muted', text: T.storedSignOut }),
    await storageInfo(),
  );
}
