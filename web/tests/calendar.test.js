import { describe, it, expect } from 'vitest';
import { monthGrid, dayKind, daysInMonth, weekday, monthWorkingDays, yearGrid, parseCalendarFile, ymd } from '../src/lib/calendar.js';

const cal2026 = JSON.parse(
  '{"year":2026,"holidays":["2026-01-01","2026-01-02","2026-01-03","2026-02-15","2026-02-16","2026-02-17","2026-02-18","2026-02-19","2026-02-20","2026-02-21","2026-02-22","2026-02-23","2026-04-04","2026-04-05","2026-04-06","2026-05-01","2026-05-02","2026-05-03","2026-05-04","2026-05-05","2026-06-19","2026-06-20","2026-06-21","2026-09-25","2026-09-26","2026-09-27","2026-10-01","2026-10-02","2026-10-03","2026-10-04","2026-10-05","2026-10-06","2026-10-07"],"makeup_workdays":["2026-01-04","2026-02-14","2026-02-28","2026-05-09","2026-09-20","2026-10-10"]}',
);

describe('calendar basics', () => {
  it('days and weekdays', () => {
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2026, 12)).toBe(31);
    expect(weekday(2026, 10, 10)).toBe(6); // Saturday
    expect(weekday(2026, 10, 1)).toBe(4); // Thursday
    expect(ymd(2026, 3, 5)).toBe('2026-03-05');
  });
  it('classifies days', () => {
    const h = new Set(cal2026.holidays);
    const m = new Set(cal2026.makeup_workdays);
    expect(dayKind('2026-10-01', h, m)).toBe('holiday');
    expect(dayKind('2026-10-10', h, m)).toBe('makeup');
    expect(dayKind('2026-10-11', h, m)).toBe('weekend');
    expect(dayKind('2026-10-09', h, m)).toBe('workday');
    expect(dayKind('2026-10-10', cal2026.holidays, cal2026.makeup_workdays)).toBe('makeup'); // arrays too
  });
});

describe('month grid', () => {
  it('starts on Monday and pads to full weeks', () => {
    const weeks = monthGrid(2026, 10, cal2026.holidays, cal2026.makeup_workdays);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    // 2026-10-01 is a Thursday: three empty cells before it
    expect(weeks[0].slice(0, 3)).toEqual([null, null, null]);
    expect(weeks[0][3]).toMatchObject({ date: '2026-10-01', day: 1, kind: 'holiday', working: false });
    const cells = weeks.flat().filter(Boolean);
    expect(cells).toHaveLength(31);
    expect(cells.find((c) => c.date === '2026-10-10')).toMatchObject({ kind: 'makeup', working: true, weekend: true });
    // June 2026 starts on a Monday: no padding in front
    expect(monthGrid(2026, 6)[0][0]).toMatchObject({ date: '2026-06-01' });
  });
  it('counts working days per month and per year like the server', () => {
    expect(monthWorkingDays(2026, 10, cal2026.holidays, cal2026.makeup_workdays)).toBe(18);
    expect(monthWorkingDays(2026, 2, cal2026.holidays, cal2026.makeup_workdays)).toBe(16);
    const months = yearGrid(cal2026);
    expect(months).toHaveLength(12);
    expect(months.reduce((n, m) => n + m.workingDays, 0)).toBe(248); // GET /calendar/years/2026 working_days
    expect(months.reduce((n, m) => n + m.holidays, 0)).toBe(33);
    expect(months.reduce((n, m) => n + m.makeups, 0)).toBe(6);
    expect(yearGrid(null)).toEqual([]);
  });
});

describe('calendar file', () => {
  it('accepts a year file and refuses obvious mistakes', () => {
    expect(parseCalendarFile(JSON.stringify({ ...cal2026, source: 'x' })).data.year).toBe(2026);
    expect(parseCalendarFile('{').error).toBe('notJson');
    expect(parseCalendarFile('[1]').error).toBe('notObject');
    expect(parseCalendarFile('{"year":"2026","holidays":[],"makeup_workdays":[]}').error).toBe('noYear');
    expect(parseCalendarFile('{"year":2026,"holidays":[]}').error).toBe('noLists');
  });
});
