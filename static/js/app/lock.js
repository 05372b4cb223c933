// @ts-check
/**
 * The app lock's screens (docs/pwa.md, "App lock"): the PIN that opens the app, and the choice of
 * a PIN after a sign-in (or after the update that brought the lock). The keys are in
 * ../sync/keyring.js; the app (main.js) keeps the unlocked session in memory only.
 */
import { getMeta } from '../sync/db.js';
import { PIN_MAX_LENGTH, createKeyring, isValidPin, loadKeyring, setPin, unlockWithPin } from '../sync/keyring.js';
import { countWork } from '../sync/outbox.js';
import { interpolate } from '../ui/i18n.js';
import { STRINGS as T } from '../ui/strings.js';
import { h, mount } from './dom.js';

/** @typedef {import('./main.js').App} App */

/**
 * @param {string} id
 * @param {string} autocomplete
 * @returns {HTMLInputElement}
 */
function pinInput(id, autocomplete) {
  return h('input', {
    id,
    name: id,
    type: 'password',
    inputmode: 'numeric',
    pattern: '[0-9]*',
    maxlength: PIN_MAX_LENGTH,
    autocomplete,
    required: true,
  });
}

/**
 * @param {number} until
 * @returns {string}
 */
function clockTime(until) {
  return new Date(until).toLocaleTimeString('id-ID', { hour: '2-digit', minute: '2-digit' });
}

/**
 * The locked app: the PIN, how many tries are left, and the way back through the password.
 * @param {App} app
 * @param {HTMLElement} screen
 */
export async function lockScreen(app, screen) {
  const [user, work] = await Promise.all([getMeta(app.db, 'user'), countWork(app.db)]);
  const message = h('p', { class: 'error', role: 'alert', 'data-testid': 'lock-message' });
  const pin = pinInput('pin', 'off');
  const submit = h('button', { type: 'submit', 'data-testid': 'unlock', text: T.unlockButton });
  const form = h(
    'form',
    {
      class: 'card lock',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault();
        submit.disabled = true;
        submit.textContent = T.unlocking;
        message.textContent = '';
        // Timed for docs/performance.md (scripts/bench_app_lock.py reads the measures).
        performance.mark('regsosek-unlock-start');
        try {
          const result = await unlockWithPin(app.db, pin.value, { now: Date.now(), maxAttempts: app.config.pinMaxAttempts });
          performance.measure('regsosek-pin-check', 'regsosek-unlock-start');
          pin.value = '';
          if (result.ok) {
            await app.unlocked(result.session);
            return;
          }
          if (result.reason === 'wrong') message.textContent = interpolate(T.pinWrong, { remaining: result.remaining ?? 0 });
          else if (result.reason === 'wait') message.textContent = interpolate(T.pinWait, { time: clockTime(result.until ?? Date.now()) });
          else {
            // reset (or no PIN): only the password opens the data now.
            app.go('#/masuk');
            return;
          }
        } finally {
          submit.disabled = false;
          submit.textContent = T.unlockButton;
        }
        pin.focus();
      },
    },
    h('h1', { text: T.lockTitle }),
    h('p', { class: 'muted', text: user ? `${user.full_name || user.username} · ${user.username}` : '' }),
    h('p', { class: 'muted', text: T.lockHint }),
    work.unsent ? h('p', { class: 'warn', 'data-testid': 'lock-unsent', text: interpolate(T.lockUnsent, { count: work.unsent }) }) : null,
    h('label', { for: 'pin', text: T.pinLabel }),
    pin,
    message,
    submit,
    h('p', {}, h('a', { href: '#/masuk', 'data-testid': 'forgot-pin', text: T.pinForgot })),
  );
  mount(screen, form);
  pin.focus();
}

/**
 * Choosing a PIN: after a sign-in (the session is open, its keyring has no PIN wrap yet), or on a
 * phone whose data a version without the lock stored in the clear (`upgrade`: a keyring is made
 * here, without the server's share until the next password sign-in).
 * @param {App} app
 * @param {HTMLElement} screen
 * @param {{upgrade?: boolean}} [options]
 */
export async function pinSetupScreen(app, screen, { upgrade = false } = {}) {
  const message = h('p', { class: 'error', role: 'alert', 'data-testid': 'pin-message' });
  const first = pinInput('pin-new', 'new-password');
  const second = pinInput('pin-repeat', 'new-password');
  const submit = h('button', { type: 'submit', 'data-testid': 'pin-save', text: T.pinSetButton });
  const form = h(
    'form',
    {
      class: 'card lock',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault();
        message.textContent = '';
        if (!isValidPin(first.value)) {
          message.textContent = T.pinInvalid;
          return;
        }
        if (first.value !== second.value) {
          message.textContent = T.pinMismatch;
          return;
        }
        submit.disabled = true;
        submit.textContent = T.pinSaving;
        try {
          let session = app.session();
          if (!session && upgrade && !(await loadKeyring(app.db))) session = await createKeyring(app.db, { now: Date.now() });
          if (!session) {
            app.go('#/masuk');
            return;
          }
          await setPin(app.db, session, first.value);
          first.value = '';
          second.value = '';
          await app.unlocked(session);
        } catch (error) {
          console.error('PIN not saved', error);
          message.textContent = T.lockKeysUnavailable;
          submit.disabled = false;
          submit.textContent = T.pinSetButton;
        }
      },
    },
    h('h1', { text: T.pinSetTitle }),
    h('p', { class: 'muted', text: upgrade ? T.pinUpgradeHint : T.pinSetHint }),
    h('label', { for: 'pin-new', text: T.pinNew }),
    first,
    h('label', { for: 'pin-repeat', text: T.pinRepeat }),
    second,
    message,
    submit,
  );
  mount(screen, form);
  first.focus();
}
