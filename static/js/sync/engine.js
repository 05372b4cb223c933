// @ts-check
/**
 * The sync engine: drains the outbox, uploads photos, pulls and merges, refreshes the
 * questionnaire definition. Everything it touches is injected (database, API, clock, random,
 * UUIDs, events), so it runs the same in the page, in the service worker and under `node --test`.
 *
 * One run (`syncNow`, single-flight):
 * 1. push due families in batches (≤ 50): read a batch in one transaction, send it outside any
 *    transaction, write the answers in a second one;
 * 2. photos of acknowledged families: ask photos/missing, then PUT each missing one, one at a time;
 * 3. VK1 marks whose family (if any) the server has, in one request;
 * 4. pull with the stored cursor and merge;
 * 5. fetch the questionnaire definition when its sha256 changed.
 * No answer (network, timeout, 408, 429, 5xx) stops the run and backs off (1 s doubling to 5 min,
 * with jitter); 401 pauses the queue until sign-in; device_revoked asks for a wipe, which happens
 * only when the UI calls `wipeLocalData()`. Nothing unsent is ever deleted otherwise.
 * 6. families approved by the PML leave the phone after the grace period (retention.js).
 *
 * The engine works on the decrypted view through the vault it is given (`vault()`: the page's
 * unlocked keys, or the service worker's copy of them): it opens the token and what it sends only
 * outside transactions, and has what it stores sealed before each transaction (sealing.js). While
 * the app is locked (`vault()` is null) a run stops at once with `locked`: nothing can be read.
 */
import { backoffDelay } from './backoff.js';
import { STORE_NAMES, getMeta, setMeta } from './db.js';
import {
  applyPushResults,
  countDue,
  countWork,
  openPushItems,
  pauseForAuth,
  rejectOps,
  releaseOps,
  requeueOps,
  resetInterrupted,
  resumeAfterSignIn,
  takeBatch,
} from './outbox.js';
import {
  listUploadablePhotos,
  markPhotoRejected,
  markPhotoSending,
  markPhotoWaiting,
  markPhotosSent,
  openPhoto,
  requeuePhoto,
} from './photos.js';
import { applyMarkResults, openMarkItems, takeMarks } from './marks.js';
import { mergePull } from './pull.js';
import { DEFAULT_RETENTION_MS, retireApproved } from './retention.js';
import { isSealed } from './vault.js';

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./api.js').Api} Api */
/** @typedef {import('./api.js').Outcome} Outcome */
/** @typedef {import('./api.js').Credentials} Credentials */
/** @typedef {import('./outbox.js').WorkCounts} WorkCounts */
/** @typedef {import('./vault.js').Vault} Vault */

export const MAX_BATCH = 50;
export const IDLE_MS = 5 * 60 * 1000;
const PHOTO_QUERY_CHUNK = 500;

/** @typedef {'push' | 'photos' | 'marks' | 'pull' | 'definition'} Phase */

/**
 * Why a run stopped early. network/server are retried with backoff; the others wait for the
 * user (sign-in, wipe, unlock).
 * @typedef {'network' | 'server' | 'auth' | 'forbidden' | 'wipe' | 'not_signed_in' | 'locked' | 'error'} StopReason
 */

/**
 * @typedef {{type: 'progress', phase: Phase, done: number, total: number}
 *   | {type: 'auth-required', code: string, message: string | null}
 *   | {type: 'wipe-required', message: string | null}
 *   | {type: 'finished', ok: boolean, reason: StopReason | null, lastSyncAt: number | null, counts: WorkCounts}
 * } SyncEvent
 * Codes, not words: `message` is only ever the server's own (Indonesian) text; the UI words the
 * codes (static/js/ui/labels.js).
 */

/**
 * @typedef {object} SyncResult
 * @property {boolean} ok
 * @property {StopReason | null} reason
 * @property {number | null} lastSyncAt
 * @property {WorkCounts} counts
 * @property {Record<string, number>} pushed   push results by kind during this run
 */

/**
 * @typedef {object} SignInResult
 * @property {boolean} ok
 * @property {string} [reason]   invalid_credentials, device_revoked, forbidden, network, keys, …
 * @property {string | null} [message]  the server's own text, if it gave one
 * @property {boolean} [wipe]
 * @property {any} [user]
 * @property {boolean | null} [persisted]  whether the browser agreed to keep the data (null: not asked)
 */

/**
 * @typedef {object} SyncEngine
 * @property {(options?: {force?: boolean}) => Promise<SyncResult>} syncNow
 *   force: send everything pending now, ignoring backoff (the "Kirim" button, the `online` event)
 * @property {() => number | null} scheduleNext  ms until the next run; null: wait for the user
 * @property {(input: SignInInput) => Promise<SignInResult>} signIn
 * @property {(options?: {force?: boolean}) => Promise<{ok: boolean, reason?: string, message?: string | null, counts: WorkCounts}>} signOut
 *   without force: refused while anything is unsent, then wipes the phone's data (keeps the device id)
 * @property {() => Promise<{ok: boolean, reason?: string, reported?: boolean}>} wipeLocalData
 * @property {() => {running: boolean, failures: number, blocked: StopReason | null}} getState
 */

/**
 * @typedef {object} SignInInput
 * @property {string} username
 * @property {string} password
 * @property {string} [deviceName]
 * @property {(shares: string[]) => Promise<Vault>} [openKeys]  called once the server accepted the
 *   password, with the device's key shares (base64url): gives the vault the token is sealed with
 *   (the unlocked one, the keyring opened with a share, or a new keyring). Default: `vault()`.
 */

/**
 * @param {object} deps
 * @param {RegsosekDB} deps.db
 * @param {Api} deps.api
 * @param {{now: () => number}} deps.clock
 * @param {() => number} deps.random          Math.random in the app
 * @param {() => string} deps.randomUUID      crypto.randomUUID in the app
 * @param {(event: SyncEvent) => void} [deps.onEvent]
 * @param {number} [deps.batchSize]
 * @param {number} [deps.idleMs]              delay after a successful run
 * @param {<T>(fn: () => Promise<T>) => Promise<T>} [deps.withLock]  e.g. navigator.locks across tabs
 * @param {{persist: () => Promise<boolean>}} [deps.storage]  navigator.storage: asked to persist after sign-in
 * @param {() => Vault | null} [deps.vault]   the unlocked vault; null while the app is locked
 * @param {number | null} [deps.retentionMs]  approved families leave after this (null: never)
 * @returns {SyncEngine}
 */
export function createSyncEngine({
  db,
  api,
  clock,
  random,
  randomUUID,
  onEvent = () => {},
  batchSize = MAX_BATCH,
  idleMs = IDLE_MS,
  withLock = (fn) => fn(),
  storage,
  vault = () => null,
  retentionMs = DEFAULT_RETENTION_MS,
}) {
  const limit = Math.max(1, Math.min(MAX_BATCH, batchSize));
  // Per-engine state (not module state): one engine per page or worker.
  const state = {
    /** @type {Promise<SyncResult> | null} */
    running: null,
    failures: 0,
    /** @type {number | null} */
    retryAfterMs: null,
    /** @type {StopReason | null} */
    blocked: null,
    /** @type {number | null} */
    nextDueAt: null,
  };

  /** @param {SyncEvent} event */
  function emit(event) {
    try {
      onEvent(event);
    } catch {
      // A broken listener must not break the sync.
    }
  }

  /**
   * @param {Vault} keys
   * @returns {Promise<Credentials | null>}
   */
  async function credentials(keys) {
    const sealed = await getMeta(db, 'token');
    const deviceId = await getMeta(db, 'device_id');
    if (!sealed || !deviceId) return null;
    // Sealed like the records: a copy of the storage holds no usable token.
    const token = isSealed(sealed) ? await keys.open(sealed) : sealed;
    return typeof token === 'string' ? { token, deviceId } : null;
  }

  /**
   * A 401/403 or a no-answer outcome → the reason the run stops (and its side effects).
   * @param {Outcome} outcome
   * @returns {Promise<StopReason>}
   */
  async function stopFor(outcome) {
    if (outcome.kind === 'auth' && outcome.wipe) {
      const message = outcome.message ?? null;
      await setMeta(db, 'wipe_required', { code: outcome.code ?? 'device_revoked', message, at: clock.now() });
      await resetInterrupted(db, clock.now());
      emit({ type: 'wipe-required', message });
      return 'wipe';
    }
    if (outcome.kind === 'auth' || outcome.kind === 'forbidden') {
      const code = outcome.kind === 'forbidden' ? 'forbidden' : (outcome.code ?? 'token_invalid');
      await pauseForAuth(db);
      await setMeta(db, 'auth_paused', { code, server_message: outcome.message ?? null, at: clock.now() });
      emit({ type: 'auth-required', code, message: null });
      return outcome.kind === 'forbidden' ? 'forbidden' : 'auth';
    }
    state.retryAfterMs = outcome.retryAfterMs;
    return outcome.status === 0 || outcome.error === 'bad_body' ? 'network' : 'server';
  }

  /**
   * @param {Credentials} auth
   * @param {Vault} keys
   * @param {boolean} force
   * @param {Record<string, number>} pushed
   * @returns {Promise<StopReason | null>}
   */
  async function pushFamilies(auth, keys, force, pushed) {
    let total = await countDue(db, { now: clock.now(), force });
    let done = 0;
    let size = limit;
    /** @type {Set<string>} */
    const tried = new Set();
    emit({ type: 'progress', phase: 'push', done, total });
    for (;;) {
      const { entries, items } = await takeBatch(db, { now: clock.now(), limit: size, force, exclude: tried });
      if (entries.length === 0) return null;
      for (const entry of entries) tried.add(entry.op_id);
      // Opened after the batch's transaction (marked sending) and before the request.
      const outcome = await api.push(auth, await openPushItems(keys, items));
      if (outcome.ok) {
        const results = outcome.body && Array.isArray(outcome.body.results) ? outcome.body.results : [];
        const { counts, again } = await applyPushResults(db, entries, results, { now: clock.now(), random, vault: keys });
        for (const [kind, n] of Object.entries(counts)) pushed[kind] = (pushed[kind] || 0) + n;
        // Each re-send follows a local edit or a rebase (which clears the copies sent), so this
        // cannot loop for ever.
        for (const opId of again) tried.delete(opId);
        total += again.length;
        done += entries.length;
        emit({ type: 'progress', phase: 'push', done, total });
      } else if (outcome.status === 413 && entries.length > 1) {
        // Nothing was applied: resend in smaller batches.
        await releaseOps(db, entries, clock.now());
        for (const entry of entries) tried.delete(entry.op_id);
        size = Math.max(1, Math.ceil(entries.length / 2));
      } else if (outcome.status === 413) {
        await rejectOps(db, entries, { code: 'too_large', message: outcome.message ?? null });
        done += entries.length;
        emit({ type: 'progress', phase: 'push', done, total });
      } else if (outcome.kind === 'client') {
        // The whole request was refused (not one family): keep everything, retry later.
        await requeueOps(db, entries, {
          now: clock.now(),
          random,
          error: outcome.code ?? `http_${outcome.status}`,
        });
        state.retryAfterMs = null;
        return 'server';
      } else if (outcome.kind === 'retry') {
        await requeueOps(db, entries, {
          now: clock.now(),
          random,
          error: outcome.error ?? `http_${outcome.status}`,
          minDelayMs: outcome.retryAfterMs,
        });
        return stopFor(outcome);
      } else {
        return stopFor(outcome);
      }
    }
  }

  /**
   * @param {Credentials} auth
   * @param {Vault} keys
   * @param {boolean} force
   * @returns {Promise<StopReason | null>}
   */
  async function uploadPhotos(auth, keys, force) {
    const photos = await listUploadablePhotos(db, { now: clock.now(), force });
    if (photos.length === 0) return null;
    /** @type {Set<string>} */
    const missing = new Set();
    for (let i = 0; i < photos.length; i += PHOTO_QUERY_CHUNK) {
      const chunk = photos.slice(i, i + PHOTO_QUERY_CHUNK).map((p) => p.client_uuid);
      const outcome = await api.photosMissing(auth, chunk);
      if (!outcome.ok) return outcome.kind === 'client' ? 'server' : stopFor(outcome);
      const named = new Set(
        (Array.isArray(outcome.body?.missing) ? outcome.body.missing : []).map((/** @type {string} */ u) =>
          String(u).toLowerCase(),
        ),
      );
      const held = chunk.filter((u) => !named.has(u.toLowerCase()));
      if (held.length > 0) await markPhotosSent(db, held);
      for (const u of chunk) if (named.has(u.toLowerCase())) missing.add(u);
    }
    const queue = photos.filter((p) => missing.has(p.client_uuid));
    let done = 0;
    emit({ type: 'progress', phase: 'photos', done, total: queue.length });
    for (const photo of queue) {
      await markPhotoSending(db, photo.client_uuid);
      const outcome = await api.putPhoto(auth, { ...photo, blob: await openPhoto(keys, photo) });
      // The server's words, or the code of what happened (the UI words it).
      const message = outcome.message ?? outcome.code ?? `http_${outcome.status}`;
      if (outcome.ok) {
        await markPhotosSent(db, [photo.client_uuid]);
      } else if (outcome.status === 409 && outcome.code === 'family_missing') {
        await markPhotoWaiting(db, photo.client_uuid, message);
      } else if (outcome.kind === 'client' || outcome.kind === 'forbidden') {
        // 400 checksum, 409 another file under this UUID, 413, 415, 422, 403 not this PPL's SLS.
        await markPhotoRejected(db, photo.client_uuid, message);
      } else if (outcome.kind === 'retry') {
        await requeuePhoto(db, photo.client_uuid, {
          now: clock.now(),
          random,
          error: outcome.error ?? `http_${outcome.status}`,
          minDelayMs: outcome.retryAfterMs,
        });
        return stopFor(outcome);
      } else {
        await markPhotoWaiting(db, photo.client_uuid, message);
        return stopFor(outcome);
      }
      done += 1;
      emit({ type: 'progress', phase: 'photos', done, total: queue.length });
    }
    return null;
  }

  /**
   * VK1 marks, after the families they name (one request of at most MAX_MARKS).
   * @param {Credentials} auth
   * @param {Vault} keys
   * @param {boolean} force
   * @returns {Promise<StopReason | null>}
   */
  async function sendMarks(auth, keys, force) {
    const { marks, payload } = await takeMarks(db, { now: clock.now(), force });
    if (marks.length === 0) return null;
    emit({ type: 'progress', phase: 'marks', done: 0, total: marks.length });
    const outcome = await api.sendMarks(auth, await openMarkItems(keys, payload));
    if (!outcome.ok) return outcome.kind === 'client' ? 'server' : stopFor(outcome);
    const results = outcome.body && Array.isArray(outcome.body.results) ? outcome.body.results : [];
    await applyMarkResults(db, marks, results, { now: clock.now(), random, vault: keys });
    emit({ type: 'progress', phase: 'marks', done: marks.length, total: marks.length });
    return null;
  }

  /**
   * @param {Credentials} auth
   * @param {Vault} keys
   * @returns {Promise<{stop: StopReason | null, questionnaire: import('./pull.js').QuestionnaireRef | null}>}
   */
  async function pull(auth, keys) {
    emit({ type: 'progress', phase: 'pull', done: 0, total: 1 });
    let cursor = (await getMeta(db, 'cursor')) ?? null;
    let outcome = await api.pull(auth, cursor);
    if (outcome.kind === 'client' && cursor !== null) {
      // An unreadable cursor: start over (repeats are harmless).
      cursor = null;
      outcome = await api.pull(auth, null);
    }
    if (!outcome.ok) {
      return { stop: outcome.kind === 'client' ? 'server' : await stopFor(outcome), questionnaire: null };
    }
    const summary = await mergePull(db, outcome.body, clock.now(), keys);
    emit({ type: 'progress', phase: 'pull', done: 1, total: 1 });
    return { stop: null, questionnaire: summary.questionnaire };
  }

  /**
   * @param {Credentials} auth
   * @param {import('./pull.js').QuestionnaireRef | null} current
   * @returns {Promise<StopReason | null>}
   */
  async function refreshDefinition(auth, current) {
    if (!current) return null;
    const known = await getMeta(db, 'questionnaire');
    const stored = await db.definitions.get([current.form, current.version]);
    if (known && known.sha256 === current.sha256 && stored && stored.sha256 === current.sha256) return null;
    emit({ type: 'progress', phase: 'definition', done: 0, total: 1 });
    const outcome = await api.getJson(auth, current.url);
    if (!outcome.ok) return outcome.kind === 'client' ? 'server' : stopFor(outcome);
    await db.transaction('rw', db.definitions, db.meta, async () => {
      await db.definitions.put({
        form: current.form,
        version: current.version,
        sha256: current.sha256,
        definition: outcome.body,
        fetched_at: clock.now(),
      });
      await setMeta(db, 'questionnaire', { form: current.form, version: current.version, sha256: current.sha256 });
    });
    emit({ type: 'progress', phase: 'definition', done: 1, total: 1 });
    return null;
  }

  /** @returns {Promise<number | null>} the earliest future retry of a pending op, photo or mark */
  async function nextDue() {
    const now = clock.now();
    const op = await db.outbox.where('[status+next_attempt_at]').between(['pending', now], ['pending', Infinity], false, true).first();
    const photo = await db.photos.where('[status+next_attempt_at]').between(['pending', now], ['pending', Infinity], false, true).first();
    const mark = await db.marks.where('[state+next_attempt_at]').between(['pending', now], ['pending', Infinity], false, true).first();
    const times = [op?.next_attempt_at, photo?.next_attempt_at, mark?.next_attempt_at].filter((t) => typeof t === 'number');
    return times.length ? Math.min(.../** @type {number[]} */ (times)) : null;
  }

  /**
   * @param {StopReason | null} reason
   * @param {Record<string, number>} pushed
   * @returns {Promise<SyncResult>}
   */
  async function finish(reason, pushed) {
    if (reason === null) {
      state.failures = 0;
      state.retryAfterMs = null;
      state.blocked = null;
    } else if (reason === 'network' || reason === 'server' || reason === 'error') {
      state.failures += 1;
      state.blocked = null;
    } else {
      state.blocked = reason;
    }
    const counts = await countWork(db);
    state.nextDueAt = await nextDue();
    const lastSyncAt = (await getMeta(db, 'last_sync_at')) ?? null;
    emit({ type: 'finished', ok: reason === null, reason, lastSyncAt, counts });
    return { ok: reason === null, reason, lastSyncAt, counts, pushed };
  }

  /**
   * @param {boolean} force
   * @returns {Promise<SyncResult>}
   */
  async function run(force) {
    /** @type {Record<string, number>} */
    const pushed = {};
    const wipeReport = await getMeta(db, 'wipe_report');
    if (wipeReport) await reportWipe(wipeReport);
    const wipe = await getMeta(db, 'wipe_required');
    if (wipe) {
      emit({ type: 'wipe-required', message: wipe.message ?? null });
      return finish('wipe', pushed);
    }
    const keys = vault();
    if (keys === null) {
      // Locked: the token and every record are sealed; the next unlocked run sends it all.
      return finish(await getMeta(db, 'token') ? 'locked' : 'not_signed_in', pushed);
    }
    const auth = await credentials(keys);
    if (auth === null) {
      emit({ type: 'auth-required', code: 'not_signed_in', message: null });
      return finish('not_signed_in', pushed);
    }
    const paused = await getMeta(db, 'auth_paused');
    if (paused) {
      emit({ type: 'auth-required', code: paused.code, message: paused.message });
      return finish(paused.code === 'forbidden' ? 'forbidden' : 'auth', pushed);
    }
    await resetInterrupted(db, clock.now());
    const pushStop = await pushFamilies(auth, keys, force, pushed);
    if (pushStop) return finish(pushStop, pushed);
    const photoStop = await uploadPhotos(auth, keys, force);
    if (photoStop) return finish(photoStop, pushed);
    const markStop = await sendMarks(auth, keys, force);
    if (markStop) return finish(markStop, pushed);
    const pulled = await pull(auth, keys);
    if (pulled.stop) return finish(pulled.stop, pushed);
    // After the pull, which brings the approvals (the app also runs it when it is unlocked, so
    // the grace period ends on a phone that stays offline too).
    await retireApproved(db, { now: clock.now(), graceMs: retentionMs });
    const definitionStop = await refreshDefinition(auth, pulled.questionnaire);
    return finish(definitionStop, pushed);
  }

  /**
   * Reports the wipe with the token the revoked device held (the server accepts it for nothing else).
   * @param {unknown} report  `{deviceId, token}` as wipeLocalData left it
   * @returns {Promise<boolean>}
   */
  async function reportWipe(report) {
    const { deviceId, token } = /** @type {{deviceId?: unknown, token?: unknown}} */ (report ?? {});
    if (typeof deviceId !== 'string' || typeof token !== 'string') {
      // Left by an older version (the device id alone): the server no longer accepts such a report.
      await setMeta(db, 'wipe_report', undefined);
      return false;
    }
    const outcome = await api.confirmWiped({ token, deviceId });
    // Accepted, or refused for good (a retry cannot succeed): nothing left to report either way.
    if (outcome.ok || outcome.kind === 'auth' || outcome.kind === 'client') await setMeta(db, 'wipe_report', undefined);
    return outcome.ok;
  }

  /** @type {SyncEngine['syncNow']} */
  function syncNow(options = {}) {
    if (state.running) return state.running;
    const force = Boolean(options.force);
    state.running = withLock(() =>
      run(force).catch(async (/** @type {unknown} */ error) => {
        // An IndexedDB failure (quota, closed database): nothing was lost; report and back off.
        console.error('sync failed', error);
        return finish('error', {});
      }),
    ).finally(() => {
      state.running = null;
    });
    return state.running;
  }

  /** @type {SyncEngine['scheduleNext']} */
  function scheduleNext() {
    if (state.blocked !== null) return null;
    if (state.failures > 0) return Math.max(backoffDelay(state.failures, random), state.retryAfterMs ?? 0);
    if (state.nextDueAt !== null) return Math.max(0, Math.min(idleMs, state.nextDueAt - clock.now()));
    return idleMs;
  }

  /** @type {SyncEngine['signIn']} */
  async function signIn({ username, password, deviceName = '', openKeys }) {
    let deviceId = await getMeta(db, 'device_id');
    if (!deviceId) {
      deviceId = randomUUID();
      await setMeta(db, 'device_id', deviceId);
    }
    const outcome = await api.signIn({ username, password, device_id: deviceId, device_name: deviceName });
    if (outcome.ok) {
      const body = outcome.body;
      const shares = Array.isArray(body.key_shares) ? body.key_shares.filter((/** @type {unknown} */ s) => typeof s === 'string') : [];
      /** @type {Vault | null} */
      let keys = null;
      try {
        keys = openKeys ? await openKeys(shares) : vault();
      } catch (error) {
        // No key share opens this phone's keyring (the UI words the code).
        console.error('keys not opened', error);
        return { ok: false, reason: 'keys', message: null };
      }
      if (!keys) return { ok: false, reason: 'keys', message: null };
      // Sealed before the transaction (WebCrypto is not IndexedDB work).
      const sealedToken = await keys.seal(body.token);
      await db.transaction('rw', db.meta, async () => {
        await setMeta(db, 'token', sealedToken);
        await setMeta(db, 'token_expires_at', body.expires_at);
        await setMeta(db, 'user', body.user);
        await setMeta(db, 'auth_paused', undefined);
      });
      await resumeAfterSignIn(db, clock.now());
      state.failures = 0;
      state.blocked = null;
      /** @type {boolean | null} */
      let persisted = null;
      if (storage) {
        // Best-effort storage is evicted under pressure with everything unsent; ask once signed in.
        persisted = await storage.persist().catch(() => false);
        await setMeta(db, 'storage_persisted', persisted);
      }
      return { ok: true, user: body.user, persisted };
    }
    if (outcome.kind === 'auth' && outcome.wipe) {
      await stopFor(outcome);
      return { ok: false, reason: 'device_revoked', wipe: true, message: outcome.message ?? null };
    }
    if (outcome.kind === 'retry') return { ok: false, reason: 'network', message: null };
    return {
      ok: false,
      reason: outcome.code ?? (outcome.kind === 'auth' ? 'invalid_credentials' : outcome.kind === 'forbidden' ? 'forbidden' : 'invalid'),
      message: outcome.message ?? null,
    };
  }

  /** @type {SyncEngine['signOut']} */
  async function signOut({ force = false } = {}) {
    const counts = await countWork(db);
    const waiting = counts.unsent + counts.outbox.pending + counts.outbox.sending + counts.outbox.auth + counts.outbox.rejected;
    if (waiting > 0 && !force) return { ok: false, reason: 'unsent', message: null, counts };
    if (force) {
      // Only the session goes; the device id and every record (sealed) stay for the same PPL.
      await db.transaction('rw', db.meta, async () => {
        for (const key of ['token', 'token_expires_at', 'user', 'auth_paused']) await setMeta(db, key, undefined);
      });
      return { ok: true, counts };
    }
    if (state.running) await state.running;
    // Everything was sent: the phone keeps nothing of it (the server has it all). The device id
    // stays (the server binds it to this PPL), and so does the public questionnaire.
    const keep = ['device_id', 'questionnaire'];
    const tables = STORE_NAMES.filter((name) => name !== 'definitions').map((name) => db.table(name));
    await db.transaction('rw', tables, async () => {
      const kept = await db.meta.bulkGet(keep);
      for (const table of tables) await table.clear();
      await db.meta.bulkPut(kept.filter((row) => row !== undefined));
    });
    state.blocked = null;
    state.failures = 0;
    return { ok: true, counts };
  }

  /** @type {SyncEngine['wipeLocalData']} */
  async function wipeLocalData() {
    if (!(await getMeta(db, 'wipe_required'))) return { ok: false, reason: 'not_required' };
    if (state.running) await state.running;
    const deviceId = await getMeta(db, 'device_id');
    const sealed = await getMeta(db, 'token');
    const keys = vault();
    // The token is sealed: a locked (or locked-out) phone wipes without reporting it.
    let token = isSealed(sealed) ? (keys ? await keys.open(sealed).catch(() => null) : null) : sealed;
    if (typeof token !== 'string') token = null;
    const report = deviceId && token ? { deviceId, token } : null;
    const tables = STORE_NAMES.map((name) => db.table(name));
    await db.transaction('rw', tables, async () => {
      for (const table of tables) await table.clear();
      // Only the revoked device's id and its token stay, to report the wipe once the network allows.
      if (report) await setMeta(db, 'wipe_report', report);
    });
    state.blocked = null;
    state.failures = 0;
    const reported = report ? await reportWipe(report) : false;
    return { ok: true, reported };
  }

  return {
    syncNow,
    scheduleNext,
    signIn,
    signOut,
    wipeLocalData,
    getState: () => ({ running: state.running !== null, failures: state.failures, blocked: state.blocked }),
  };
}
