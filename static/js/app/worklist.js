// @ts-check
/**
 * The PPL's work lists: home (tasks by urgency, the assignment with "n of m visited" per SLS) and
 * one SLS (its map, the VK1 list with search and filters, the families added in the field, and
 * adding a family not on the VK1 list only after a look for a likely duplicate). The rules are in
 * lists.js; the words for a family's state in ui/labels.js, the same on every screen. Names and
 * addresses are opened with the unlocked vault for display.
 */
import { emptyRecord } from '../questionnaire/relevance.js';
import { getMeta } from '../sync/db.js';
import { marksByKey, setMark } from '../sync/marks.js';
import { saveDraft } from '../sync/outbox.js';
import { openFamily, openGeotag, openPrelistRow, requireVault } from '../sync/sealing.js';
import { interpolate } from '../ui/i18n.js';
import { familyMessage, familyStage, familyStatusLabel } from '../ui/labels.js';
import { LIST_STRINGS as L } from '../ui/list-strings.js';
import { STRINGS as T } from '../ui/strings.js';
import { formatTime, h, mount } from './dom.js';
import { FILTERS, byUrgency, categoryOf, likelyDuplicates, matches, visited } from './lists.js';
import { storageInfo } from './screens.js';
import { slsMap } from './slsmap.js';

/** @typedef {import('./main.js').App} App */
/** @typedef {import('../sync/sealing.js').FamilyView} FamilyView */
/** @typedef {import('../sync/db.js').FamilyRow} FamilyRow */
/** @typedef {import('../sync/db.js').MarkRow} MarkRow */
/** @typedef {import('../sync/db.js').SlsRow} SlsRow */
/** @typedef {import('./lists.js').Category} Category */

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
/** @type {Record<string, string>} */
const FILTER_LABELS = {
  '': L.filterAll,
  not_visited: L.filterNotVisited,
  in_progress: L.filterInProgress,
  waiting: L.filterWaiting,
  returned: L.filterReturned,
};

/**
 * What the PPL typed and chose on an SLS screen, kept while the app is open so that a refresh after
 * a sync run does not throw it away (memory only: a search may be a name).
 * @type {Map<number, {query: string, filter: string, focused: boolean}>}
 */
const listState = new Map();

/**
 * @param {FamilyView | undefined} family
 * @param {string} key  r107, r108, r109, r110
 * @returns {string}
 */
function answer(family, key) {
  const value = family?.record?.family?.[key];
  return value === undefined || value === null ? '' : String(value).trim();
}

/**
 * @param {FamilyView} family
 * @returns {string}
 */
function familyName(family) {
  return answer(family, 'r108') || T.familyUnnamed;
}

/**
 * "RT 001 · Bangunan 7 · Keluarga 2": what tells two families with the same name apart.
 * @param {FamilyView | undefined} family
 * @param {string} [slsName]
 * @returns {string}
 */
function placeOf(family, slsName = '') {
  const building = answer(family, 'r109');
  const number = answer(family, 'r110');
  return [slsName, building && `${L.building} ${building}`, number && `${L.familyNo} ${number}`].filter(Boolean).join(' · ');
}

/**
 * @param {FamilyView} family
 * @param {string} [slsName]
 * @returns {HTMLElement}
 */
function familyLink(family, slsName = '') {
  const stage = familyStage(family);
  const place = placeOf(family, slsName);
  const message = familyMessage(family);
  return h(
    'a',
    { class: `item compact stage-${stage}`, href: `#/keluarga/${family.client_uuid}`, dataset: { family: family.client_uuid, stage } },
    h('span', { class: 'rowhead' }, h('strong', { text: familyName(family) }), h('span', { class: 'badge', text: familyStatusLabel(family) })),
    place ? h('span', { class: 'muted', text: place }) : null,
    family.review_comment && stage === 'returned' ? h('span', { class: 'comment', text: family.review_comment }) : null,
    message && (stage === 'conflict' || stage === 'rejected') ? h('span', { class: 'comment error', text: message }) : null,
  );
}

/**
 * The VK1 status of each row of the phone's prelist, after the phone's own marks.
 * @param {import('../sync/db.js').PrelistRow[]} rows
 * @param {Map<string, MarkRow>} marks
 * @returns {string[]}
 */
function rowStatuses(rows, marks) {
  return rows.map((row) => marks.get(`row:${row.id}`)?.status ?? row.status ?? 'pending');
}

/**
 * @param {App} app
 * @param {HTMLElement} screen
 */
export async function homeScreen(app, screen) {
  const vault = requireVault(app.vault());
  const [user, slsList, families, retired, prelist, marks] = await Promise.all([
    getMeta(app.db, 'user'),
    app.db.sls.toArray(),
    app.db.families.toArray(),
    app.db.retired.toArray(),
    app.db.prelist.toArray(),
    marksByKey(app.db),
  ]);
  const slsNames = new Map(slsList.map((s) => [s.id, s.name || s.full_code || '']));
  // Only the tasks are shown by name: only they are opened.
  const tasks = byUrgency(
    await Promise.all(
      families
        .filter((f) => ['returned', 'conflict', 'rejected'].includes(familyStage(f)))
        .map(async (f) => ({ ...(await openFamily(vault, f)), stage: familyStage(f) })),
    ),
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
      ? h(
          'section',
          { class: 'tasks', 'data-testid': 'tasks' },
          h('h2', { text: `${T.tasksTitle} (${tasks.length})` }),
          h('p', { class: 'muted', text: L.tasksUrgency }),
          h('div', { class: 'list' }, ...tasks.map((task) => familyLink(task, slsNames.get(task.sls)))),
        )
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
              const stages = families.filter((f) => f.sls === sls.id).map((f) => familyStage(f));
              const count = (/** @type {string} */ stage) => stages.filter((s) => s === stage).length;
              // Approved families that left the phone still count (retention.js).
              const gone = retired.filter((r) => r.sls === sls.id).length;
              const seen = visited(rowStatuses(prelist.filter((r) => r.sls === sls.id), marks));
              const counts = [
                [L.statusDraft, count('draft') + count('conflict') + count('rejected')],
                [L.statusWaiting, count('waiting')],
                [L.statusSent, count('sent')],
                [L.statusReturned, count('returned')],
                [L.statusApproved, count('approved') + gone],
              ]
                .filter(([, n]) => n)
                .map(([label, n]) => `${label}: ${n}`)
                .join(' · ');
              return h(
                'a',
                { class: 'item', href: `#/sls/${sls.id}`, dataset: { sls: String(sls.id) } },
                h('strong', { text: sls.name || sls.full_code }),
                h('span', { class: 'muted', text: `${sls.kelurahan_name ?? ''} · ${sls.full_code ?? ''}` }),
                h('span', { class: 'progress-line', 'data-testid': 'sls-visited', text: interpolate(L.visitedCount, { done: seen.done, total: seen.total }) }),
                counts ? h('span', { class: 'muted', text: counts }) : null,
              );
            }),
          ),
    ),
    h(
      'section',
      { class: 'footer' },
      await storageInfo(),
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
 * Starts a family: a draft with Blok I filled from the SLS (and from the VK1 row, or the name and
 * building the PPL gave for a family not on it), and its VK1 mark (found for a row, new otherwise),
 * in one transaction — never a draft without its mark, which would offer "Mulai wawancara" again
 * and start the same family twice. The draft is `untouched` until the PPL types an answer.
 * @param {App} app
 * @param {SlsRow} sls
 * @param {import('../sync/db.js').PrelistEntry | null} row
 * @param {{name: string, building: string}} [given]
 * @returns {Promise<string>} the family's UUID
 */
async function startFamily(app, sls, row, given) {
  const ref = await getMeta(app.db, 'questionnaire');
  const stored = ref ? await app.db.definitions.get([ref.form, ref.version]) : undefined;
  if (!stored) throw new Error('no_definition');
  const definition = /** @type {import('../questionnaire/validate.js').Definition} */ (stored.definition);
  const prefill = { ...(sls.prefill ?? {}) };
  if (row?.head_name) prefill['108'] = row.head_name;
  if (row?.address) prefill['107'] = row.address;
  if (given?.name) prefill['108'] = given.name;
  if (given?.building) prefill['109'] = given.building;
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
 * @typedef {object} Entry  one row of the list, for the search and the filters
 * @property {HTMLElement} element
 * @property {import('./lists.js').Searchable} search
 * @property {Category} category
 */

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
  const [sealedRows, sealedFamilies, marks, definitionRef, retired, sealedGeotags] = await Promise.all([
    app.db.prelist.where('sls').equals(slsId).sortBy('line_no'),
    app.db.families.where('sls').equals(slsId).toArray(),
    marksByKey(app.db),
    getMeta(app.db, 'questionnaire'),
    app.db.retired.where('sls').equals(slsId).toArray(),
    app.db.geotags.where('[sls+building_no]').between([slsId, ''], [slsId, '\uffff']).toArray(),
  ]);
  const [rows, families, geotags] = await Promise.all([
    Promise.all(sealedRows.map((row) => openPrelistRow(vault, row))),
    Promise.all(sealedFamilies.map((f) => openFamily(vault, f))),
    Promise.all(sealedGeotags.map((g) => openGeotag(vault, g))),
  ]);
  const byUuid = new Map(families.map((f) => [f.client_uuid, f]));
  const gone = new Set(retired.map((r) => r.client_uuid));
  /** @type {Set<string>} */
  const linked = new Set();
  const notice = h('p', { class: 'error', role: 'alert' });
  const state = listState.get(slsId) ?? { query: '', filter: '', focused: false };
  listState.set(slsId, state);

  let starting = false;
  /**
   * @param {import('../sync/db.js').PrelistEntry | null} row  null: a family found in the field
   * @param {{name: string, building: string}} [given]
   */
  const start = async (row, given) => {
    if (!definitionRef) {
      notice.textContent = T.definitionMissing;
      return;
    }
    if (starting) return; // a double tap starts one family, not two
    starting = true;
    state.query = '';
    app.go(`#/keluarga/${await startFamily(app, sls, row, given)}`);
  };

  /** @type {Entry[]} */
  const entries = [];
  /** @type {{name: string, building: string, element: () => HTMLElement}[]} */
  const candidates = [];
  const statuses = rowStatuses(sealedRows, marks);

  rows.forEach((row, index) => {
    const mark = marks.get(`row:${row.id}`);
    const status = statuses[index];
    const familyUuid = mark?.family_uuid ?? row.family ?? null;
    if (familyUuid) linked.add(familyUuid);
    const family = familyUuid ? byUuid.get(familyUuid) : undefined;
    const approvedAndGone = !family && familyUuid !== null && gone.has(familyUuid);
    const stage = family ? familyStage(family) : approvedAndGone ? 'approved' : null;
    const select = h(
      'select',
      {
        'aria-label': `${T.prelistMarkLabel} ${row.line_no}. ${row.head_name}`,
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
    const place = [row.address, placeOf(family)].filter(Boolean).join(' · ');
    const badge = family ? familyStatusLabel(family) : approvedAndGone ? L.statusApproved : (PRELIST_LABELS[status] ?? status);
    const parts = [
      // A row nobody visited says so by its "Mulai wawancara": no badge, so its name keeps one line.
      h('span', { class: 'rowhead' }, h('strong', { text: `${row.line_no}. ${row.head_name}` }), status === 'pending' && !family ? null : h('span', { class: 'badge', text: badge })),
      place ? h('span', { class: 'muted', text: place }) : null,
      approvedAndGone ? h('span', { class: 'muted', text: T.prelistApproved }) : null,
      mark?.state === 'pending' && mark.status !== 'found' ? h('span', { class: 'muted', text: T.markPending }) : null,
      mark?.state === 'rejected' ? h('span', { class: 'comment error', text: mark.message ?? T.markRejected }) : null,
    ];
    const className = `item prelist compact status-${status}${stage ? ` stage-${stage}` : ''}`;
    // A row with its family is one link (two lines); a row not visited offers the interview and the marks.
    const element = family
      ? h('a', { class: className, href: `#/keluarga/${family.client_uuid}`, dataset: { prelist: String(row.id), family: family.client_uuid } }, ...parts)
      : h(
          'div',
          { class: className, dataset: { prelist: String(row.id) } },
          ...parts,
          approvedAndGone
            ? null
            : h('span', { class: 'rowactions' }, h('button', { type: 'button', class: 'start', text: T.startInterview, onclick: () => start(row) }), select),
        );
    entries.push({
      element,
      search: { name: `${row.head_name ?? ''} ${answer(family, 'r108')}`, address: `${row.address ?? ''} ${answer(family, 'r107')}`, building: answer(family, 'r109'), line: row.line_no ?? null },
      category: categoryOf(status, stage),
    });
    candidates.push({
      name: answer(family, 'r108') || String(row.head_name ?? ''),
      building: answer(family, 'r109'),
      element: () =>
        h(
          'li',
          { class: 'item compact' },
          h('strong', { text: `${row.line_no}. ${row.head_name}` }),
          place ? h('span', { class: 'muted', text: place }) : null,
          family
            ? h('a', { class: 'button secondary', href: `#/keluarga/${family.client_uuid}`, text: T.openFamily })
            : approvedAndGone
              ? h('span', { class: 'muted', text: T.prelistApproved })
              : h('button', { type: 'button', class: 'start', text: T.startInterview, onclick: () => start(row) }),
        ),
    });
  });
  // Families not started from a VK1 row: the ones added in the field.
  const others = families.filter((f) => !linked.has(f.client_uuid));
  const otherElements = others.map((family) => {
    const element = familyLink(family);
    entries.push({
      element,
      search: { name: answer(family, 'r108'), address: answer(family, 'r107'), building: answer(family, 'r109'), line: null },
      category: categoryOf('new', familyStage(family)),
    });
    candidates.push({ name: answer(family, 'r108'), building: answer(family, 'r109'), element: () => h('li', {}, familyLink(family)) });
    return element;
  });

  const seen = visited(statuses);
  const search = h('input', {
    type: 'search',
    id: 'vk1-search',
    autocomplete: 'off',
    value: state.query,
    oninput: () => {
      state.query = search.value;
      apply();
    },
    onfocus: () => {
      state.focused = true;
    },
    onblur: () => {
      state.focused = false;
    },
  });
  const filter = h(
    'select',
    {
      id: 'vk1-filter',
      onchange: () => {
        state.filter = filter.value;
        apply();
      },
    },
    ...FILTERS.map((value) => h('option', { value, text: FILTER_LABELS[value] })),
  );
  filter.value = state.filter;
  const shownCount = h('p', { class: 'muted', role: 'status', 'data-testid': 'shown-count' });
  const noMatch = h('p', { class: 'muted', hidden: true, text: L.noMatch });
  const othersSection = others.length ? h('section', {}, h('h2', { text: T.newFamiliesTitle }), h('div', { class: 'list' }, ...otherElements)) : null;

  const apply = () => {
    let shown = 0;
    for (const entry of entries) {
      const visible = (!state.filter || entry.category === state.filter) && matches(state.query, entry.search);
      entry.element.hidden = !visible;
      if (visible) shown += 1;
    }
    if (othersSection) othersSection.hidden = !otherElements.some((e) => !e.hidden);
    shownCount.textContent = interpolate(L.shownCount, { shown });
    noMatch.hidden = shown > 0 || entries.length === 0;
  };

  // A family not on the VK1 list: the name (and building) first, checked against the list.
  const newName = h('input', { id: 'new-name', autocomplete: 'off', maxlength: 150 });
  const newBuilding = h('input', { id: 'new-building', autocomplete: 'off', inputmode: 'numeric', maxlength: 3 });
  const newMessage = h('p', { class: 'error', role: 'alert' });
  const duplicates = h('div', { class: 'duplicates', 'data-testid': 'duplicates' });
  const newPanel = h(
    'section',
    { class: 'card newfamily', hidden: true, 'aria-labelledby': 'new-title' },
    h('h2', { id: 'new-title', text: L.newFamilyTitle }),
    h('p', { class: 'muted', text: L.newFamilyHint }),
    h('label', { for: 'new-name', text: L.newFamilyName }),
    newName,
    h('label', { for: 'new-building', text: L.newFamilyBuilding }),
    newBuilding,
    newMessage,
    h('button', {
      type: 'button',
      'data-testid': 'new-family-check',
      text: L.newFamilyCheck,
      onclick: () => {
        const given = { name: newName.value.trim(), building: newBuilding.value.trim() };
        if (!given.name) {
          newMessage.textContent = L.newFamilyNameRequired;
          newName.focus();
          return;
        }
        newMessage.textContent = '';
        const found = likelyDuplicates(given, candidates);
        if (found.length === 0) {
          start(null, given);
          return;
        }
        const anyway = h('button', { type: 'button', class: 'secondary', 'data-testid': 'new-family-anyway', text: L.newFamilyAnyway, onclick: () => start(null, given) });
        mount(duplicates, h('p', { class: 'warn', role: 'alert', text: L.newFamilyDuplicates }), h('ul', { class: 'list plain' }, ...found.map((c) => c.element())), anyway);
      },
    }),
    h('button', {
      type: 'button',
      class: 'secondary',
      text: L.cancel,
      onclick: () => {
        newPanel.hidden = true;
        opener.hidden = false;
        mount(duplicates);
        app.setEditing(false);
        opener.focus();
      },
    }),
    duplicates,
  );
  const opener = h('button', {
    type: 'button',
    class: 'wide secondary',
    'data-testid': 'new-family',
    text: L.newFamilyButton,
    onclick: () => {
      opener.hidden = true;
      newPanel.hidden = false;
      // What was searched for is the likely name.
      if (!newName.value && state.query && !/^\d+$/.test(state.query.trim())) newName.value = state.query.trim();
      // A refresh after a sync run would throw the panel away: the list waits while it is open.
      app.setEditing(true);
      newName.focus();
    },
  });

  mount(
    screen,
    h('a', { class: 'back', href: '#/', text: `← ${T.back}` }),
    h(
      'header',
      { class: 'screenhead' },
      h('h1', { text: sls.name || sls.full_code }),
      h('p', { class: 'muted', text: `${sls.kelurahan_name ?? ''}, ${sls.kecamatan_name ?? ''} · ${sls.full_code ?? ''}` }),
      h('p', { class: 'progress-line', 'data-testid': 'visited', text: interpolate(L.visitedCount, { done: seen.done, total: seen.total }) }),
    ),
    notice,
    slsMap(sls, geotags),
    h(
      'div',
      { class: 'listtools' },
      h('label', { for: 'vk1-search', text: L.searchLabel }),
      search,
      h('label', { for: 'vk1-filter', text: L.filterLabel }),
      filter,
      shownCount,
    ),
    h('section', {}, h('h2', { text: `${T.prelistTitle} (${rows.length})` }), rows.length ? h('div', { class: 'list' }, ...entries.slice(0, rows.length).map((e) => e.element)) : h('p', { class: 'muted', text: T.prelistEmpty })),
    othersSection,
    noMatch,
    opener,
    newPanel,
    h('p', { class: 'muted', text: `${T.lastSync}: ${formatTime(await getMeta(app.db, 'last_sync_at'))}` }),
  );
  apply();
  if (state.focused) {
    search.focus();
    search.setSelectionRange(search.value.length, search.value.length);
  }
}
