// 数据调试台: a consumer department tries its grant through the data API exactly as its business system would — with
// the application's API key (Authorization: Bearer gsk_…), X-Grant-Id and X-Business-Ref — never with the portal's
// session. The key is kept only in the page's memory. Contract: src/http/handlers/data_handlers.cpp, docs/API.md.
import { API_BASE, ApiError, errorFromResponse } from '../api/http.js';

/** Whether the console applies to a grant: held by the user's department, for a manner the data API serves. */
export function consoleApplies(grant, departmentId) {
  return !!grant && grant.consumer_department_id === departmentId && (grant.manner === 'lookup' || grant.manner === 'verify');
}

/** The key of a lookup: the key items' values in key order, joined by '|' (docs/API.md), trimmed. */
export function lookupKey(keyItems, values) {
  return keyItems.map((k) => String(values[k] ?? '').trim()).join('|');
}

/** The body of a verification: the non-empty values of the granted items, trimmed. */
export function verifyFields(items, values) {
  const out = {};
  for (const item of items) {
    const v = String(values[item] ?? '').trim();
    if (v) out[item] = v;
  }
  return out;
}

// Where a refusal belongs on the console's form; codes not listed are shown above the result.
const FIELD_OF_CODE = {
  unauthenticated: 'apiKey',
  api_key_revoked: 'apiKey',
  api_key_expired: 'apiKey',
  applications_only: 'apiKey',
  grant_unknown: 'apiKey',
  business_ref_required: 'businessRef',
  invalid_key: 'key',
  record_not_found: 'key',
  out_of_scope: 'key',
  key_required: 'key',
  fields_required: 'key',
};

/**
 * The console field an error belongs to: 'apiKey', 'businessRef', 'key' (the key items), `item:<name>` (one item of
 * a verification, from the problem's /fields/<name> pointer) or null (shown above the result).
 */
export function consoleErrorField(err) {
  if (!err) return null;
  if (err.code === 'item_not_granted' || err.code === 'wrong_type') {
    const f = typeof err.field === 'string' ? err.field : '';
    const m = /^fields\.(.+)$/.exec(f);
    if (m) return `item:${m[1]}`;
  }
  return FIELD_OF_CODE[err.code] || null;
}

/**
 * Calls the data API with the application's key. `call` = {mode: 'lookup'|'verify', datasetId, apiKey, grantId,
 * businessRef, key?, fields?}. Resolves {body, receipt, requestId, status}; rejects with an ApiError that also carries
 * `receipt` (a denial is audited too). The session cookie is not sent and a 401 does not end the portal session.
 */
export async function callDataApi(call, fetchImpl = globalThis.fetch) {
  const headers = {
    Accept: 'application/json, application/problem+json',
    Authorization: `Bearer ${call.apiKey.trim()}`,
    'X-Grant-Id': call.grantId,
    'X-Business-Ref': call.businessRef.trim(),
  };
  const dataset = encodeURIComponent(call.datasetId);
  const init = { method: 'GET', headers, credentials: 'omit' };
  let url = `${API_BASE}/data/${dataset}/records/${encodeURIComponent(call.key)}`;
  if (call.mode === 'verify') {
    url = `${API_BASE}/data/${dataset}/verify`;
    init.method = 'POST';
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify({ fields: call.fields });
  }
  let res;
  try {
    res = await fetchImpl(url, init);
  } catch (e) {
    throw new ApiError({ status: 0, code: 'network_error', detail: String((e && e.message) || e) });
  }
  const header = (n) => (res.headers && res.headers.get ? res.headers.get(n) : null) || '';
  const receipt = header('x-audit-receipt');
  const requestId = header('x-request-id');
  if (!res.ok) {
    const err = await errorFromResponse(res);
    err.receipt = receipt;
    throw err;
  }
  return { status: res.status, body: await res.json(), receipt, requestId };
}
