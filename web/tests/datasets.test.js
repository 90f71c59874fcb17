import { describe, it, expect } from 'vitest';
import { activeColumns, canManageEndpoint, circuitTag, endpointBody, endpointForm, overdueParts } from '../src/lib/datasets.js';

describe('datasets', () => {
  it('keeps the columns in use, in position order', () => {
    const cols = [
      { position: 3, name: 'c', retired_in: null },
      { position: 1, name: 'a', retired_in: null },
      { position: 2, name: 'b', retired_in: 2 },
    ];
    expect(activeColumns(cols).map((c) => c.name)).toEqual(['a', 'c']);
    expect(activeColumns(undefined)).toEqual([]);
  });

  it('says how long a stale dataset is overdue in its largest unit', () => {
    expect(overdueParts(null)).toBeNull();
    expect(overdueParts(59)).toEqual({ unit: 'minutes', n: 0 });
    expect(overdueParts(3 * 3600 + 5)).toEqual({ unit: 'hours', n: 3 });
    expect(overdueParts(2 * 86400 + 7200)).toEqual({ unit: 'days', n: 2 });
  });

  it('colours the circuit', () => {
    expect(circuitTag('closed')).toBe('success');
    expect(circuitTag('open')).toBe('danger');
    expect(circuitTag('half_open')).toBe('warning');
  });

  it('lets the provider staff who load data register the interface', () => {
    const ds = { provider_department_id: 11 };
    expect(canManageEndpoint(ds, { departmentId: 11, canLoad: true })).toBe(true);
    expect(canManageEndpoint(ds, { departmentId: 12, canLoad: true })).toBe(false);
    expect(canManageEndpoint(ds, { departmentId: 11, canLoad: false })).toBe(false);
    expect(canManageEndpoint(null, { departmentId: 11, canLoad: true })).toBe(false);
  });
});

describe('interface registration form', () => {
  it('is empty with defaults when none is registered, one field-map row per item', () => {
    const f = endpointForm(null, ['公民身份号码', '姓名']);
    expect(f).toEqual({
      url: '',
      method: 'GET',
      key_param: 'key',
      field_map: [
        { item: '公民身份号码', field: '' },
        { item: '姓名', field: '' },
      ],
      auth: 'none',
      auth_header: '',
      secret: '',
      timeout_ms: 2000,
      health_url: '',
    });
  });

  it('fills from a registered interface; the secret stays empty; identity mappings show as default', () => {
    const e = { url: 'http://p/{key}', method: 'POST', key_param: 'id', field_map: { 姓名: 'xm', 公民身份号码: '公民身份号码', 旧项: 'old' }, auth: 'hmac', auth_header: '', timeout_ms: 500, health_url: 'http://p/h', circuit: { state: 'closed' } };
    const f = endpointForm(e, ['公民身份号码', '姓名']);
    expect(f.field_map).toEqual([
      { item: '公民身份号码', field: '' },
      { item: '姓名', field: 'xm' },
      { item: '旧项', field: 'old' },
    ]);
    expect(f).toMatchObject({ url: 'http://p/{key}', method: 'POST', key_param: 'id', auth: 'hmac', secret: '', timeout_ms: 500, health_url: 'http://p/h' });
  });

  it('maps to the PUT body: mapped items only, no auth header or secret unless used, empty secret kept', () => {
    const f = endpointForm(null, ['公民身份号码', '姓名']);
    Object.assign(f, { url: ' http://p/q ', key_param: ' ', timeout_ms: '3000' });
    f.field_map[1].field = ' xm ';
    expect(endpointBody(f)).toEqual({ url: 'http://p/q', method: 'GET', key_param: 'key', field_map: { 姓名: 'xm' }, auth: 'none', timeout_ms: 3000 });

    Object.assign(f, { auth: 'header', auth_header: ' X-Api-Key ', secret: '0123456789abcdef', health_url: ' http://p/h ' });
    expect(endpointBody(f)).toMatchObject({ auth: 'header', auth_header: 'X-Api-Key', secret: '0123456789abcdef', health_url: 'http://p/h' });

    Object.assign(f, { auth: 'hmac', secret: '' });
    const b = endpointBody(f);
    expect(b.auth).toBe('hmac');
    expect('secret' in b).toBe(false);
    expect('auth_header' in b).toBe(false);

    Object.assign(f, { auth: 'none', secret: 'leftover-secret-123' });
    expect('secret' in endpointBody(f)).toBe(false);
  });
});
