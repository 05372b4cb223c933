// @ts-check
/**
 * The HTTP side of the sync contract (docs/sync.md) as typed outcomes. `fetch` is injected; every
 * request has a timeout (AbortSignal), sends `Authorization: Bearer` and `X-Device-ID` when given
 * credentials, and never throws: a network failure is an outcome like any answer.
 *
 * Classification (`kind`):
 * - `ok`: 2xx with a readable body (a 2xx whose body cannot be read is `retry`: the server may
 *   have stored the batch, and resending it is answered "unchanged");
 * - `client`: 400/409/422 and other 4xx — the reason (or the per-item results) is in the body;
 * - `auth`: 401, with the server's `code` (token_expired, token_invalid, device_revoked, …) and `wipe`;
 * - `forbidden`: 403;
 * - `retry`: 408, 429, 5xx, no answer (network, timeout) — try again later, nothing is lost.
 */

export const DEFAULT_TIMEOUT_MS = 60_000;

/** @typedef {'ok' | 'client' | 'auth' | 'forbidden' | 'retry'} OutcomeKind */

/**
 * @typedef {object} Outcome
 * @property {boolean} ok                 true exactly for kind "ok"
 * @property {OutcomeKind} kind
 * @property {number} status              0 when no answer arrived
 * @property {any} body                   parsed JSON, text, or null
 * @property {string | null} code         body.code when the body has one
 * @property {string | null} message      body.message when the body has one
 * @property {boolean} wipe               401 device_revoked: the server asks for a wipe
 * @property {number | null} retryAfterMs from a Retry-After header (seconds)
 * @property {'network' | 'timeout' | 'bad_body' | null} error  why no usable answer arrived
 */

/** @typedef {{token: string, deviceId: string}} Credentials */

/**
 * @typedef {object} RequestOptions
 * @property {Credentials | null} [credentials]
 * @property {unknown} [json]             sent as JSON
 * @property {Blob} [body]                sent as it is (photos)
 * @property {Record<string, string>} [headers]
 * @property {number} [timeoutMs]
 * @property {boolean} [report]           add the device report headers (pull and push)
 */

/**
 * What the phone tells the server at each pull and push (headers `X-App-Version`,
 * `X-Unsent-Count`), shown to supervisors on the field staff health page.
 * @typedef {{appVersion: string, unsent: number | null}} DeviceReport
 */

/**
 * @typedef {object} PushItem  One family in a push batch (docs/sync.md, Push).
 * @property {string} client_uuid
 * @property {number} sls
 * @property {number | null} base_revision
 * @property {number | null} return_id   the supervisor's return this content answers (null: none seen)
 * @property {string | null} [interview_started_at]   ISO 8601: the family's first answer on the phone
 * @property {string | null} [interview_finished_at]  ISO 8601: when it was finalised
 * @property {Record<string, any>} record
 * @property {Record<string, any> | null} geotag
 * @property {{client_uuid: string, sha256: string}[]} photos
 */

/**
 * @typedef {object} Api
 * @property {(method: string, path: string, options?: RequestOptions) => Promise<Outcome>} request
 * @property {(body: {username: string, password: string, device_id: string, device_name: string}) => Promise<Outcome>} signIn
 * @property {(credentials: Credentials) => Promise<Outcome>} confirmWiped  a revoked device's wipe report, with the token it held
 * @property {(credentials: Credentials, cursor: string | null) => Promise<Outcome>} pull
 * @property {(credentials: Credentials, families: PushItem[]) => Promise<Outcome>} push
 * @property {(credentials: Credentials, photoUuids: string[]) => Promise<Outcome>} photosMissing
 * @property {(credentials: Credentials, marks: Record<string, unknown>[]) => Promise<Outcome>} sendMarks
 * @property {(credentials: Credentials, photo: {client_uuid: string, family_uuid: string, sha256: string, blob: Blob}) => Promise<Outcome>} putPhoto
 * @property {(credentials: Credentials | null, url: string) => Promise<Outcome>} getJson
 */

/**
 * @param {number} status
 * @returns {OutcomeKind}
 */
export function classifyStatus(status) {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 408 || status === 429 || status >= 500 || status === 0) return 'retry';
  return 'client';
}

/**
 * @param {Partial<Outcome> & {kind: OutcomeKind, status: number}} fields
 * @returns {Outcome}
 */
function outcome(fields) {
  return {
    ok: fields.kind === 'ok',
    body: null,
    code: null,
    message: null,
    wipe: false,
    retryAfterMs: null,
    error: null,
    ...fields,
  };
}

/**
 * @param {string | null} header
 * @returns {number | null}
 */
function parseRetryAfter(header) {
  if (!header) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

/**
 * @param {object} options
 * @param {typeof fetch} options.fetch
 * @param {string} [options.baseUrl]   prefix for paths starting with "/" (empty: same origin)
 * @param {number} [options.timeoutMs]
 * @param {() => Promise<DeviceReport>} [options.deviceReport]  read before each pull and push
 * @returns {Api}
 */
export function createApi({ fetch: fetchImpl, baseUrl = '', timeoutMs = DEFAULT_TIMEOUT_MS, deviceReport }) {
  /** @type {Api['request']} */
  async function request(method, path, options = {}) {
    const headers = /** @type {Record<string, string>} */ ({ Accept: 'application/json', ...(options.headers || {}) });
    if (options.credentials) {
      headers.Authorization = `Bearer ${options.credentials.token}`;
      headers['X-Device-ID'] = options.credentials.deviceId;
      if (options.report && deviceReport) {
        try {
          const report = await deviceReport();
          if (report.appVersion) headers['X-App-Version'] = report.appVersion;
          if (report.unsent !== null) headers['X-Unsent-Count'] = String(report.unsent);
        } catch {
          // A report that cannot be read (the database busy or closed) never holds up a sync.
        }
      }
    }
    /** @type {BodyInit | undefined} */
    let body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      body = options.body;
    }
    const url = path.startsWith('/') ? `${baseUrl}${path}` : path;
    /** @type {Response} */
    let response;
    /** @type {string} */
    let text;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        body,
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(options.timeoutMs ?? timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = error instanceof Error || error instanceof DOMException ? error.name : '';
      return outcome({ kind: 'retry', status: 0, error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' });
    }
    const status = response.status;
    const kind = classifyStatus(status);
    /** @type {any} */
    let parsed = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (kind === 'ok') {
          // A cut or garbled answer: whether it was applied is unknown, so ask again.
          return outcome({ kind: 'retry', status, body: text, error: 'bad_body' });
        }
        parsed = text;
      }
    }
    const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    return outcome({
      kind,
      status,
      body: parsed,
      code: isObject && typeof parsed.code === 'string' ? parsed.code : null,
      message: isObject && typeof parsed.message === 'string' ? parsed.message : null,
      wipe: kind === 'auth' && isObject && parsed.wipe === true,
      retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')),
    });
  }

  return {
    request,
    signIn: (body) => request('POST', '/api/v1/auth/device/', { json: body }),
    confirmWiped: (credentials) =>
      request('POST', '/api/v1/auth/device/wiped/', { credentials, json: { device_id: credentials.deviceId } }),
    pull: (credentials, cursor) =>
      request('GET', cursor ? `/api/v1/sync/pull/?cursor=${encodeURIComponent(cursor)}` : '/api/v1/sync/pull/', {
        credentials,
        report: true,
      }),
    push: (credentials, families) =>
      request('POST', '/api/v1/sync/push/', { credentials, json: { families }, report: true }),
    sendMarks: (credentials, marks) => request('POST', '/api/v1/sync/prelist/', { credentials, json: { marks } }),
    photosMissing: (credentials, photoUuids) =>
      request('POST', '/api/v1/sync/photos/missing/', { credentials, json: { photos: photoUuids } }),
    putPhoto: (credentials, photo) =>
      request('PUT', `/api/v1/sync/photos/${encodeURIComponent(photo.client_uuid)}`, {
        credentials,
        body: photo.blob,
        headers: {
          'Content-Type': photo.blob.type || 'application/octet-stream',
          'X-Family-UUID': photo.family_uuid,
          'X-Content-SHA256': photo.sha256,
        },
      }),
    getJson: (credentials, url) => request('GET', url, { credentials }),
  };
}
