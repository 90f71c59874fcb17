// Pure helpers for the working-day calendar page: month grids, day kinds, counts, and the year-file check.

const pad = (n) => String(n).padStart(2, '0');

/** YYYY-MM-DD of a (year, month 1-12, day). */
export function ymd(year, month, day) {
  return `${year}-${pad(month)}-${pad(day)}`;
}

export function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 0 = Sunday … 6 = Saturday, computed in UTC so the browser's time zone does not matter. */
export function weekday(year, month, day) {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/**
 * What a day is: 'holiday' (法定节假日, 休), 'makeup' (调休上班, 班), 'weekend' or 'workday'.
 * `holidays` and `makeups` are Sets (or arrays) of YYYY-MM-DD.
 */
export function dayKind(date, holidays, makeups) {
  const has = (s, d) => (s instanceof Set ? s.has(d) : Array.isArray(s) && s.includes(d));
  if (has(holidays, date)) return 'holiday';
  if (has(makeups, date)) return 'makeup';
  const [y, m, d] = date.split('-').map(Number);
  const w = weekday(y, m, d);
  return w === 0 || w === 6 ? 'weekend' : 'workday';
}

export const isWorkingKind = (kind) => kind === 'workday' || kind === 'makeup';

/**
 * A month as weeks of 7 cells, Monday first. Each cell is null (padding) or
 * {date, day, kind, working, weekend}. `year` is a number, `month` 1-12.
 */
export function monthGrid(year, month, holidays = [], makeups = []) {
  const hs = holidays instanceof Set ? holidays : new Set(holidays);
  const ms = makeups instanceof Set ? makeups : new Set(makeups);
  const lead = (weekday(year, month, 1) + 6) % 7; // Monday = 0
  const cells = Array(lead).fill(null);
  const n = daysInMonth(year, month);
  for (let d = 1; d <= n; d++) {
    const date = ymd(year, month, d);
    const kind = dayKind(date, hs, ms);
    const w = weekday(year, month, d);
    cells.push({ date, day: d, kind, working: isWorkingKind(kind), weekend: w === 0 || w === 6 });
  }
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** Working days of a month (weekdays that are not holidays, plus make-up days). */
export function monthWorkingDays(year, month, holidays = [], makeups = []) {
  return monthGrid(year, month, holidays, makeups)
    .flat()
    .filter((c) => c && c.working).length;
}

/** The 12 months of a year summary ({year, holidays, makeup_workdays}) with grids and counts. */
export function yearGrid(summary) {
  if (!summary || !Number.isInteger(summary.year)) return [];
  const hs = new Set(summary.holidays || []);
  const ms = new Set(summary.makeup_workdays || []);
  return Array.from({ length: 12 }, (_, i) => {
    const month = i + 1;
    const weeks = monthGrid(summary.year, month, hs, ms);
    const cells = weeks.flat().filter(Boolean);
    return {
      month,
      weeks,
      workingDays: cells.filter((c) => c.working).length,
      holidays: cells.filter((c) => c.kind === 'holiday').length,
      makeups: cells.filter((c) => c.kind === 'makeup').length,
    };
  });
}

/**
 * First look at an uploaded calendar year file before it is sent. Returns {data} or {error, detail?}; `error` is
 * an i18n key suffix under calendar.file.*. The server makes every real check (and answers with its error codes).
 */
export function parseCalendarFile(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: 'notJson', detail: String((e && e.message) || e) };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { error: 'notObject' };
  if (!Number.isInteger(data.year)) return { error: 'noYear' };
  if (!Array.isArray(data.holidays) || !Array.isArray(data.makeup_workdays)) return { error: 'noLists' };
  return { data };
}
