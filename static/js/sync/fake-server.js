// @ts-check
/**
 * Test helper (not shipped to phones): an in-memory server that keeps the contract of
 * docs/sync.md — device sign-in and tokens (expiry, revocation with wipe), pull with a cursor,
 * push with one result per family (created / updated / unchanged / conflict / invalid /
 * forbidden), photo upload with checksum, photos/missing — plus a failure injector.
 *
 * Deliberate simplifications: a record is invalid when `record.family.r302 < 0`; the payload hash
 * is the canonical JSON itself; the cursor is the server time in ms.
 */
import { canonicalJson } from './outbox.js';
import { sha256Hex } from './photos.js';

/**
 * @typedef {object} StoredFamily
 * @property {string} client_uuid
 * @property {number} sls
 * @property {number} revision
 * @property {string} status
 * @property {string | null} review_comment
 * @property {number | null} return_id     while returned: the id of that return
 * @property {Record<string, any>} record
 * @property {string} hash
 * @property {string | null} geotag
 * @property {number} updated_at
 */

/**
 * @typedef {object} Fault
 * @property {string} method
 * @property {string} path            prefix of the path
 * @property {'network' | 'drop' | 'status' | 'timeout' | 'duplicate' | 'late'} mode
 *   network: fails before the server sees it; drop: the server applies it, the answer is lost;
 *   status: answered with `status` without applying; timeout: like network, as a TimeoutError;
 *   duplicate: delivered twice (the client gets the second answer); late: the client gives up
 *   (a network error) and the server applies it only when the next request arrives
 * @property {number} [status]
 * @property {number} times           how many requests it hits (Infinity: until cleared)
 */

/** @typedef {{method: string, path: string, status: number | null, body: any, headers: Headers}} LoggedRequest */

/**
 * @param {{clock: {now: () => number}, tokenDays?: number, maxBatch?: number}} options
 */
export function createFakeServer({ clock, tokenDays = 14, maxBatch = 100 }) {
  const DAY = 24 * 60 * 60 * 1000;
  /** @type {Map<string, {password: string, role: string, sls: number[]}>} */
  const users = new Map();
  /** @type {Map<string, {user: string, revoked: boolean, wiped: boolean}>} */
  const devices = new Map();
  /** @type {Map<string, {deviceId: string, expiresAt: number}>} */
  const tokens = new Map();
  /** @type {Map<string, StoredFamily>} */
  const families = new Map();
  /** @type {Map<string, {family_uuid: string, sha256: string, size: number}>} */
  const photos = new Map();
  /** @type {Map<string, unknown>} */
  const documents = new Map();
  /** @type {{id: number, name: string, full_code: string}[]} */
  let slsList = [];
  /** @type {{id: number, sls: number, line_no: number, head_name: string, status?: string, family?: string | null}[]} */
  let prelist = [];
  let questionnaire = { form: 'regsosek22k', version: '1', sha256: 'a'.repeat(64), url: '/api/v1/questionnaire/regsosek22k/1.json' };
  /** @type {Fault[]} */
  const faults = [];
  /** @type {LoggedRequest[]} */
  const log = [];
  /** @type {((request: LoggedRequest) => Promise<void> | void)[]} */
  const hooks = [];
  let tokenCounter = 0;
  let returnCounter = 0;
  /** @type {(() => Promise<unknown>)[]} requests the client gave up on, applied when the next arrives */
  const late = [];
  /** @type {Map<string, number>} how often each family was created (must stay 1) */
  const created = new Map();
  /** @type {Map<string, number>} how often each photo was stored (must stay 1) */
  const photoWrites = new Map();
  documents.set(questionnaire.url, { form: 'regsosek22k', version: '1', blocks: [] });

  /**
   * @param {number} status
   * @param {unknown} [body]
   * @returns {Response}
   */
  function reply(status, body) {
    if (body === undefined) return new Response(null, { status });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  }

  /**
   * @param {StoredFamily} f
   * @returns {Record<string, any>}
   */
  function forDevice(f) {
    return {
      client_uuid: f.client_uuid,
      sls: f.sls,
      revision: f.revision,
      status: f.status,
      review_comment: f.review_comment,
      return_id: f.status === 'returned' ? f.return_id : null,
      photo_required: false,
      geotag: f.geotag,
      updated_at: new Date(f.updated_at).toISOString(),
      record: structuredClone(f.record),
    };
  }

  /**
   * @param {Headers} headers
   * @returns {{user: string, deviceId: string} | Response}
   */
  function authenticate(headers) {
    const header = headers.get('Authorization') || '';
    const deviceHeader = headers.get('X-Device-ID') || '';
    const token = header.startsWith('Bearer ') ? tokens.get(header.slice(7)) : undefined;
    if (token !== undefined && token.deviceId !== deviceHeader) {
      return reply(401, { code: 'device_mismatch', message: 'Token ini milik perangkat lain; silakan masuk lagi.', wipe: false });
    }
    if (token === undefined) {
      if (devices.get(deviceHeader)?.revoked) {
        return reply(401, { code: 'device_revoked', message: 'Perangkat ini telah dicabut; data lokal harus dihapus.', wipe: true });
      }
      return reply(401, { code: 'token_invalid', message: 'Sesi tidak dikenal; silakan masuk lagi.', wipe: false });
    }
    const device = devices.get(token.deviceId);
    if (device === undefined || device.revoked) {
      return reply(401, { code: 'device_revoked', message: 'Perangkat ini telah dicabut; data lokal harus dihapus.', wipe: true });
    }
    if (token.expiresAt <= clock.now()) {
      return reply(401, { code: 'token_expired', message: 'Sesi berakhir; masuk lagi.', wipe: false });
    }
    return { user: device.user, deviceId: token.deviceId };
  }

  /**
   * @param {string} username
   * @returns {number[]}
   */
  function assigned(username) {
    return users.get(username)?.sls ?? [];
  }

  /**
   * @param {string} username
   * @param {any} item
   * @returns {Record<string, any>}
   */
  function pushOne(username, item) {
    const key = typeof item?.client_uuid === 'string' ? item.client_uuid.toLowerCase() : null;
    if (key === null) return { client_uuid: null, result: 'invalid', errors: [{ variable: 'client_uuid', message: 'harus UUID' }] };
    if (!assigned(username).includes(item.sls)) {
      return { client_uuid: key, result: 'forbidden', message: 'SLS ini tidak ditugaskan kepada Anda; data tetap tersimpan di ponsel.' };
    }
    const r302 = item.record?.family?.r302;
    if (typeof r302 === 'number' && r302 < 0) {
      return {
        client_uuid: key,
        result: 'invalid',
        errors: [{ variable: 'r302', number: '302', member_index: null, check: 'min', severity: 'error', message: 'Jumlah tidak boleh negatif.' }],
      };
    }
    const hash = canonicalJson(item.record);
    const current = families.get(key);
    /** @type {string} */
    let outcome;
    if (current === undefined) {
      created.set(key, (created.get(key) ?? 0) + 1);
      families.set(key, {
        client_uuid: key,
        sls: item.sls,
        revision: 1,
        status: 'submitted',
        review_comment: null,
        return_id: null,
        record: structuredClone(item.record),
        hash,
        geotag: item.geotag?.client_uuid ?? null,
        updated_at: clock.now(),
      });
      outcome = 'created';
    } else if (current.hash === hash) {
      outcome = 'unchanged';
    } else if (current.status === 'approved') {
      return { client_uuid: key, result: 'forbidden', message: 'Keluarga ini sudah disetujui.' };
    } else if (current.revision === item.base_revision && current.status === 'returned' && item.return_id !== current.return_id) {
      return {
        client_uuid: key,
        result: 'conflict',
        reason: 'returned',
        message: 'PML mengembalikan keluarga ini dengan catatan. Baca catatannya, lalu kirim perbaikan Anda.',
        server: forDevice(current),
      };
    } else if (current.revision === item.base_revision) {
      Object.assign(current, {
        revision: current.revision + 1,
        status: 'submitted',
        record: structuredClone(item.record),
        hash,
        updated_at: clock.now(),
      });
      outcome = 'updated';
    } else {
      return {
        client_uuid: key,
        result: 'conflict',
        reason: 'changed',
        message: 'Data keluarga ini sudah diubah di server.',
        server: forDevice(current),
      };
    }
    const stored = /** @type {StoredFamily} */ (families.get(key));
    const declared = Array.isArray(item.photos) ? item.photos.map((/** @type {any} */ p) => String(p.client_uuid)) : [];
    return {
      client_uuid: key,
      result: outcome,
      revision: stored.revision,
      status: stored.status,
      ...(stored.status === 'returned' ? { review_comment: stored.review_comment, return_id: stored.return_id } : {}),
      warnings: [],
      photos_missing: declared.filter((/** @type {string} */ u) => !photos.has(u)),
    };
  }

  /**
   * @param {string} method
   * @param {URL} url
   * @param {Headers} headers
   * @param {any} body
   * @returns {Promise<Response>}
   */
  async function route(method, url, headers, body) {
    const path = url.pathname;
    if (method === 'POST' && path === '/api/v1/auth/device/') {
      const user = users.get(body.username);
      if (user === undefined || user.password !== body.password) {
        return reply(401, { code: 'invalid_credentials', message: 'Username atau kata sandi salah.', wipe: false });
      }
      const device = devices.get(body.device_id);
      if (device?.revoked) {
        return reply(401, { code: 'device_revoked', message: 'Perangkat ini telah dicabut; data lokal harus dihapus.', wipe: true });
      }
      if (device && device.user !== body.username) {
        return reply(403, { code: 'not_allowed', message: 'Perangkat ini terdaftar untuk pengguna lain.' });
      }
      devices.set(body.device_id, device ?? { user: body.username, revoked: false, wiped: false });
      for (const [key, t] of tokens) if (t.deviceId === body.device_id) tokens.delete(key);
      tokenCounter += 1;
      const token = `token-${tokenCounter}`;
      const expiresAt = clock.now() + tokenDays * DAY;
      tokens.set(token, { deviceId: body.device_id, expiresAt });
      return reply(200, {
        token,
        expires_at: new Date(expiresAt).toISOString(),
        device_id: body.device_id,
        user: { username: body.username, full_name: body.username, role: user.role },
      });
    }
    if (method === 'POST' && path === '/api/v1/auth/device/wiped/') {
      // Only the revoked device itself: the token it held with its own X-Device-ID.
      const header = headers.get('Authorization') || '';
      const key = header.startsWith('Bearer ') ? header.slice(7) : '';
      const token = tokens.get(key);
      if (token === undefined || token.deviceId !== (headers.get('X-Device-ID') || '')) {
        return reply(401, { code: 'token_invalid', message: 'Sesi tidak dikenal.', wipe: false });
      }
      const device = devices.get(token.deviceId);
      if (!device?.revoked) return reply(409, { code: 'conflict', message: 'Perangkat ini tidak dicabut.' });
      device.wiped = true;
      for (const [k, t] of tokens) if (t.deviceId === token.deviceId) tokens.delete(k);
      return reply(204);
    }
    if (method === 'GET' && documents.has(path)) return reply(200, documents.get(path));

    const who = authenticate(headers);
    if (who instanceof Response) return who;

    if (method === 'GET' && path === '/api/v1/sync/pull/') {
      const cursor = url.searchParams.get('cursor');
      if (cursor !== null && !/^\d+$/.test(cursor)) return reply(400, { code: 'invalid', message: 'Kursor sinkronisasi tidak valid.' });
      const since = cursor === null ? null : Number(cursor) - 2000;
      const mine = assigned(who.user);
      const inScope = [...families.values()].filter((f) => mine.includes(f.sls));
      return reply(200, {
        cursor: String(clock.now()),
        server_time: new Date(clock.now()).toISOString(),
        questionnaire: { ...questionnaire },
        sls: slsList.filter((s) => mine.includes(s.id)),
        prelist: prelist.filter((p) => mine.includes(p.sls)),
        families: inScope.filter((f) => since === null || f.updated_at >= since).map(forDevice),
        returned: inScope
          .filter((f) => f.status === 'returned')
          .map((f) => ({ client_uuid: f.client_uuid, comment: f.review_comment, return_id: f.return_id, reviewed_at: null, reviewed_by: 'pml' })),
      });
    }
    if (method === 'POST' && path === '/api/v1/sync/push/') {
      const items = body?.families;
      if (!Array.isArray(items)) return reply(400, { code: 'invalid', errors: { families: ['Harus daftar.'] } });
      if (items.length > maxBatch) {
        return reply(413, { code: 'batch_too_large', max: maxBatch, message: `Kirim paling banyak ${maxBatch} keluarga per batch.` });
      }
      return reply(200, { results: items.map((item) => pushOne(who.user, item)) });
    }
    if (method === 'POST' && path === '/api/v1/sync/prelist/') {
      const marks = body?.marks;
      if (!Array.isArray(marks)) return reply(400, { code: 'invalid', errors: { marks: ['Harus daftar.'] } });
      const mine = assigned(who.user);
      return reply(200, { results: marks.map((mark, index) => markOne(mine, mark, index)) });
    }
    if (method === 'POST' && path === '/api/v1/sync/photos/missing/') {
      const list = Array.isArray(body?.photos) ? body.photos : [];
      return reply(200, { missing: list.filter((/** @type {string} */ u) => !photos.has(u)) });
    }
    const photoMatch = /^\/api\/v1\/sync\/photos\/([0-9a-f-]+)$/.exec(path);
    if (method === 'PUT' && photoMatch) {
      const photoUuid = photoMatch[1];
      const familyUuid = headers.get('X-Family-UUID') || '';
      const sha = (headers.get('X-Content-SHA256') || '').toLowerCase();
      const existing = photos.get(photoUuid);
      if (existing && existing.sha256 === sha) return reply(200, { client_uuid: photoUuid, status: 'processed', sha256: sha });
      if (existing) return reply(409, { code: 'conflict', message: 'UUID foto ini sudah dipakai untuk berkas lain.' });
      const family = families.get(familyUuid);
      if (family === undefined) {
        return reply(409, { code: 'family_missing', message: 'Keluarga foto ini belum ada di server; kirim data keluarganya dulu.' });
      }
      const blob = body instanceof Blob ? body : new Blob([]);
      if (blob.size === 0) return reply(415, { code: 'empty', message: 'Berkas kosong.' });
      if (blob.type === 'text/plain') return reply(415, { code: 'not_image', message: 'Berkas ini bukan gambar.' });
      if ((await sha256Hex(blob)) !== sha) return reply(400, { code: 'checksum_mismatch', message: 'Checksum foto tidak cocok; unggah ulang.' });
      photos.set(photoUuid, { family_uuid: familyUuid, sha256: sha, size: blob.size });
      photoWrites.set(photoUuid, (photoWrites.get(photoUuid) ?? 0) + 1);
      return reply(201, { client_uuid: photoUuid, status: 'received', sha256: sha });
    }
    return reply(404, { code: 'not_found', message: 'Tidak ditemukan.' });
  }

  /**
   * One VK1 mark (fieldapp/prelist_sync.py, simplified).
   * @param {number[]} mine
   * @param {any} mark
   * @param {number} index
   * @returns {Record<string, any>}
   */
  function markOne(mine, mark, index) {
    const family = mark.family ? families.get(mark.family) : undefined;
    if (mark.family && family === undefined) return { index, result: 'family_missing', message: 'Data keluarga belum diterima server.' };
    if (mark.status === 'new') {
      const known = prelist.find((p) => p.family === mark.family);
      if (known) return { index, result: 'ok', row: { ...known } };
      if (!family || !mine.includes(family.sls) || !mark.head_name) return { index, result: 'invalid', message: 'Nama kepala keluarga wajib diisi.' };
      const row = { id: 1000 + prelist.length, sls: family.sls, line_no: prelist.length + 1, head_name: mark.head_name, status: 'new', family: mark.family };
      prelist.push(row);
      return { index, result: 'ok', row: { ...row } };
    }
    const row = prelist.find((p) => p.id === mark.id);
    if (!row || !mine.includes(row.sls)) return { index, result: 'forbidden', message: 'Baris VK1 ini bukan dari SLS tugas Anda.' };
    Object.assign(row, { status: mark.status, family: mark.family ?? null });
    return { index, result: 'ok', row: { ...row } };
  }

  /**
   * The injected `fetch`.
   * @param {RequestInfo | URL} input
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async function fakeFetch(input, init = {}) {
    const url = new URL(String(input), 'http://server.test');
    const method = (init.method || 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    /** @type {any} */
    let body = null;
    if (typeof init.body === 'string') body = JSON.parse(init.body);
    else if (init.body instanceof Blob) body = init.body;
    /** @type {LoggedRequest} */
    const entry = { method, path: url.pathname, status: null, body, headers };
    log.push(entry);
    for (const hook of hooks) await hook(entry);
    // Requests the client gave up on reach the server now, before this one.
    for (const apply of late.splice(0)) await apply();
    // Let other work interleave, as a real network round trip would.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const index = faults.findIndex((f) => f.method === method && url.pathname.startsWith(f.path) && f.times > 0);
    const fault = index >= 0 ? faults[index] : null;
    if (fault) fault.times -= 1;
    if (fault?.mode === 'network') throw new TypeError('Failed to fetch');
    if (fault?.mode === 'timeout') throw new DOMException('The operation timed out.', 'TimeoutError');
    if (fault?.mode === 'status') {
      entry.status = fault.status ?? 500;
      return reply(entry.status, { code: 'server_error', message: 'Kesalahan server.' });
    }
    if (fault?.mode === 'late') {
      late.push(() => route(method, url, headers, body));
      throw new TypeError('Failed to fetch');
    }
    if (fault?.mode === 'duplicate') await route(method, url, headers, body);
    const response = await route(method, url, headers, body);
    entry.status = response.status;
    if (fault?.mode === 'drop') throw new TypeError('Failed to fetch');
    return response;
  }

  return {
    fetch: /** @type {typeof fetch} */ (fakeFetch),
    log,
    families,
    photos,
    devices,
    /**
     * @param {string} username
     * @param {string} password
     * @param {number[]} sls
     */
    addUser(username, password, sls) {
      users.set(username, { password, role: 'ppl', sls });
    },
    /**
     * @param {string} username
     * @param {number[]} sls
     */
    assign(username, sls) {
      const user = users.get(username);
      if (user) user.sls = sls;
    },
    /** @param {{id: number, name: string, full_code: string}[]} list */
    setSls(list) {
      slsList = list;
    },
    /** @param {{id: number, sls: number, line_no: number, head_name: string}[]} rows */
    setPrelist(rows) {
      prelist = rows;
    },
    /**
     * @param {string} sha256
     * @param {unknown} definition
     */
    setQuestionnaire(sha256, definition) {
      questionnaire = { ...questionnaire, sha256 };
      documents.set(questionnaire.url, definition);
    },
    /**
     * A supervisor's correction on the web: a new revision.
     * @param {string} uuid
     * @param {(record: Record<string, any>) => void} change
     */
    supervisorEdit(uuid, change) {
      const f = /** @type {StoredFamily} */ (families.get(uuid));
      change(f.record);
      Object.assign(f, { revision: f.revision + 1, hash: canonicalJson(f.record), updated_at: clock.now() });
    },
    /**
     * @param {string} uuid
     * @param {string} comment
     */
    returnFamily(uuid, comment) {
      const f = /** @type {StoredFamily} */ (families.get(uuid));
      returnCounter += 1;
      Object.assign(f, { status: 'returned', review_comment: comment, return_id: returnCounter, updated_at: clock.now() });
    },
    /**
     * The PML approves a submitted family.
     * @param {string} uuid
     */
    approve(uuid) {
      const f = /** @type {StoredFamily} */ (families.get(uuid));
      Object.assign(f, { status: 'approved', updated_at: clock.now() });
    },
    /** How often each family was created and each photo stored (exactly once is the promise). */
    writes: { created, photos: photoWrites },
    /** Applies the requests the client gave up on that have not reached the server yet. */
    async deliverLate() {
      for (const apply of late.splice(0)) await apply();
    },
    /** @param {string} deviceId */
    revoke(deviceId) {
      // The token stays: it opens nothing any more, and proves the device's wipe report.
      const device = devices.get(deviceId);
      if (device) device.revoked = true;
    },
    /**
     * @param {string} uuid
     * @param {string} familyUuid
     * @param {string} sha256
     */
    holdPhoto(uuid, familyUuid, sha256) {
      photos.set(uuid, { family_uuid: familyUuid, sha256, size: 1 });
    },
    /**
     * @param {Omit<Fault, 'times'> & {times?: number}} fault
     */
    fail(fault) {
      faults.push({ times: 1, ...fault });
    },
    clearFaults() {
      faults.length = 0;
    },
    /** @param {(request: LoggedRequest) => Promise<void> | void} hook  runs when a request arrives */
    onRequest(hook) {
      hooks.push(hook);
    },
    /**
     * @param {string} method
     * @param {string} path
     * @returns {LoggedRequest[]}
     */
    requests(method, path) {
      return log.filter((r) => r.method === method && r.path === path);
    },
  };
}

/** @typedef {ReturnType<typeof createFakeServer>} FakeServer */
