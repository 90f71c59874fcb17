import { describe, it, expect } from 'vitest';
import { OUTWARD_LEVELS, OUTWARD_STATES, OUTWARD_TABS, emptyOutwardForm, outwardBody, outwardStateTag } from '../src/lib/outward.js';

describe('outward requests (Art. 17)', () => {
  it('offers the levels, states and tabs of the API', () => {
    expect(OUTWARD_LEVELS).toEqual(['national', 'other_province']);
    expect(OUTWARD_STATES).toEqual(['reviewing', 'forwarded', 'answered', 'rejected']);
    expect(OUTWARD_TABS).toEqual(['requester', 'authority']);
  });

  it('starts empty: national, no items, commitments not accepted', () => {
    const f = emptyOutwardForm();
    expect(f).toMatchObject({ application_id: null, level: 'national', holder: '', resource: '', items: [], manner: 'lookup', accept_commitments: false });
  });

  it('maps the form to the POST /requests/outward body', () => {
    const f = Object.assign(emptyOutwardForm(), {
      application_id: '3',
      level: 'other_province',
      holder: ' 北京市公安局 ',
      resource: ' 常住人口信息 ',
      items: [' 姓名', '公民身份号码', '姓名', ' '],
      purpose: ' 核验 ',
      legal_basis: '法',
      scope: '本部门',
      manner: 'verify',
      volume_per_day: '200',
      validity_days: 30,
      service_matter: '  ',
      accept_commitments: true,
    });
    expect(outwardBody(f)).toEqual({
      application_id: 3,
      level: 'other_province',
      holder: '北京市公安局',
      resource: '常住人口信息',
      items: ['姓名', '公民身份号码'],
      scenario: { purpose: '核验', legal_basis: '法', scope: '本部门', manner: 'verify', volume_per_day: 200, validity_days: 30 },
      accept_commitments: true,
    });
  });

  it('keeps a service matter when given', () => {
    const f = Object.assign(emptyOutwardForm(), { application_id: 1, service_matter: ' 社保转移 ' });
    expect(outwardBody(f).scenario.service_matter).toBe('社保转移');
    expect(outwardBody(f).accept_commitments).toBe(false);
  });

  it('colours the states', () => {
    expect(outwardStateTag('reviewing')).toBe('primary');
    expect(outwardStateTag('forwarded')).toBe('warning');
    expect(outwardStateTag('answered')).toBe('success');
    expect(outwardStateTag('rejected')).toBe('danger');
  });
});
