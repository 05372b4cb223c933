// @ts-check
/**
 * Screens of the enumerator app other than the family form and the lock: sign-in, home
 * (assignment, tasks, storage), what the phone stores, one SLS (VK1 prelist and families) and the
 * wipe of a revoked device. Names and addresses are opened with the unlocked vault for display.
 */
import { emptyRecord } from '../questionnaire/relevance.js';
import { getMeta } from '../sync/db.js';
import { loadKeyring } from '../sync/keyring.js';
import { marksByKey, setMark } from '../sync/marks.js';
import { countWork, saveDraft } from '../sync/outbox.js';
import { storedSummary } from '../sync/retention.js';
import { openFamily, openPrelistRow, requireVault } from '../sync/sealing.js';
import { interpolate } from '../ui/i18n.js';
import { authRequiredText, familyMessage, familyStatusLabel } from '../ui/labels.js';
import { STRINGS as T } from '../ui/strings.js';
import { formatBytes, formatTime, h, mount } from './dom.js';

/** @typedef {import('./main.js').App} App */
/** @typedef {import('../sync/sealing.js').FamilyView} FamilyRow */
/** @typedef {import('../sync/db.js').MarkRow} MarkRow */

/** @type {Record<string, string>} */
const PRELIST_LABELS = {
  pending: T.prelistPending,
  found: T.prelistFound,
  moved: T.prelistMoved,
  deceased: T.prelistDeceased,
  not_found: T.prelistNotFound,
  duplicate: T.prelistDuplicate,
  new: T.prelistNew,
};
const MARKABLE = ['moved', 'deceased', 'not_found', 'duplicate'];

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
async function storageInfo() {
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

/**
 * @param {FamilyRow} family
 * @returns {string}
 */
function familyName(family) {
  const head = family.record?.family?.r108;
  return typeof head === 'string' && head.trim() ? head : T.familyUnnamed;
}

/**
 * @param {FamilyRow} family
 * @returns {HTMLElement}
 */
function familyLink(family) {
  return h(
    'a',
    { class: `item status-${family.status}`, href: `#/keluarga/${family.client_uuid}`, dataset: { family: family.client_uuid } },
    h('strong', { text: familyName(family) }),
    h('span', { class: 'badge', text: familyStatusLabel(family) }),
    family.review_comment && family.status === 'returned' ? h('span', { class: 'comment', text: family.review_comment }) : null,
    familyMessage(family) && (family.status === 'conflict' || family.status === 'rejected')
      ? h('span', { class: 'comment error', text: /** @type {string} */ (familyMessage(family)) })
      : null,
  );
}

/**
 * @param {App} app
 * @param {HTMLElement} screen
 */
export async function homeScreen(app, screen) {
  const vault = requireVault(app.vault());
  const [user, slsList, families, retired] = await Promise.all([
    getMeta(app.db, 'user'),
    app.db.sls.toArray(),
    app.db.families.toArray(),
    app.db.retired.toArray(),
  ]);
  // Only the tasks are shown by name: only they are opened.
  const tasks = await Promise.all(
    families.filter((f) => f.status === 'returned' || f.status === 'conflict' || f.status === 'rejected').map((f) => openFamily(vault, f)),
  );
  const signOutMessage = h('p', { class: 'error', role: 'alert' });
  mount(
    screen,
    h(
      'header',
      { class: 'screenhead' },
      h('h1', { text: T.homeTitle }),
      h('p', { class: 'muted', text: user ? `${user.full_name || user.username} · ${user.username}` : '' }),
    ),
    tasks.length
      ? h('section', { class: 'tasks' }, h('h2', { text: `${T.tasksTitle} (${tasks.length})` }), h('div', { class: 'list' }, ...tasks.map(familyLink)))
      : null,
    h(
      'section',
      {},
      h('h2', { text: T.assignmentTitle }),
      slsList.length === 0
        ? h('p', { class: 'muted', text: T.assignmentEmpty })
        : h(
            'div',
            { class: 'list' },
            ...slsList.map((sls) => {
              const mine = families.filter((f) => f.sls === sls.id);
              const done = mine.filter((f) => f.status === 'sent').length;
              // Approved families that left the phone still count (retention.js).
              const gone = retired.filter((r) => r.sls === sls.id).length;
              const counts = `${T.familiesCount}: ${mine.length + gone} · ${T.sentCount}: ${done + gone}`;
              return h(
                'a',
                { class: 'item', href: `#/sls/${sls.id}`, dataset: { sls: String(sls.id) } },
                h('strong', { text: sls.name || sls.full_code }),
                h('span', { class: 'muted', text: `${sls.kelurahan_name ?? ''} · ${sls.full_code ?? ''}` }),
                h('span', { class: 'badge', text: gone ? `${counts} · ${T.approvedCount}: ${gone}` : counts }),
              );
            }),
          ),
    ),
    h('section', { class: 'footer' }, await storageInfo(),
      h('p', {}, h('a', { href: '#/data', 'data-testid': 'stored-link', text: T.storedLink })),
      signOutMessage,
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'lock-now', text: T.lockNow, onclick: () => app.lock() }),
      h('button', {
        type: 'button',
        class: 'secondary',
        text: T.signOutButton,
        onclick: async () => {
          const result = await app.engine.signOut();
          if (!result.ok) {
            signOutMessage.textContent = result.message ?? T.signOutUnsent;
            return;
          }
          // Everything was sent, and the phone's data (the keys with it) is gone.
          await app.lock();
          app.go('#/masuk');
        },
      }),
    ),
  );
}

/**
 * Starts a family: a draft with Blok I filled from the SLS (and from the VK1 row), and its VK1
 * mark (found for a row, new otherwise), in one transaction — never a draft without its mark,
 * which would offer "Mulai wawancara" again and start the same family twice.
 * @param {App} app
 * @param {import('../sync/db.js').SlsRow} sls
 * @param {import('../sync/db.js').PrelistRow | null} row
 * @returns {Promise<string>} the family's UUID
 */
async function startFamily(app, sls, row) {
  const ref = await getMeta(app.db, 'questionnaire');
  const stored = ref ? await app.db.definitions.get([ref.form, ref.version]) : undefined;
  if (!stored) throw new Error('no_definition');
  const definition = /** @type {import('../questionnaire/validate.js').Definition} */ (stored.definition);
  const prefill = { ...(sls.prefill ?? {}) };
  if (row?.head_name) prefill['108'] = row.head_name;
  if (row?.address) prefill['107'] = row.address;
  const clientUuid = app.newId();
  const now = Date.now();
  // Sealed before the transaction: WebCrypto must not be awaited inside it.
  const record = await requireVault(app.vault()).sealRecord(emptyRecord(definition, prefill));
  await app.db.transaction('rw', app.db.families, app.db.marks, async () => {
    await saveDraft(app.db, { client_uuid: clientUuid, sls: sls.id, record, untouched: true }, now);
    await setMark(app.db, { rowId: row ? row.id : null, status: row ? 'found' : 'new', familyUuid: clientUuid }, now);
  });
  return clientUuid;
}

/**
 * @param {App} app
 * @param {HTMLElement} screen
 * @param {number} slsId
 */
export async function slsScreen(app, screen, slsId) {
  const sls = await app.db.sls.get(slsId);
  if (!sls) {
    mount(screen, h('p', { class: 'error', text: T.slsMissing }), h('a', { href: '#/', text: T.back }));
    return;
  }
  const vault = requireVault(app.vault());
  const [sealedRows, sealedFamilies, marks, definitionRef, retired] = await Promise.all([
    app.db.prelist.where('sls').equals(slsId).sortBy('line_no'),
    app.db.families.where('sls').equals(slsId).toArray(),
    marksByKey(app.db),
    getMeta(app.db, 'questionnaire'),
    app.db.retired.where('sls').equals(slsId).toArray(),
  ]);
  const [rows, families] = await Promise.all([
    Promise.all(sealedRows.map((row) => openPrelistRow(vault, row))),
    Promise.all(sealedFamilies.map((f) => openFamily(vault, f))),
  ]);
  const byUuid = new Map(families.map((f) => [f.client_uuid, f]));
  const gone = new Set(retired.map((r) => r.client_uuid));
  /** @type {Set<string>} */
  const linked = new Set();
  const notice = h('p', { class: 'error', role: 'alert' });

  let starting = false;
  /** @param {import('../sync/db.js').PrelistEntry | null} row  null: a family found in the field */
  const start = async (row) => {
    if (!definitionRef) {
      notice.textContent = T.definitionMissing;
      return;
    }
    if (starting) return; // a double tap starts one family, not two
    starting = true;
    app.go(`#/keluarga/${await startFamily(app, sls, row)}`);
  };

  const prelistItems = rows.map((row) => {
    const mark = marks.get(`row:${row.id}`);
    const status = mark?.status ?? row.status;
    const familyUuid = mark?.family_uuid ?? row.family ?? null;
    if (familyUuid) linked.add(familyUuid);
    const family = familyUuid ? byUuid.get(familyUuid) : undefined;
    const approvedAndGone = !family && familyUuid !== null && gone.has(familyUuid);
    const select = h(
      'select',
      {
        'aria-label': T.prelistMarkLabel,
        onchange: async () => {
          if (!select.value) return;
          if (!confirm(`${T.prelistConfirm} ${PRELIST_LABELS[select.value]}?`)) {
            select.value = '';
            return;
          }
          await setMark(app.db, { rowId: row.id, status: /** @type {MarkRow['status']} */ (select.value) }, Date.now());
          app.sync();
          app.refresh();
        },
      },
      h('option', { value: '', text: T.prelistMarkLabel }),
      ...MARKABLE.map((s) => h('option', { value: s, text: PRELIST_LABELS[s] })),
    );
    return h(
      'div',
      { class: `item prelist status-${status}`, dataset: { prelist: String(row.id) } },
      h('strong', { text: `${row.line_no}. ${row.head_name}` }),
      row.address ? h('span', { class: 'muted', text: row.address }) : null,
      h('span', { class: 'badge', text: approvedAndGone ? T.prelistApproved : (PRELIST_LABELS[status] ?? status) }),
      mark?.state === 'pending' ? h('span', { class: 'muted', text: T.markPending }) : null,
      mark?.state === 'rejected' ? h('span', { class: 'comment error', text: mark.message ?? T.markRejected }) : null,
      approvedAndGone
        ? null
        : family
          ? h('a', { class: 'button', href: `#/keluarga/${family.client_uuid}`, text: `${T.openFamily} · ${familyStatusLabel(family)}` })
          : h('button', {
              type: 'button',
              class: 'start',
              text: T.startInterview,
              onclick: () => start(row),
            }),
      family || approvedAndGone ? null : select,
    );
  });
  // Families not started from a VK1 row: the ones added in the field.
  const others = families.filter((f) => !linked.has(f.client_uuid));

  mount(
    screen,
    h('a', { class: 'back', href: '#/', text: `← ${T.back}` }),
    h('header', { class: 'screenhead' }, h('h1', { text: sls.name || sls.full_code }), h('p', { class: 'muted', text: `${sls.kelurahan_name ?? ''}, ${sls.kecamatan_name ?? ''} · ${sls.full_code ?? ''}` })),
    notice,
    h('button', {
      type: 'button',
      class: 'wide',
      'data-testid': 'new-family',
      text: T.newFamily,
      onclick: () => start(null),
    }),
    h('section', {}, h('h2', { text: `${T.prelistTitle} (${rows.length})` }), rows.length ? h('div', { class: 'list' }, ...prelistItems) : h('p', { class: 'muted', text: T.prelistEmpty })),
    others.length ? h('section', {}, h('h2', { text: T.newFamiliesTitle }), h('div', { class: 'list' }, ...others.map(familyLink))) : null,
    h('p', { class: 'muted', text: `${T.lastSync}: ${formatTime(await getMeta(app.db, 'last_sync_at'))}` }),
  );
}
