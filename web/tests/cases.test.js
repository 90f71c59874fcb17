import { describe, it, expect } from 'vitest';
import { classifyUrgency, datesToCheck, dueDate, todayCST, formatArticle, uuidv4, extensionInfo, referenceLink, URGENCY } from '../src/lib/cases.js';

const NOW = Date.parse('2026-11-26T10:00:00+08:00'); // a Thursday
const open = (due, extra = {}) => ({ id: 1, due_at: due, overdue: false, reminded: false, closed_at: null, ...extra });

describe('urgency classification', () => {
  it('is none without a deadline or when closed', () => {
    expect(classifyUrgency(open(null), { now: NOW })).toBe(URGENCY.NONE);
    expect(classifyUrgency(open('2026-11-20T23:59:59+08:00', { closed_at: '2026-11-21T09:00:00+08:00' }), { now: NOW })).toBe('none');
    expect(classifyUrgency(null)).toBe('none');
  });
  it('is overdue when the server says so or the due time has passed', () => {
    expect(classifyUrgency(open('2026-12-31T23:59:59+08:00', { overdue: true }), { now: NOW })).toBe('overdue');
    expect(classifyUrgency(open('2026-11-25T23:59:59+08:00'), { now: NOW })).toBe('overdue');
    // overdue wins over reminded
    expect(classifyUrgency(open('2026-11-25T23:59:59+08:00', { reminded: true }), { now: NOW })).toBe('overdue');
  });
  it('is soon when reminded, within 1 working day, or within 24 hours', () => {
    expect(classifyUrgency(open('2026-12-10T23:59:59+08:00', { reminded: true }), { now: NOW })).toBe('soon');
    expect(classifyUrgency(open('2026-11-30T23:59:59+08:00'), { now: NOW, workingDaysLeft: 1 })).toBe('soon');
    expect(classifyUrgency(open('2026-11-26T23:59:59+08:00'), { now: NOW, workingDaysLeft: 0 })).toBe('soon');
    expect(classifyUrgency(open('2026-11-26T23:59:59+08:00'), { now: NOW })).toBe('soon'); // today, no calendar answer
  });
  it('is normal when later', () => {
    expect(classifyUrgency(open('2026-11-30T23:59:59+08:00'), { now: NOW, workingDaysLeft: 2 })).toBe('normal');
    expect(classifyUrgency(open('2026-12-10T23:59:59+08:00'), { now: NOW })).toBe('normal');
    expect(classifyUrgency(open('2026-12-10T23:59:59+08:00'), { now: NOW, workingDaysLeft: null })).toBe('normal');
  });
  it('lists the due dates that need the calendar, once each', () => {
    const cases = [
      open('2026-12-10T23:59:59+08:00'),
      open('2026-12-10T23:59:59+08:00', { id: 2 }),
      open('2026-12-01T23:59:59+08:00', { id: 3 }),
      open('2026-12-02T23:59:59+08:00', { id: 4, reminded: true }),
      open('2026-11-01T23:59:59+08:00', { id: 5 }),
      open(null, { id: 6 }),
    ];
    expect(datesToCheck(cases, NOW)).toEqual(['2026-12-01', '2026-12-10']);
  });
});

describe('case helpers', () => {
  it('dates in China Standard Time', () => {
    expect(todayCST(Date.parse('2026-11-26T17:00:00Z'))).toBe('2026-11-27');
    expect(todayCST(Date.parse('2026-11-26T15:59:59Z'))).toBe('2026-11-26');
    expect(dueDate('2026-10-10T23:59:59+08:00')).toBe('2026-10-10');
    expect(dueDate(null)).toBe(null);
  });
  it('formats articles', () => {
    expect(formatArticle('9')).toBe('第9条');
    expect(formatArticle('15', (k, p) => `Art. ${p.n}`)).toBe('Art. 15');
    expect(formatArticle('第9条')).toBe('第9条');
    expect(formatArticle('')).toBe('');
    expect(formatArticle(null)).toBe('');
  });
  it('makes v4 UUIDs with or without randomUUID', () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(uuidv4()).toMatch(re);
    const fallback = uuidv4({ getRandomValues: (b) => b.fill(0xff) });
    expect(fallback).toMatch(re);
    expect(uuidv4({})).toMatch(re);
    expect(uuidv4()).not.toBe(uuidv4());
  });
  it('knows when a step may be extended', () => {
    const steps = [
      { id: 'catalog_update', max_extensions: 1, extension_working_days: 10 },
      { id: 'catalog_review', max_extensions: 0, extension_working_days: 0 },
    ];
    const c = open('2026-12-10T23:59:59+08:00', { step: 'catalog_update', extensions_used: 0 });
    expect(extensionInfo(c, steps)).toEqual({ max: 1, used: 0, days: 10 });
    expect(extensionInfo({ ...c, step: 'catalog_review' }, steps)).toBe(null);
    expect(extensionInfo({ ...c, closed_at: '2026-11-20T00:00:00+08:00' }, steps)).toBe(null);
    expect(extensionInfo({ ...c, step: null }, steps)).toBe(null);
  });
});

describe('the subject of a case', () => {
  const all = () => true;
  it('links catalog entries, sharing requests and requests for national or other-province data to their pages', () => {
    expect(referenceLink('catalog_entry:42', all)).toEqual({ kind: 'catalog_entry', id: 42, route: 'catalog-entry', label: 'cases.catalogEntry' });
    expect(referenceLink('share_request:7', all)).toMatchObject({ route: 'request', id: 7, label: 'cases.shareRequest' });
    expect(referenceLink('outward_request:1', all)).toMatchObject({ route: 'outward-request', id: 1, label: 'cases.outwardRequest' });
  });
  it('links nothing the viewer may not read, nor an unknown or damaged reference', () => {
    const catalogOnly = (p) => p === 'catalog.read';
    expect(referenceLink('outward_request:1', catalogOnly)).toBeNull();
    expect(referenceLink('catalog_entry:42', catalogOnly)).toMatchObject({ id: 42 });
    expect(referenceLink('case:3', all)).toBeNull();
    expect(referenceLink('share_request:x', all)).toBeNull();
    expect(referenceLink('', all)).toBeNull();
  });
});
