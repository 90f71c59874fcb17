import { describe, it, expect } from 'vitest';
import {
  isElementId,
  isRepresentation,
  isDatabaseCode,
  isName,
  canManageReference,
  elementToForm,
  elementBody,
  databaseToForm,
  databaseBody,
  filterRows,
} from '../src/lib/catalogReference.js';

describe('reference data checks (as the server)', () => {
  it('element ids are two capitals and 4-8 digits', () => {
    for (const ok of ['DE0001', 'ZZ12345678']) expect(isElementId(ok), ok).toBe(true);
    for (const bad of ['de0001', 'D0001', 'DE001', 'DE123456789', 'DE00O1', '', null]) expect(isElementId(bad), String(bad)).toBe(false);
  });
  it('representations are a/n/an/c, optional "..", then 1-6 digits', () => {
    for (const ok of ['an18', 'c..50', 'n1', 'a..999999']) expect(isRepresentation(ok), ok).toBe(true);
    for (const bad of ['b10', 'an', 'c...5', 'n1234567', 'AN18']) expect(isRepresentation(bad), bad).toBe(false);
  });
  it('database codes are lower case, 2-40 characters, starting with a letter', () => {
    for (const ok of ['population', 'db_2', 'ab']) expect(isDatabaseCode(ok), ok).toBe(true);
    for (const bad of ['a', '2db', 'Pop', 'with-dash', 'x'.repeat(41)]) expect(isDatabaseCode(bad), bad).toBe(false);
  });
  it('names are 1-50 characters, counted as code points', () => {
    expect(isName('公民身份号码')).toBe(true);
    expect(isName('  ')).toBe(false);
    expect(isName('名'.repeat(50))).toBe(true);
    expect(isName('名'.repeat(51))).toBe(false);
  });
});

describe('canManageReference', () => {
  const regions = [
    { id: 'hebei', parent_id: null },
    { id: 'sjz', parent_id: 'hebei' },
  ];
  const holder = (perms) => (p) => perms.includes(p);
  it('needs catalog.manage', () => {
    expect(canManageReference({ roles: ['catalog_manager'], region_id: 'hebei' }, holder(['catalog.read']), regions)).toBe(false);
    expect(canManageReference(null, holder(['catalog.manage']), regions)).toBe(false);
  });
  it('passes platform administrators anywhere and authority heads of the province only', () => {
    const can = holder(['catalog.manage']);
    expect(canManageReference({ roles: ['platform_admin'], region_id: 'sjz' }, can, [])).toBe(true);
    expect(canManageReference({ roles: ['authority_head'], region_id: 'hebei' }, can, regions)).toBe(true);
    expect(canManageReference({ roles: ['authority_head'], region_id: 'sjz' }, can, regions)).toBe(false);
    expect(canManageReference({ roles: ['authority_head'], region_id: 'hebei' }, can, [])).toBe(false);
  });
});

describe('element bodies', () => {
  const stored = { id: 'DE0001', name: '公民身份号码', definition: '', data_type: 'C', representation: 'an18', value_domain: '', validation: 'resident_id', personal: true, default_level: 'general4', default_mask: 'resident_id', version: 3 };
  it('a create sends the id, trimmed text and every field', () => {
    expect(elementBody({ ...elementToForm(null), id: ' ZZ0001 ', name: ' 测试 ' })).toEqual({
      id: 'ZZ0001',
      name: '测试',
      definition: '',
      data_type: 'C',
      representation: '',
      value_domain: '',
      validation: '',
      personal: false,
      default_level: 'general1',
      default_mask: '',
    });
  });
  it('an update sends the whole element with its version and without the id', () => {
    const body = elementBody(elementToForm(stored), stored.version);
    expect(body.id).toBeUndefined();
    expect(body).toMatchObject({ name: '公民身份号码', representation: 'an18', validation: 'resident_id', personal: true, default_level: 'general4', version: 3 });
  });
  it('an unknown level in the list falls back to general1 in the form', () => {
    expect(elementToForm({ default_level: 'secret' }).default_level).toBe('general1');
  });
});

describe('database bodies and filtering', () => {
  it('sends name, kind, keeper and description, the code stays in the path', () => {
    const form = databaseToForm({ code: 'population', name: ' 人口库 ', kind: 'base', keeper_department_id: '7', description: null });
    expect(form.description).toBe('');
    expect(databaseBody(form)).toEqual({ name: '人口库', kind: 'base', keeper_department_id: 7, description: '' });
  });
  it('filters rows by any listed field, case-insensitively', () => {
    const rows = [{ id: 'DE0001', name: '公民身份号码' }, { id: 'DE0002', name: '姓名' }];
    expect(filterRows(rows, 'de0002', ['id', 'name'])).toEqual([rows[1]]);
    expect(filterRows(rows, '身份', ['id', 'name'])).toEqual([rows[0]]);
    expect(filterRows(rows, ' ', ['id'])).toBe(rows);
  });
});
