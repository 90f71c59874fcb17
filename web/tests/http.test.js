import { describe, it, expect, vi, afterEach } from 'vitest';
import { request, ApiError, pointerToField, readCookie, onUnauthorized, errorFromResponse, upload } from '../src/api/http.js';

function fakeFetch(status, body, headers = {}) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, init });
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers });
  };
  fn.calls = calls;
  return fn;
}

afterEach(() => {
  onUnauthorized(null);
  delete globalThis.document;
});

describe('pointerToField / readCookie', () => {
  it('maps JSON pointers to field names', () => {
    expect(pointerToField('/credit_code')).toBe('credit_code');
    expect(pointerToField('/roles/0')).toBe('roles.0');
    expect(pointerToField('/a~1b')).toBe('a/b');
    expect(pointerToField('')).toBe(null);
    expect(pointerToField(undefined)).toBe(null);
  });
  it('reads cookies', () => {
    expect(readCookie('gs_csrf', 'a=1; gs_csrf=abc%3D; b=2')).toBe('abc=');
    expect(readCookie('gs_csrf', 'gs_csrf_x=1')).toBe(null);
    expect(readCookie('x', '')).toBe(null);
  });
});

describe('request', () => {
  it('GETs JSON with same-origin credentials and a query string, without CSRF header', async () => {
    globalThis.document = { cookie: 'gs_csrf=tok123' };
    const f = fakeFetch(200, { items: [], next_cursor: null }, { 'content-type': 'application/json' });
    const out = await request('GET', '/departments', { query: { q: '公安', kind: '', cursor: null, limit: 50 }, fetchImpl: f });
    expect(out).toEqual({ items: [], next_cursor: null });
    expect(f.calls[0].url).toBe('/api/v1/departments?q=%E5%85%AC%E5%AE%89&limit=50');
    expect(f.calls[0].init.credentials).toBe('same-origin');
    expect(f.calls[0].init.headers['X-CSRF-Token']).toBeUndefined();
  });
  it.each(['POST', 'PATCH', 'PUT', 'DELETE'])('%s sends X-CSRF-Token from the gs_csrf cookie', async (m) => {
    globalThis.document = { cookie: 'other=1; gs_csrf=tok123' };
    const f = fakeFetch(204);
    const out = await request(m, '/x', { body: m === 'DELETE' ? undefined : { a: 1 }, fetchImpl: f });
    expect(out).toBe(null);
    expect(f.calls[0].init.headers['X-CSRF-Token']).toBe('tok123');
    if (m !== 'DELETE') {
      expect(f.calls[0].init.headers['Content-Type']).toBe('application/json');
      expect(f.calls[0].init.body).toBe('{"a":1}');
    }
  });
  it('maps problem+json into ApiError with the field', async () => {
    const f = fakeFetch(
      422,
      { type: '/problems/validation_failed', title: 'Unprocessable Content', status: 422, code: 'invalid_credit_code', detail: 'credit_code fails the GB 32100 check character', field: '/credit_code', request_id: 'r-1' },
      { 'content-type': 'application/problem+json' },
    );
    const err = await request('POST', '/departments', { body: {}, fetchImpl: f }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'invalid_credit_code', field: 'credit_code', requestId: 'r-1', detail: 'credit_code fails the GB 32100 check character' });
  });
  it('keeps the errors list of a 422 (catalog compilation rules)', async () => {
    const violation = { field: '/content/items/2/level', rule: 'level_below_items', article: '7', message: '…' };
    const f = fakeFetch(422, { status: 422, code: 'compilation_rules', detail: 'rules broken', errors: [violation, null, 'x'] }, { 'content-type': 'application/problem+json' });
    const err = await request('POST', '/catalog/entries/1/submit', { body: {}, fetchImpl: f }).catch((e) => e);
    expect(err.code).toBe('compilation_rules');
    expect(err.errors).toEqual([violation]);
    const plain = await request('GET', '/x', { fetchImpl: fakeFetch(404, { code: 'not_found' }, { 'content-type': 'application/problem+json' }) }).catch((e) => e);
    expect(plain.errors).toEqual([]);
  });
  it('falls back to a status-derived code for non-JSON errors', async () => {
    const err = await request('GET', '/x', { fetchImpl: fakeFetch(502, '<html>bad gateway</html>', { 'content-type': 'text/html', 'x-request-id': 'abc' }) }).catch((e) => e);
    expect(err).toMatchObject({ status: 502, code: 'bad_gateway', field: null, requestId: 'abc' });
  });
  it('maps a network failure to status 0 network_error', async () => {
    const err = await request('GET', '/x', { fetchImpl: async () => { throw new TypeError('Failed to fetch'); } }).catch((e) => e);
    expect(err).toMatchObject({ status: 0, code: 'network_error' });
  });
  it('calls the unauthorized handler on 401 session_expired', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    const f = fakeFetch(401, { status: 401, code: 'session_expired', detail: 'expired' }, { 'content-type': 'application/problem+json' });
    const err = await request('GET', '/users', { fetchImpl: f }).catch((e) => e);
    expect(err.code).toBe('session_expired');
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0][0].code).toBe('session_expired');
  });
  it('does not redirect on 401 invalid_credentials (wrong current password) nor with authRedirect:false', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    const wrong = fakeFetch(401, { status: 401, code: 'invalid_credentials', field: '/current_password' }, { 'content-type': 'application/problem+json' });
    const e1 = await request('POST', '/me/password', { body: {}, fetchImpl: wrong }).catch((e) => e);
    expect(e1).toMatchObject({ code: 'invalid_credentials', field: 'current_password' });
    const unauth = fakeFetch(401, { status: 401, code: 'unauthenticated' }, { 'content-type': 'application/problem+json' });
    await request('GET', '/me', { authRedirect: false, fetchImpl: unauth }).catch((e) => e);
    expect(handler).not.toHaveBeenCalled();
  });
  it('errorFromResponse tolerates an empty body', async () => {
    const err = await errorFromResponse(new Response(null, { status: 403 }));
    expect(err).toMatchObject({ status: 403, code: 'forbidden' });
  });
});

describe('extra headers', () => {
  it('sends Idempotency-Key next to the CSRF token on a transition', async () => {
    globalThis.document = { cookie: 'gs_csrf=tok123' };
    const f = fakeFetch(200, { case: { id: 7 } }, { 'content-type': 'application/json' });
    await request('POST', '/cases/7/transitions', { body: { action: 'approve', version: 3 }, headers: { 'Idempotency-Key': 'k-1' }, fetchImpl: f });
    const h = f.calls[0].init.headers;
    expect(h['Idempotency-Key']).toBe('k-1');
    expect(h['X-CSRF-Token']).toBe('tok123');
    expect(h['Content-Type']).toBe('application/json');
    expect(JSON.parse(f.calls[0].init.body)).toEqual({ action: 'approve', version: 3 });
  });
});

describe('upload (XMLHttpRequest with progress)', () => {
  function fakeXhr(status, body, headers = {}) {
    const made = [];
    class X {
      constructor() {
        this.headers = {};
        this.upload = {};
        made.push(this);
      }
      open(method, url) {
        this.method = method;
        this.url = url;
      }
      setRequestHeader(k, v) {
        this.headers[k] = v;
      }
      getResponseHeader(n) {
        return headers[n.toLowerCase()] || null;
      }
      send(body2) {
        this.sent = body2;
        this.upload.onprogress && this.upload.onprogress({ loaded: 5, total: 10, lengthComputable: true });
        this.upload.onprogress && this.upload.onprogress({ loaded: 10, total: 10, lengthComputable: true });
        this.status = status;
        this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
        queueMicrotask(() => this.onload());
      }
      abort() {}
    }
    return { X, made };
  }

  it('sends the raw body with its type and the query, reports progress, returns the JSON', async () => {
    const { X, made } = fakeXhr(200, { applied: true, rows_accepted: 1 });
    const seen = [];
    const out = await upload('POST', '/datasets/6/loads', {
      rawBody: 'a,b\r\n',
      contentType: 'text/csv; charset=utf-8',
      query: { format: 'csv', encoding: 'utf-8', mode: 'keep_good' },
      onProgress: (l, t) => seen.push([l, t]),
      xhrImpl: X,
    });
    expect(out).toEqual({ applied: true, rows_accepted: 1 });
    expect(made[0].method).toBe('POST');
    expect(made[0].url).toBe('/api/v1/datasets/6/loads?format=csv&encoding=utf-8&mode=keep_good');
    expect(made[0].headers['Content-Type']).toBe('text/csv; charset=utf-8');
    expect(made[0].sent).toBe('a,b\r\n');
    expect(seen).toEqual([[5, 10], [10, 10]]);
  });

  it('turns a problem+json answer into an ApiError with its errors', async () => {
    const { X } = fakeXhr(
      422,
      { code: 'rows_rejected', detail: 'nothing was loaded: 1 of 2 row(s) rejected', errors: [{ row: 2, field: 'x', rule: 'required', value: '' }] },
      { 'content-type': 'application/problem+json' },
    );
    const err = await upload('POST', '/datasets/6/loads', { rawBody: 'x', xhrImpl: X }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('rows_rejected');
    expect(err.errors).toHaveLength(1);
  });
});
