import { describe, it, expect } from 'vitest';
import { callDataApi, consoleApplies, consoleErrorField, lookupKey, verifyFields } from '../src/lib/dataConsole.js';
import { ApiError } from '../src/api/http.js';

function response(status, body, headers = {}) {
  const h = new Map(Object.entries({ 'content-type': status < 400 ? 'application/json' : 'application/problem+json', ...headers }));
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (n) => h.get(n.toLowerCase()) ?? null },
    text: async () => JSON.stringify(body),
    json: async () => body,
  };
}

describe('data console', () => {
  it('applies to the grants of the user department for lookup or verification', () => {
    expect(consoleApplies({ consumer_department_id: 3, manner: 'lookup' }, 3)).toBe(true);
    expect(consoleApplies({ consumer_department_id: 3, manner: 'verify' }, 3)).toBe(true);
    expect(consoleApplies({ consumer_department_id: 3, manner: 'bulk' }, 3)).toBe(false);
    expect(consoleApplies({ consumer_department_id: 4, manner: 'lookup' }, 3)).toBe(false);
    expect(consoleApplies(null, 3)).toBe(false);
  });

  it('builds a composite key and the verification fields', () => {
    expect(lookupKey(['公民身份号码'], { 公民身份号码: ' 13010219800101007X ' })).toBe('13010219800101007X');
    expect(lookupKey(['a', 'b'], { a: '1', b: '2' })).toBe('1|2');
    expect(verifyFields(['公民身份号码', '姓名', '出生日期'], { 公民身份号码: 'x', 姓名: ' 张三 ', 出生日期: '' })).toEqual({ 公民身份号码: 'x', 姓名: '张三' });
  });

  it('puts each refusal next to its field', () => {
    expect(consoleErrorField(new ApiError({ status: 401, code: 'unauthenticated' }))).toBe('apiKey');
    expect(consoleErrorField(new ApiError({ status: 403, code: 'grant_unknown' }))).toBe('apiKey');
    expect(consoleErrorField(new ApiError({ status: 400, code: 'business_ref_required' }))).toBe('businessRef');
    expect(consoleErrorField(new ApiError({ status: 404, code: 'record_not_found' }))).toBe('key');
    expect(consoleErrorField(new ApiError({ status: 403, code: 'out_of_scope' }))).toBe('key');
    expect(consoleErrorField(new ApiError({ status: 400, code: 'wrong_type', field: 'fields.姓名' }))).toBe('item:姓名');
    expect(consoleErrorField(new ApiError({ status: 403, code: 'quota_exceeded' }))).toBeNull();
    expect(consoleErrorField(null)).toBeNull();
  });

  it('looks a record up with the API key, the grant and the business reference, never the session', async () => {
    let seen;
    const fetchImpl = async (url, init) => {
      seen = { url, init };
      return response(200, { record: { 姓名: '张**' } }, { 'x-audit-receipt': '42', 'x-request-id': 'r-1' });
    };
    const r = await callDataApi({ mode: 'lookup', datasetId: 7, apiKey: ' gsk_abc ', grantId: 'gr_1', businessRef: ' SB-1 ', key: '1|2' }, fetchImpl);
    expect(seen.url).toBe('/api/v1/data/7/records/1%7C2');
    expect(seen.init.credentials).toBe('omit');
    expect(seen.init.headers).toMatchObject({ Authorization: 'Bearer gsk_abc', 'X-Grant-Id': 'gr_1', 'X-Business-Ref': 'SB-1' });
    expect(seen.init.headers['X-CSRF-Token']).toBeUndefined();
    expect(r).toEqual({ status: 200, body: { record: { 姓名: '张**' } }, receipt: '42', requestId: 'r-1' });
  });

  it('posts a verification and turns a problem into an ApiError that keeps the receipt', async () => {
    let seen;
    const fetchImpl = async (url, init) => {
      seen = { url, init };
      return response(400, { code: 'key_required', detail: 'Verification needs the key items', status: 400 }, { 'x-audit-receipt': '43' });
    };
    const call = { mode: 'verify', datasetId: 8, apiKey: 'gsk_x', grantId: 'gr_2', businessRef: 'SB-2', fields: { 姓名: '张三' } };
    const err = await callDataApi(call, fetchImpl).catch((e) => e);
    expect(seen.url).toBe('/api/v1/data/8/verify');
    expect(seen.init.method).toBe('POST');
    expect(JSON.parse(seen.init.body)).toEqual({ fields: { 姓名: '张三' } });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('key_required');
    expect(err.receipt).toBe('43');
    const offline = await callDataApi(call, async () => {
      throw new Error('down');
    }).catch((e) => e);
    expect(offline.code).toBe('network_error');
  });
});
