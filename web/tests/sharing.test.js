import { describe, it, expect } from 'vitest';
import {
  MANNERS,
  REQUEST_STATES,
  requestStateTag,
  grantStatusTag,
  canRequestEntry,
  emptyRequestForm,
  requestBody,
  wizardStepOf,
  applicationOptions,
  termsBody,
  requestActions,
  grantActions,
  entryLabel,
  applicationLabel,
} from '../src/lib/sharing.js';
import zh from '../src/i18n/zh-CN.js';
import en from '../src/i18n/en.js';

const published = (share_type, extra = {}) => ({ published: { content: { share_type } }, ...extra });

describe('canRequestEntry', () => {
  it('offers published, shared entries to requesters only', () => {
    expect(canRequestEntry(published('conditional'), true)).toBe(true);
    expect(canRequestEntry(published('unconditional'), true)).toBe(true);
    expect(canRequestEntry(published('conditional'), false)).toBe(false);
    expect(canRequestEntry(published('not_shared'), true)).toBe(false);
    expect(canRequestEntry(published('conditional', { withdrawn: true }), true)).toBe(false);
    expect(canRequestEntry(published('conditional', { on_negative_list: true }), true)).toBe(false);
    expect(canRequestEntry({ working: { content: {} } }, true)).toBe(false);
    expect(canRequestEntry(null, true)).toBe(false);
  });
});

describe('requestBody', () => {
  it('builds the POST /requests body with trimmed texts and numbers', () => {
    const f = { ...emptyRequestForm(['a', 'b']), application_id: '3', purpose: ' p ', legal_basis: 'l', scope: ' s', manner: 'verify', volume_per_day: '10', validity_days: 30, accept_commitments: true };
    expect(requestBody('5', f)).toEqual({
      entry_id: 5,
      application_id: 3,
      items: ['a', 'b'],
      scenario: { purpose: 'p', legal_basis: 'l', scope: 's', manner: 'verify', volume_per_day: 10, validity_days: 30 },
      accept_commitments: true,
    });
    expect(requestBody(5, { ...f, service_matter: ' m ' }).scenario.service_matter).toBe('m');
  });
  it('starts with every item chosen and the commitments not accepted', () => {
    const f = emptyRequestForm(['x']);
    expect(f.items).toEqual(['x']);
    expect(f.accept_commitments).toBe(false);
    expect(MANNERS).toContain(f.manner);
  });
});

describe('wizardStepOf', () => {
  it('maps a server error field to its wizard step', () => {
    expect(wizardStepOf('/application_id')).toBe(0);
    expect(wizardStepOf('items.0')).toBe(1);
    expect(wizardStepOf('/scenario/purpose')).toBe(2);
    expect(wizardStepOf('scenario.manner')).toBe(2);
    expect(wizardStepOf('/accept_commitments')).toBe(3);
    expect(wizardStepOf('')).toBe(null);
    expect(wizardStepOf(undefined)).toBe(null);
  });
});

describe('applicationOptions', () => {
  it('lists the applications, else the ids the requests were made for', () => {
    expect(applicationOptions([{ id: 1, name: 'A' }], [])).toEqual([{ value: 1, label: 'A（#1）' }]);
    expect(applicationOptions([], [{ application_id: 2 }, { application_id: 1 }, { application_id: 2 }])).toEqual([
      { value: 1, label: '#1' },
      { value: 2, label: '#2' },
    ]);
    expect(applicationOptions(null, null)).toEqual([]);
  });
});

describe('termsBody', () => {
  it('copies the narrower terms as numbers', () => {
    expect(termsBody({ items: ['a'], validity_days: '30', volume_per_day: 5 })).toEqual({ items: ['a'], validity_days: 30, volume_per_day: 5 });
  });
});

describe('requestActions', () => {
  const req = (state) => ({ state, provider_department_id: 11, requester_department_id: 15 });
  it('lets provider staff answer, the requester object and the authority decide', () => {
    expect(requestActions(req('answering'), null, { departmentId: 11, canAct: true }).answer).toBe(true);
    expect(requestActions(req('answering'), null, { departmentId: 15, canAct: true }).answer).toBe(false);
    expect(requestActions(req('answering'), { case: { responsible_department_id: 12 } }, { departmentId: 11, canAct: true }).answer).toBe(false);
    expect(requestActions(req('refused'), null, { departmentId: 15, canAct: true }).object).toBe(true);
    expect(requestActions(req('coordination'), null, { departmentId: 1, canAct: true, atAuthority: true }).decide).toBe(true);
    expect(requestActions(req('coordination'), null, { departmentId: 15, canAct: true }).decide).toBe(false);
    expect(requestActions(req('answering'), null, { departmentId: 11, canAct: false })).toEqual({ answer: false, object: false, decide: false });
  });
});

describe('grantActions', () => {
  const g = (status) => ({ status, provider_department_id: 11 });
  it('offers suspend/resume/revoke to the provider and authorities, nothing after a revocation', () => {
    expect(grantActions(g('active'), { departmentId: 11, canAct: true })).toEqual(['suspend', 'revoke']);
    expect(grantActions(g('suspended'), { departmentId: 1, canAct: true, atAuthority: true })).toEqual(['resume', 'revoke']);
    expect(grantActions(g('revoked'), { departmentId: 11, canAct: true })).toEqual([]);
    expect(grantActions(g('active'), { departmentId: 15, canAct: true })).toEqual([]);
    expect(grantActions(g('active'), { departmentId: 11, canAct: false })).toEqual([]);
  });
});

describe('labels', () => {
  it('has a label for every state, manner and tag in both languages', () => {
    for (const m of [zh, en]) {
      for (const s of REQUEST_STATES) expect(m.sharing.states[s]).toBeTruthy();
      for (const s of MANNERS) expect(m.sharing.manners[s]).toBeTruthy();
    }
    expect(requestStateTag('granted')).toBe('success');
    expect(requestStateTag('refused')).toBe('danger');
    expect(grantStatusTag('suspended')).toBe('warning');
  });
});

describe('entryLabel', () => {
  it('names the entry with its resource code, or gives its id when the entry has no published name', () => {
    expect(entryLabel({ entry_id: 1, entry_name: '常住人口基本信息', resource_code: '10101/00001' })).toBe('常住人口基本信息（10101/00001）');
    expect(entryLabel({ entry_id: 1, entry_name: '常住人口基本信息' })).toBe('常住人口基本信息');
    expect(entryLabel({ entry_id: 7 })).toBe('#7');
    expect(entryLabel(null)).toBe('');
  });
});

describe('applicationLabel', () => {
  it('names the application, or gives its id when the server sent no name', () => {
    expect(applicationLabel({ application_id: 3, application_name: '社保待遇资格认证系统' })).toBe('社保待遇资格认证系统');
    expect(applicationLabel({ application_id: 3 })).toBe('#3');
    expect(applicationLabel({})).toBe('');
    expect(applicationLabel(null)).toBe('');
  });
});
