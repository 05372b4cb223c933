// @ts-check
/**
 * The family screen: status and the server's reasons, the dwelling's geotag, the questionnaire
 * form, the dwelling photo when the SLS head's welfare estimate requires one, and save/finalise.
 * Every change is saved as a draft on the phone within a second; finalising validates with the
 * same rules as the server and puts the family in the outbox. The screen works on the decrypted
 * view (sync/sealing.js): what it reads is opened with the unlocked vault, what it saves is sealed
 * before it is stored.
 */
import { serverChecks } from '../questionnaire/server-checks.js';
import { recordDifferences } from '../questionnaire/differences.js';
import { derive, validate } from '../questionnaire/validate.js';
import { getMeta } from '../sync/db.js';
import { discardDraft, discardIfUntouched, enqueueFamily, isDiscardable, resolveConflict, saveDraft, saveGeotag } from '../sync/outbox.js';
import { familyMessage, familyStatusLabel } from '../ui/labels.js';
import { addPhoto, openPhoto, sha256Hex } from '../sync/photos.js';
import { openGeotag, readFamily, requireVault } from '../sync/sealing.js';
import { interpolate } from '../ui/i18n.js';
import { STRINGS as T } from '../ui/strings.js';
import { formatTime, h, mount } from './dom.js';
import { createFamilyForm } from './form.js';
import { buildingAnswers, prefillOfficers } from './form/prefill.js';
import { doorstepWarnings, warningParts } from './geocheck.js';
import { compressPhoto, currentFix, isoWithOffset } from './media.js';

/** @typedef {import('./main.js').App} App */
/** @typedef {import('../sync/sealing.js').FamilyView} FamilyRow */
/** @typedef {import('../sync/db.js').Geotag} GeotagRow */
/** @typedef {import('../questionnaire/validate.js').Definition} Definition */
/** @typedef {import('../questionnaire/validate.js').Issue} Issue */

const AUTOSAVE_MS = 800;
const EDITABLE = new Set(['draft', 'final', 'sent', 'rejected', 'returned', 'conflict']);

/**
 * Whether the screen shows the supervisor's comment: the family is returned on the server and the
 * PPL has not sent an answer to that return yet.
 * @param {FamilyRow} family
 * @returns {boolean}
 */
function showsReturn(family) {
  if (family.status === 'returned' || family.conflict_reason === 'returned') return true;
  return family.server_status === 'returned' && family.status !== 'sent';
}

/**
 * @param {App} app
 * @param {HTMLElement} screen
 * @param {string} clientUuid
 */
export async function familyScreen(app, screen, clientUuid) {
  const db = app.db;
  const vault = requireVault(app.vault());
  const family = await readFamily(db, vault, clientUuid);
  if (!family) {
    mount(screen, h('p', { class: 'error', text: T.familyMissing }), h('a', { href: '#/', text: T.back }));
    return;
  }
  const sls = await db.sls.get(family.sls);
  const stored = await db.definitions.get([family.record.form, family.record.version]);
  if (!stored) {
    mount(screen, h('p', { class: 'error', text: T.definitionMissing }), h('a', { href: '#/', text: T.back }));
    return;
  }
  const definition = /** @type {Definition} */ (stored.definition);
  const today = isoWithOffset(new Date()).slice(0, 10);
  const context = { ...(sls?.context ?? {}), today };
  const serverApproved = family.server_status === 'approved';

  const neverSent = family.server_revision === null && family.base_revision === null;
  /** @type {import('../questionnaire/relevance.js').FamilyRecord} */
  let record = structuredClone(/** @type {any} */ (family.record));
  if (neverSent) {
    // Blok II of a new family from what the phone knows (stored with the PPL's first answer).
    record = prefillOfficers(definition, record, { today, team: await teamOf(db) }).record;
  }
  /** The interview begins with the PPL's first answer of a new family. */
  let startedAt = family.interview_started_at ?? null;
  let dirty = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let saveTimer = null;
  /** @type {string | null} */
  let geotagUuid = family.geotag_uuid;
  /** @type {GeotagRow | undefined} */
  /**
   * @param {string | null} uuid
   * @returns {Promise<GeotagRow | undefined>}
   */
  const geotagOf = async (uuid) => {
    const row = uuid ? await db.geotags.get(uuid) : undefined;
    return row ? openGeotag(vault, row) : undefined;
  };
  let geotag = await geotagOf(geotagUuid);
  let photos = await db.photos.where('family_uuid').equals(clientUuid).toArray();
  /** @type {string[]} */
  const objectUrls = [];

  const statusBox = h('section', { class: 'familystatus', 'data-testid': 'family-status' });
  const geotagBox = h('section', { class: 'card geotag', 'data-testid': 'geotag' });
  const photoBox = h('section', { class: 'card photo', 'data-testid': 'photo' });
  const formRoot = h('div', { class: 'formroot' });
  const notice = h('p', { class: 'notice', role: 'status', 'data-testid': 'family-notice' });

  const save = async () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    if (!dirty) return;
    dirty = false;
    const started = performance.now();
    await saveDraft(
      db,
      { client_uuid: clientUuid, sls: family.sls, record, geotag_uuid: geotagUuid, interview_started_at: startedAt },
      Date.now(),
      vault,
    );
    // Sealing and storing one draft (docs/performance.md, scripts/bench_app_lock.py).
    performance.measure('regsosek-save', { start: started });
  };
  const scheduleSave = () => {
    dirty = true;
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(() => save().catch((error) => console.error('draft save failed', error)), AUTOSAVE_MS);
  };
  const buildingNo = () => {
    const value = record.family?.r109;
    return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
  };
  const photoRequired = () => {
    try {
      return Boolean(derive(definition, record, context).photo_required);
    } catch {
      return false;
    }
  };

  const renderStatus = async () => {
    const current = (await readFamily(db, vault, clientUuid)) ?? family;
    const errors = (current.errors ?? []).map((e) => h('li', { text: e.number ? `${e.number}: ${e.message}` : e.message }));
    mount(
      statusBox,
      h('span', { class: `badge status-${current.status}`, text: familyStatusLabel(current) }),
      serverApproved ? h('p', { class: 'muted', text: T.familyApproved }) : null,
      current.review_comment && showsReturn(current)
        ? h('p', { class: 'comment', 'data-testid': 'review-comment', text: `${T.reviewComment}: ${current.review_comment}` })
        : null,
      isDiscardable(current) && !(await db.outbox.where('client_uuid').equals(clientUuid).count())
        ? h('button', { type: 'button', class: 'secondary discard', 'data-testid': 'discard-draft', text: T.discardDraft, onclick: discard })
        : null,
      current.status === 'conflict'
        ? conflictBox(current)
        : familyMessage(current)
          ? h('p', { class: 'comment error', text: /** @type {string} */ (familyMessage(current)) })
          : null,
      errors.length ? h('ul', { class: 'errors' }, ...errors) : null,
    );
  };

  const discard = async () => {
    if (!globalThis.confirm(T.discardConfirm)) return;
    if (saveTimer) clearTimeout(saveTimer);
    dirty = false;
    discarded = true;
    await discardDraft(db, clientUuid);
    notice.textContent = T.discarded;
    app.go(sls ? `#/sls/${sls.id}` : '#/');
  };
  let discarded = false;

  /**
   * The two copies of a family in conflict, what each choice keeps, and what it discards.
   * @param {FamilyRow} current
   * @returns {HTMLElement}
   */
  const conflictBox = (current) => {
    const returned = current.conflict_reason === 'returned';
    const server = current.server;
    const lost = server ? recordDifferences(definition, /** @type {any} */ (record), /** @type {any} */ (server.record), document.documentElement.lang.startsWith('en') ? 'en' : 'id') : [];
    const lostItems = lost.map((d) =>
      h('li', {
        text: [d.number, d.label, d.member === null ? '' : `(${interpolate(T.conflictMemberLine, { line: d.member })})`].filter(Boolean).join(' '),
      }),
    );
    return h(
      'div',
      { class: 'conflict', role: 'alert', 'data-testid': 'conflict' },
      h('p', { class: 'comment error', text: returned ? T.conflictReturnedTitle : T.conflictChangedTitle }),
      !returned && current.message ? h('p', { class: 'comment', text: current.message }) : null,
      server
        ? h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', text: returned ? T.conflictSendMine : T.conflictKeepMine, onclick: () => resolve('mine', 0) }),
            h('button', { type: 'button', class: 'secondary', text: T.conflictTakeServer, onclick: () => resolve('server', lost.length) }),
          )
        : null,
      server && lost.length ? h('p', { class: 'muted', text: T.conflictDiscards }) : null,
      server && lost.length ? h('ul', { class: 'discards', 'data-testid': 'conflict-discards' }, ...lostItems) : null,
      server && !lost.length ? h('p', { class: 'muted', text: T.conflictDiscardsNothing }) : null,
    );
  };

  /**
   * @param {'mine' | 'server'} choice
   * @param {number} discarded  answers the server's copy would replace
   */
  const resolve = async (choice, discarded) => {
    if (choice === 'server' && discarded > 0 && !globalThis.confirm(interpolate(T.conflictDiscardConfirm, { count: discarded }))) return;
    await save();
    await resolveConflict(db, clientUuid, choice, { now: Date.now(), newId: app.newId });
    app.sync({ force: true });
    app.refresh();
  };

  const renderGeotag = async () => {
    const building = buildingNo();
    const sharedRow = building && !geotag ? await db.geotags.where('[sls+building_no]').equals([family.sls, building]).first() : undefined;
    const shared = sharedRow ? await openGeotag(vault, sharedRow) : undefined;
    const status = h('p', { class: 'muted', role: 'status' });
    const reason = h('input', { name: 'geotag-reason', id: 'geotag-reason', placeholder: T.geotagReasonPlaceholder, maxlength: 200 });
    /** @type {HTMLElement | null} */
    let pending = null;

    const capture = async () => {
      status.textContent = T.geotagCapturing;
      captureButton.disabled = true;
      try {
        const fix = await currentFix(navigator.geolocation);
        /** @type {GeotagRow} */
        // Always a new geotag: the server keeps a geotag as first stored, so a retake is a new one.
        const row = { client_uuid: app.newId(), sls: family.sls, building_no: building, ...fix, accepted_reason: '' };
        // The server's checks, at the doorstep (geocheck.js): accuracy, outside the area, travel speed.
        const warnings = await doorstepWarnings(app, family.sls, fix);
        if (warnings.length === 0) {
          await keep(row);
          return;
        }
        pending = h(
          'div',
          { class: 'warnbox', role: 'alert', 'data-testid': 'geotag-warning' },
          ...warningParts(warnings),
          h('button', { type: 'button', text: T.geotagRetake, onclick: capture }),
          h('label', { for: 'geotag-reason', text: T.geotagAcceptWithReason }),
          reason,
          h('button', {
            type: 'button',
            class: 'secondary',
            text: T.geotagAccept,
            onclick: async () => {
              if (reason.value.trim().length < 5) {
                status.textContent = T.geotagReasonRequired;
                return;
              }
              await keep({ ...row, accepted_reason: reason.value.trim() });
            },
          }),
        );
        renderGeotagBox();
        status.textContent = '';
      } catch (error) {
        const code = /** @type {{code?: string}} */ (error).code;
        status.textContent =
          code === 'denied' ? T.geotagDenied : code === 'unsupported' ? T.geotagUnsupported : code === 'timeout' ? T.geotagTimeout : T.geotagUnavailable;
      } finally {
        captureButton.disabled = false;
      }
    };

    /** @param {GeotagRow} row */
    const keep = async (row) => {
      await saveGeotag(db, row, vault);
      geotag = row;
      geotagUuid = row.client_uuid;
      dirty = true;
      await save();
      pending = null;
      await renderGeotag();
    };

    const captureButton = h('button', { type: 'button', 'data-testid': 'geotag-capture', text: geotag ? T.geotagRetakeButton : T.geotagCaptureButton, onclick: capture });
    const renderGeotagBox = () =>
      mount(
        geotagBox,
        h('h2', { text: T.geotagTitle }),
        building ? h('p', { class: 'muted', text: `${T.geotagBuilding} ${building}` }) : h('p', { class: 'warn', text: T.geotagNeedsBuilding }),
        geotag
          ? h(
              'p',
              { class: 'geotagvalue', 'data-testid': 'geotag-value' },
              `${geotag.lat.toFixed(6)}, ${geotag.lon.toFixed(6)} · ${T.geotagAccuracy} ${geotag.accuracy_m} m · ${formatTime(geotag.captured_at)}`,
              geotag.accepted_reason ? ` · ${T.geotagReason}: ${geotag.accepted_reason}` : '',
            )
          : h('p', { class: geotagUuid ? 'muted' : 'warn', text: geotagUuid ? T.geotagOnServer : T.geotagMissing }),
        shared
          ? h('button', {
              type: 'button',
              class: 'secondary',
              text: `${T.geotagUseBuilding} (${T.geotagAccuracy} ${shared.accuracy_m} m)`,
              onclick: () => keep(shared),
            })
          : null,
        building ? captureButton : null,
        pending,
        status,
      );
    renderGeotagBox();
  };

  const renderPhoto = async () => {
    const required = photoRequired();
    photoBox.hidden = !required && photos.length === 0;
    const latest = photos.slice().sort((a, b) => b.created_at - a.created_at)[0];
    const status = h('p', { class: 'muted', role: 'status' });
    const input = h('input', {
      type: 'file',
      accept: 'image/*',
      capture: 'environment',
      name: 'photo',
      'data-testid': 'photo-input',
      onchange: async () => {
        const file = input.files?.[0];
        if (!file) return;
        status.textContent = T.photoProcessing;
        try {
          const { blob } = await compressPhoto(file);
          const sha256 = await sha256Hex(blob);
          // A retake replaces a photo the server does not have yet; a sent one stays on the server.
          for (const old of photos) if (old.status !== 'sent') await db.photos.delete(old.client_uuid);
          await addPhoto(db, { client_uuid: app.newId(), family_uuid: clientUuid, blob, sha256 }, Date.now(), vault);
          photos = await db.photos.where('family_uuid').equals(clientUuid).toArray();
          await renderPhoto();
        } catch (error) {
          console.error('photo failed', error);
          status.textContent = T.photoFailed;
        }
      },
    });
    let preview = null;
    if (latest) {
      const url = URL.createObjectURL(await openPhoto(vault, latest));
      objectUrls.push(url);
      preview = h(
        'figure',
        {},
        h('img', { src: url, alt: T.photoPreviewAlt, 'data-testid': 'photo-preview' }),
        h('figcaption', { class: 'muted', text: `${Math.round(latest.size / 1024)} KB · ${latest.status === 'sent' ? T.photoSent : T.photoWaiting}` }),
      );
    }
    mount(
      photoBox,
      h('h2', { text: T.photoTitle }),
      h('p', { class: required ? 'warn' : 'muted', text: required ? T.photoRequired : T.photoOptional }),
      preview,
      h('label', { class: 'button', text: latest ? T.photoRetake : T.photoTake }, input),
      status,
    );
  };

  const buildingBox = h('section', { class: 'card building-copy', 'data-testid': 'building-copy', hidden: true });
  /** Offers the answers about the building that another family of the same building gave. */
  const renderBuildingCopy = async () => {
    const building = buildingNo();
    buildingBox.hidden = true;
    if (!building) return;
    // The building's families are found through its geotag (stored in the clear by SLS and number).
    const geotags = await db.geotags.where('[sls+building_no]').equals([family.sls, building]).toArray();
    const ids = new Set(geotags.map((g) => g.client_uuid));
    if (!ids.size) return;
    const others = await db.families.where('sls').equals(family.sls).filter((f) => f.client_uuid !== clientUuid && ids.has(f.geotag_uuid ?? '')).toArray();
    const offers = [];
    for (const other of others) {
      const opened = await readFamily(db, vault, other.client_uuid);
      if (!opened || opened.record.family?.r109 !== building) continue;
      const answers = buildingAnswers(definition, form.getRecord(), /** @type {any} */ (opened.record));
      const name = typeof opened.record.family?.r108 === 'string' && opened.record.family.r108 ? opened.record.family.r108 : T.buildingOtherFamily;
      offers.push(
        h('button', {
          type: 'button',
          class: 'secondary wide',
          'data-testid': 'building-copy-button',
          text: interpolate(T.buildingCopyButton, { name, count: Object.keys(answers).length }),
          disabled: Object.keys(answers).length === 0,
          onclick: () => {
            const changed = form.fill(buildingAnswers(definition, form.getRecord(), /** @type {any} */ (opened.record)));
            notice.textContent = changed.length ? interpolate(T.buildingCopyDone, { count: changed.length }) : T.buildingCopyNothing;
            notice.className = 'notice ok';
            renderBuildingCopy().catch((error) => console.error('building copy failed', error));
          },
        }),
      );
    }
    if (!offers.length) return;
    mount(buildingBox, h('h2', { text: T.buildingCopyTitle }), h('p', { class: 'muted', text: T.buildingCopyHelp }), ...offers);
    buildingBox.hidden = false;
  };

  const form = createFamilyForm({
    root: formRoot,
    definition,
    context,
    record,
    onChange: (next) => {
      const before = buildingNo();
      record = next;
      if (startedAt === null && neverSent) startedAt = isoWithOffset(new Date());
      scheduleSave();
      if (buildingNo() !== before) {
        renderGeotag();
        renderBuildingCopy().catch((error) => console.error('building copy failed', error));
      }
      renderPhoto().catch((error) => console.error('photo preview failed', error));
    },
  });

  app.setEditing(true);
  const flushOnHide = () => {
    if (document.visibilityState === 'hidden') save().catch((error) => console.error('draft save failed', error));
  };
  document.addEventListener('visibilitychange', flushOnHide);
  window.addEventListener('pagehide', flushOnHide);
  app.onLeave(async () => {
    document.removeEventListener('visibilitychange', flushOnHide);
    window.removeEventListener('pagehide', flushOnHide);
    if (!discarded) await save();
    form.destroy();
    // A new family left without a single answer was started by mistake: it goes (with its VK1 mark).
    if (!discarded) await discardIfUntouched(db, clientUuid);
    for (const url of objectUrls) URL.revokeObjectURL(url);
  });

  /** @returns {Issue[]} */
  const extraIssues = () => {
    /** @type {Issue[]} */
    const extra = [];
    const issue = (/** @type {string} */ variable, /** @type {string} */ message) =>
      extra.push({ variable, number: null, member_index: null, check: variable, severity: 'error', message, message_en: message });
    if (!geotag && !geotagUuid) issue('geotag', T.geotagMissing);
    if (photoRequired() && photos.length === 0) issue('photo', T.photoRequired);
    return extra;
  };

  const finalise = async () => {
    record = form.getRecord();
    let issues;
    try {
      issues = [...validate(definition, record, context), ...serverChecks(definition, record), ...extraIssues()];
    } catch (error) {
      console.error('validation failed', error);
      notice.textContent = T.finaliseFailed;
      return;
    }
    form.showIssues(inUiLanguage(issues));
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length) {
      notice.textContent = `${T.finaliseBlocked} (${errors.length})`;
      notice.className = 'notice error';
      // The summary at the top of the form lists every error, each a link to its field.
      formRoot.querySelector('.form-summary')?.scrollIntoView({ block: 'start' });
      await save();
      return;
    }
    if (saveTimer) clearTimeout(saveTimer);
    dirty = false;
    try {
      await enqueueFamily(
        db,
        { client_uuid: clientUuid, sls: family.sls, record, geotag_uuid: geotagUuid, interview_started_at: startedAt },
        { now: Date.now(), newId: app.newId, vault },
      );
    } catch (error) {
      notice.textContent = /** @type {Error} */ (error).message === 'conflict_unresolved' ? T.conflictFirst : T.finaliseFailed;
      notice.className = 'notice error';
      return;
    }
    notice.textContent = T.finalised;
    notice.className = 'notice ok';
    await renderStatus();
    registerBackgroundSync();
    app.sync({ force: true });
  };

  const ppl = await getMeta(db, 'user');
  mount(
    screen,
    h('a', { class: 'back', href: sls ? `#/sls/${sls.id}` : '#/', text: `← ${sls ? sls.name || sls.full_code : T.back}` }),
    h('header', { class: 'screenhead' }, h('h1', { text: T.familyTitle }), h('p', { class: 'muted', text: ppl ? `${T.enumerator}: ${ppl.username}` : '' })),
    statusBox,
    geotagBox,
    buildingBox,
    formRoot,
    photoBox,
    notice,
    h(
      'div',
      { class: 'actionbar' },
      h('button', {
        type: 'button',
        class: 'secondary',
        'data-testid': 'save-draft',
        text: T.saveDraft,
        disabled: !EDITABLE.has(family.status),
        onclick: async () => {
          record = form.getRecord();
          dirty = true;
          await save();
          notice.textContent = T.draftSaved;
          notice.className = 'notice ok';
          await renderStatus();
        },
      }),
      h('button', { type: 'button', 'data-testid': 'finalise', text: T.finalise, onclick: finalise }),
    ),
  );
  await renderStatus();
  /** The supervisor's notes per answer, on their fields, while the return is unanswered. */
  const showNotes = async () => {
    const current = (await readFamily(db, vault, clientUuid)) ?? family;
    form.showNotes(showsReturn(current) ? current.review_notes : []);
  };
  await showNotes();
  // The status (sent, held for a return, a conflict) follows each sync; the form is left alone.
  app.onSynced(() => {
    renderStatus().catch((error) => console.error('status failed', error));
    showNotes().catch((error) => console.error('notes failed', error));
  });
  await renderBuildingCopy();
  await renderGeotag();
  await renderPhoto();
  if (family.errors?.length) {
    const fromServer = family.errors.map((e) => ({
      variable: e.variable ?? 'record',
      number: e.number ?? null,
      member_index: e.member_index ?? null,
      check: e.check ?? 'server',
      severity: /** @type {'error' | 'warning'} */ (e.severity === 'warning' ? 'warning' : 'error'),
      message: e.message,
      message_en: typeof e.message_en === 'string' ? e.message_en : e.message,
    }));
    form.showIssues(inUiLanguage(fromServer));
  }
}

/**
 * The PPL and PML for Blok II: the team the last pull named, else the signed-in PPL alone.
 * @param {import('../sync/db.js').RegsosekDB} db
 * @returns {Promise<import('./form/prefill.js').Team>}
 */
async function teamOf(db) {
  const team = await getMeta(db, 'team');
  if (team && typeof team === 'object') return { ppl: team.ppl ?? null, pml: team.pml ?? null };
  const user = await getMeta(db, 'user');
  return { ppl: user ? { name: user.full_name ?? '', code: user.username ?? '' } : null, pml: null };
}

/**
 * The validator gives each issue in Indonesian and English; show the one of the page's language.
 * @param {Issue[]} issues
 * @returns {Issue[]}
 */
function inUiLanguage(issues) {
  if (!document.documentElement.lang.startsWith('en')) return issues;
  return issues.map((issue) => ({ ...issue, message: issue.message_en || issue.message }));
}

function registerBackgroundSync() {
  // An extra where the browser has it: the service worker syncs even after the page closed.
  navigator.serviceWorker?.ready
    .then((registration) => {
      const sync = /** @type {{sync?: {register: (tag: string) => Promise<void>}}} */ (/** @type {unknown} */ (registration)).sync;
      return sync ? sync.register('regsosek-sync') : undefined;
    })
    .catch(() => {});
}
