// The one fetch wrapper every API call goes through: JSON in and out, same-origin cookie credentials,
// X-CSRF-Token on unsafe methods, RFC 9457 problem+json errors mapped to ApiError.

export const API_BASE = '/api/v1';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
  constructor({ status, code, detail, field, title, type, requestId, errors }) {
    super(detail || title || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status; // HTTP status, 0 for a network failure
    this.code = code; // stable machine code, e.g. "invalid_credit_code"
    this.detail = detail || ''; // human text from the server (English)
    this.field = field || null; // body field name derived from the JSON pointer ("/credit_code" -> "credit_code")
    this.title = title || '';
    this.type = type || '';
    this.requestId = requestId || '';
    // Every problem of a 422 that lists them (catalog rules, import rows): [{field, rule, article, message, row?}].
    this.errors = Array.isArray(errors) ? errors.filter((e) => e && typeof e === 'object') : [];
  }
}

/** "/credit_code" -> "credit_code", "/a/b" -> "a.b", "" or absent -> null. */
export function pointerToField(pointer) {
  if (typeof pointer !== 'string' || pointer === '' || pointer === '/') return null;
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** Reads a cookie by name from a cookie string (document.cookie by default). */
export function readCookie(name, cookieString = typeof document !== 'undefined' ? document.cookie : '') {
  for (const part of (cookieString || '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return part.slice(i + 1).trim();
      }
    }
  }
  return null;
}

const fallbackCodes = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  422: 'validation_failed',
  423: 'account_locked',
  429: 'too_many_requests',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/** Turns a non-2xx Response into an ApiError, parsing problem+json (or any JSON) when present. */
export async function errorFromResponse(res) {
  let body = null;
  const ct = (res.headers && res.headers.get && res.headers.get('content-type')) || '';
  let text = '';
  try {
    text = await res.text();
  } catch {
    text = '';
  }
  if (text && (ct.includes('json') || /^\s*\{/.test(text))) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  const b = body && typeof body === 'object' ? body : {};
  const status = Number.isInteger(b.status) ? b.status : res.status;
  return new ApiError({
    status: res.status || status,
    code: typeof b.code === 'string' && b.code ? b.code : fallbackCodes[res.status] || (res.status >= 500 ? 'internal_error' : 'http_error'),
    detail: typeof b.detail === 'string' ? b.detail : body ? '' : text.slice(0, 300),
    field: pointerToField(b.field),
    title: typeof b.title === 'string' ? b.title : res.statusText || '',
    type: typeof b.type === 'string' ? b.type : '',
    requestId: (typeof b.request_id === 'string' && b.request_id) || (res.headers && res.headers.get && res.headers.get('x-request-id')) || '',
    errors: b.errors,
  });
}

/** The file name of a Content-Disposition header (RFC 6266: filename* in UTF-8 first, then filename), or null. */
export function filenameFromDisposition(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to filename= */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header);
  if (plain) return (plain[1] !== undefined ? plain[1] : plain[2]).trim();
  return null;
}

let unauthorizedHandler = null;
/** Registers the callback invoked on a 401 (except for calls made with {authRedirect:false}). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

let csrfFallback = null;
/** Remembers the csrf_token from the login response, used only if the gs_csrf cookie cannot be read. */
export function setCsrfFallback(token) {
  csrfFallback = token || null;
}

function buildUrl(path, query) {
  let url = path.startsWith('/api/') || path.startsWith('/healthz') ? path : API_BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      qs.append(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  return url;
}

/**
 * request('GET', '/departments', {query:{limit:50}}) -> parsed JSON (null for 204).
 * Options: body (JSON-encoded), rawBody + contentType (bytes sent as they are, e.g. a File), query,
 * headers (extra request headers, e.g. Idempotency-Key), signal, authRedirect (default true),
 * responseType 'blob' (returns {blob, filename, sha256} instead of JSON), fetchImpl (tests).
 */
export async function request(method, path, opts = {}) {
  const m = method.toUpperCase();
  const headers = { ...(opts.headers || {}), Accept: 'application/json, application/problem+json' };
  const init = { method: m, headers, credentials: 'same-origin' };
  if (opts.rawBody !== undefined) {
    headers['Content-Type'] = opts.contentType || 'application/octet-stream';
    init.body = opts.rawBody;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (UNSAFE.has(m)) {
    const token = readCookie('gs_csrf') || csrfFallback;
    if (token) headers['X-CSRF-Token'] = token;
  }
  if (opts.signal) init.signal = opts.signal;
  const doFetch = opts.fetchImpl || globalThis.fetch;
  let res;
  try {
    res = await doFetch(buildUrl(path, opts.query), init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'network_error', detail: String((e && e.message) || e) });
  }
  if (!res.ok) {
    const err = await errorFromResponse(res);
    // A 401 means the session is gone, except when it is a wrong password re-typed inside a session.
    if (err.status === 401 && err.code !== 'invalid_credentials' && opts.authRedirect !== false && unauthorizedHandler) {
      unauthorizedHandler(err);
    }
    throw err;
  }
  if (opts.responseType === 'blob') {
    const h = (n) => (res.headers && res.headers.get ? res.headers.get(n) : null);
    return { blob: await res.blob(), filename: filenameFromDisposition(h('content-disposition')), sha256: h('x-content-sha256') || '' };
  }
  if (res.status === 204 || res.status === 205) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError({ status: res.status, code: 'invalid_response', detail: 'response is not JSON' });
  }
}

export const http = {
  get: (p, o) => request('GET', p, o),
  post: (p, body, o = {}) => request('POST', p, { ...o, body }),
  patch: (p, body, o = {}) => request('PATCH', p, { ...o, body }),
  put: (p, body, o = {}) => request('PUT', p, { ...o, body }),
  del: (p, o) => request('DELETE', p, o),
};

/**
 * Like request() with a raw body, sent with XMLHttpRequest so that the upload reports its progress (fetch does not):
 * upload('POST', '/datasets/6/loads', {rawBody, contentType, query, onProgress(loaded, total), signal}) -> parsed JSON.
 * Errors are the same ApiError as request()'s; a 401 goes to the unauthorized handler.
 */
export function upload(method, path, opts = {}) {
  const m = method.toUpperCase();
  const XHR = opts.xhrImpl || globalThis.XMLHttpRequest;
  return new Promise((resolve, reject) => {
    const xhr = new XHR();
    xhr.open(m, buildUrl(path, opts.query));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('Content-Type', opts.contentType || 'application/octet-stream');
    for (const [k, v] of Object.entries(opts.headers || {})) xhr.setRequestHeader(k, v);
    if (UNSAFE.has(m)) {
      const token = readCookie('gs_csrf') || csrfFallback;
      if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    }
    if (opts.onProgress && xhr.upload) {
      xhr.upload.onprogress = (e) => opts.onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    }
    if (opts.signal) {
      if (opts.signal.aborted) {
        reject(new DOMException('aborted', 'AbortError'));
        return;
      }
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network_error', detail: 'the upload failed' }));
    xhr.onload = async () => {
      const text = xhr.responseText || '';
      if (xhr.status < 200 || xhr.status >= 300) {
        const res = {
          status: xhr.status,
          statusText: xhr.statusText,
          headers: { get: (n) => xhr.getResponseHeader(n) },
          text: async () => text,
        };
        const err = await errorFromResponse(res);
        if (err.status === 401 && opts.authRedirect !== false && unauthorizedHandler) unauthorizedHandler(err);
        reject(err);
        return;
      }
      if (!text) {
        resolve(null);
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError({ status: xhr.status, code: 'invalid_response', detail: 'response is not JSON' }));
      }
    };
    xhr.send(opts.rawBody);
  });
}
