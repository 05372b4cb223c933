// @ts-check
/**
 * The fetch wrapper: headers, outcomes, timeouts. Run with `node --test static/js/sync/`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { classifyStatus, createApi } from './api.js';

/**
 * @param {(url: string, init: RequestInit) => Promise<Response>} handler
 * @returns {typeof fetch}
 */
function fakeFetch(handler) {
  return /** @type {typeof fetch} */ ((input, init) => handler(String(input), init ?? {}));
}

const auth = { token: 'tok', deviceId: 'dev-1' };

test('statuses map to outcome kinds', () => {
  assert.deepEqual(
    [200, 201, 204, 400, 404, 409, 413, 415, 422, 401, 403, 408, 429, 500, 502, 503].map(classifyStatus),
    ['ok', 'ok', 'ok', 'client', 'client', 'client', 'client', 'client', 'client', 'auth', 'forbidden', 'retry', 'retry', 'retry', 'retry', 'retry'],
  );
});

test('requests carry the bearer token, the device id and JSON', async () => {
  /** @type {Headers | null} */
  let seen = null;
  /** @type {unknown} */
  let body = null;
  const api = createApi({
    baseUrl: 'https://regsosek.test',
    fetch: fakeFetch(async (url, init) => {
      assert.equal(url, 'https://regsosek.test/api/v1/sync/push/');
      seen = new Headers(init.headers);
      body = JSON.parse(String(init.body));
      return new Response(JSON.stringify({ results: [] }), { status: 200 });
    }),
  });
  const outcome = await api.push(auth, []);
  assert.equal(outcome.ok, true);
  assert.deepEqual(outcome.body, { results: [] });
  assert.deepEqual(body, { families: [] });
  const headers = /** @type {Headers} */ (/** @type {unknown} */ (seen));
  assert.equal(headers.get('Authorization'), 'Bearer tok');
  assert.equal(headers.get('X-Device-ID'), 'dev-1');
  assert.equal(headers.get('Content-Type'), 'application/json');
});

test('a 401 carries its code and the wipe flag', async () => {
  const api = createApi({
    fetch: fakeFetch(async () =>
      new Response(JSON.stringify({ code: 'device_revoked', message: 'Dicabut.', wipe: true }), { status: 401 }),
    ),
  });
  const outcome = await api.pull(auth, 'abc');
  assert.equal(outcome.kind, 'auth');
  assert.equal(outcome.code, 'device_revoked');
  assert.equal(outcome.wipe, true);
  assert.equal(outcome.message, 'Dicabut.');
});

test('no answer, a timeout and a cut 2xx body are all "retry"', async () => {
  const down = createApi({ fetch: fakeFetch(async () => Promise.reject(new TypeError('Failed to fetch'))) });
  const network = await down.pull(auth, null);
  assert.deepEqual([network.kind, network.status, network.error], ['retry', 0, 'network']);

  const slow = createApi({
    timeoutMs: 20,
    fetch: fakeFetch(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    ),
  });
  // AbortSignal.timeout's timer does not keep node alive; this one does, until the answer.
  const keepAlive = setInterval(() => {}, 1000);
  const timeout = await slow.pull(auth, null).finally(() => clearInterval(keepAlive));
  assert.deepEqual([timeout.kind, timeout.error], ['retry', 'timeout']);

  const cut = createApi({ fetch: fakeFetch(async () => new Response('{"results": [', { status: 200 })) });
  const bad = await cut.push(auth, []);
  assert.deepEqual([bad.ok, bad.kind, bad.error], [false, 'retry', 'bad_body']);
});

test('Retry-After is read from 429 and 503 answers', async () => {
  const api = createApi({
    fetch: fakeFetch(async () => new Response('', { status: 503, headers: { 'Retry-After': '30' } })),
  });
  const outcome = await api.pull(auth, null);
  assert.equal(outcome.kind, 'retry');
  assert.equal(outcome.retryAfterMs, 30_000);
});

test('photos are sent as the body with the family and checksum headers', async () => {
  /** @type {RequestInit | null} */
  let seen = null;
  const api = createApi({
    fetch: fakeFetch(async (url, init) => {
      assert.equal(url, '/api/v1/sync/photos/p-1');
      seen = init;
      return new Response(JSON.stringify({ status: 'received' }), { status: 201 });
    }),
  });
  const blob = new Blob(['x'], { type: 'image/jpeg' });
  const outcome = await api.putPhoto(auth, { client_uuid: 'p-1', family_uuid: 'f-1', sha256: 'ab', blob });
  assert.equal(outcome.status, 201);
  const init = /** @type {RequestInit} */ (/** @type {unknown} */ (seen));
  assert.equal(init.method, 'PUT');
  assert.equal(init.body, blob);
  const headers = new Headers(init.headers);
  assert.equal(headers.get('X-Family-UUID'), 'f-1');
  assert.equal(headers.get('X-Content-SHA256'), 'ab');
  assert.equal(headers.get('Content-Type'), 'image/jpeg');
});

test('pull and push report the app version and the unsent count; other requests do not', async () => {
  /** @type {Record<string, Headers>} */
  const seen = {};
  const api = createApi({
    fetch: fakeFetch(async (url, init) => {
      seen[url.replace(/\?.*/, '')] = new Headers(init.headers);
      return new Response('{}', { status: 200 });
    }),
    deviceReport: async () => ({ appVersion: 'abc123', unsent: 7 }),
  });
  await api.pull(auth, null);
  await api.push(auth, []);
  await api.sendMarks(auth, []);
  for (const path of ['/api/v1/sync/pull/', '/api/v1/sync/push/']) {
    assert.equal(seen[path].get('X-App-Version'), 'abc123', path);
    assert.equal(seen[path].get('X-Unsent-Count'), '7', path);
  }
  assert.equal(seen['/api/v1/sync/prelist/'].get('X-Unsent-Count'), null);
});

test('a report that cannot be read does not stop the request', async () => {
  /** @type {Headers | null} */
  let seen = null;
  const api = createApi({
    fetch: fakeFetch(async (_url, init) => {
      seen = new Headers(init.headers);
      return new Response('{}', { status: 200 });
    }),
    deviceReport: async () => {
      throw new Error('database closed');
    },
  });
  const outcome = await api.pull(auth, null);
  assert.equal(outcome.ok, true);
  const headers = /** @type {Headers} */ (/** @type {unknown} */ (seen));
  assert.equal(headers.get('X-Unsent-Count'), null);
  assert.equal(headers.get('X-Device-ID'), 'dev-1');
});
