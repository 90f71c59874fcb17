// Pure helpers for cases (workflow items): urgency of a deadline, display of articles, idempotency keys.

const DAY_MS = 24 * 3600 * 1000;
const CST_OFFSET_MS = 8 * 3600 * 1000; // the server's dates are China Standard Time (UTC+8, no DST)

/** Today's date YYYY-MM-DD in China Standard Time, whatever the browser's time zone. */
export function todayCST(now = Date.now()) {
  const ms = now instanceof Date ? now.getTime() : now;
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** "2026-10-10T23:59:59+08:00" -> "2026-10-10" (the server writes due times in +08:00). */
export function dueDate(dueAt) {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(dueAt || '');
  return m ? m[1] : null;
}

export const URGENCY = Object.freeze({ OVERDUE: 'overdue', SOON: 'soon', NORMAL: 'normal', NONE: 'none' });

/**
 * How urgent an open case is:
 *   'none'    — no deadline (closed, or a step without a statutory limit);
 *   'overdue' — the server flagged it overdue, or its due time has passed;
 *   'soon'    — due within 1 working day: the server's `reminded` flag (set one working day before), or
 *               `workingDaysLeft` (GET /calendar/working-days from today to the due date) ≤ 1;
 *   'normal'  — later.
 * `workingDaysLeft` is optional (null/undefined when unknown, e.g. the calendar year is missing).
 */
export function classifyUrgency(c, { now = Date.now(), workingDaysLeft = null } = {}) {
  if (!c || c.closed_at || !c.due_at) return URGENCY.NONE;
  const nowMs = now instanceof Date ? now.getTime() : now;
  const due = Date.parse(c.due_at);
  if (c.overdue || (Number.isFinite(due) && due < nowMs)) return URGENCY.OVERDUE;
  if (c.reminded) return URGENCY.SOON;
  if (typeof workingDaysLeft === 'number' && workingDaysLeft <= 1) return URGENCY.SOON;
  // Without a calendar answer, anything due within one calendar day is certainly within one working day.
  if (Number.isFinite(due) && due - nowMs <= DAY_MS) return URGENCY.SOON;
  return URGENCY.NORMAL;
}

/** Element Plus tag type per urgency. */
export const URGENCY_TAG = Object.freeze({ overdue: 'danger', soon: 'warning', normal: 'info', none: 'info' });

/**
 * The distinct due dates (CST) of the cases whose urgency needs the calendar to decide, i.e. neither overdue nor
 * reminded nor closed. Used to ask GET /calendar/working-days once per date.
 */
export function datesToCheck(cases, now = Date.now()) {
  const out = new Set();
  for (const c of cases || []) {
    const u = classifyUrgency(c, { now });
    if (u === URGENCY.NORMAL) {
      const d = dueDate(c.due_at);
      if (d) out.add(d);
    }
  }
  return [...out].sort();
}

/** "9" -> "第9条" / "Art. 9" through the translation function; "" or null -> "". */
export function formatArticle(article, t) {
  if (article === null || article === undefined || String(article).trim() === '') return '';
  const a = String(article).trim();
  // Already a full reference ("第9条", "Art. 9"): keep it.
  if (!/^\d+(\.\d+)?$/.test(a)) return a;
  return t ? t('cases.articleN', { n: a }) : `第${a}条`;
}

/** A random RFC 4122 version 4 UUID; works outside secure contexts too (crypto.getRandomValues). */
export function uuidv4(cryptoImpl = globalThis.crypto) {
  if (cryptoImpl && typeof cryptoImpl.randomUUID === 'function') return cryptoImpl.randomUUID();
  const b = new Uint8Array(16);
  if (cryptoImpl && typeof cryptoImpl.getRandomValues === 'function') cryptoImpl.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether the case's current step allows an extension under the rule pack (GET /rules `steps`). */
export function extensionInfo(c, steps) {
  if (!c || c.closed_at || !c.step || !c.due_at) return null;
  const step = (steps || []).find((s) => s.id === c.step);
  if (!step || !(step.max_extensions > 0)) return null;
  return { max: step.max_extensions, used: c.extensions_used || 0, days: step.extension_working_days || 0 };
}

export const INBOX_KIND_TAG = Object.freeze({ assigned: 'primary', reminder: 'warning', overdue: 'danger', escalated: 'danger', decided: 'success' });

// The subjects a case may be about (its `reference`, "kind:id"): the page that shows each, the permission to read it
// and the label of the link.
const REFERENCE_PAGES = {
  catalog_entry: { route: 'catalog-entry', permission: 'catalog.read', label: 'cases.catalogEntry' },
  share_request: { route: 'request', permission: 'share.read', label: 'cases.shareRequest' },
  outward_request: { route: 'outward-request', permission: 'share.read', label: 'cases.outwardRequest' },
};

/** The link to a case's subject: {kind, id, route, label} when `can(permission)` of its page, else null. */
export function referenceLink(reference, can) {
  const m = /^(\w+):(\d+)$/.exec(reference || '');
  const page = m && REFERENCE_PAGES[m[1]];
  if (!page || !can(page.permission)) return null;
  return { kind: m[1], id: Number(m[2]), route: page.route, label: page.label };
}
