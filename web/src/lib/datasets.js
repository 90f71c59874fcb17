// Datasets (全量归集, Art. 12) and the provider's logical-access interface (Art. 12, 16): pure helpers for the pages.

export const ENDPOINT_METHODS = ['GET', 'POST'];
export const ENDPOINT_AUTHS = ['none', 'header', 'hmac'];
export const DEFAULT_TIMEOUT_MS = 2000;

/** Tag type of an interface's circuit: closed is healthy, open fails calls at once, half_open tries again. */
export function circuitTag(state) {
  return { closed: 'success', open: 'danger', half_open: 'warning' }[state] || 'info';
}

/** The columns still in use (not retired), in position order. */
export function activeColumns(columns) {
  return [...(columns || [])].filter((c) => c.retired_in == null).sort((a, b) => a.position - b.position);
}

/** Largest whole unit of an overdue time: {unit: 'days'|'hours'|'minutes', n}, or null when never loaded. */
export function overdueParts(seconds) {
  if (seconds == null) return null;
  const s = Math.max(0, Number(seconds));
  if (s >= 86400) return { unit: 'days', n: Math.floor(s / 86400) };
  if (s >= 3600) return { unit: 'hours', n: Math.floor(s / 3600) };
  return { unit: 'minutes', n: Math.floor(s / 60) };
}

/**
 * The registration form of an interface: from a GET /endpoint answer, or empty (none registered). The field map is
 * one row per item of the dataset ({item, field}; an empty field keeps the item's own name), then any mapped names
 * that are not items. The secret is never returned: it stays empty, which keeps the registered one.
 */
export function endpointForm(endpoint, itemNames = []) {
  const e = endpoint || {};
  const map = e.field_map || {};
  const rows = itemNames.map((item) => ({ item, field: map[item] && map[item] !== item ? map[item] : '' }));
  for (const [item, field] of Object.entries(map)) if (!itemNames.includes(item)) rows.push({ item, field });
  return {
    url: e.url || '',
    method: e.method || 'GET',
    key_param: e.key_param || 'key',
    field_map: rows,
    auth: e.auth || 'none',
    auth_header: e.auth_header || '',
    secret: '',
    timeout_ms: e.timeout_ms || DEFAULT_TIMEOUT_MS,
    health_url: e.health_url || '',
  };
}

const trim = (v) => (typeof v === 'string' ? v.trim() : v);

/**
 * The PUT /endpoint body of a form: only mapped items go in field_map (blank rows dropped); auth_header only with
 * header auth; the secret only when typed (empty keeps the registered one); an empty health URL is omitted.
 */
export function endpointBody(form) {
  const field_map = {};
  for (const r of form.field_map || []) {
    const item = trim(r.item);
    const field = trim(r.field);
    if (item && field) field_map[item] = field;
  }
  const body = {
    url: trim(form.url),
    method: form.method,
    key_param: trim(form.key_param) || 'key',
    field_map,
    auth: form.auth,
    timeout_ms: Number(form.timeout_ms),
  };
  if (form.auth === 'header') body.auth_header = trim(form.auth_header);
  if (form.auth !== 'none' && form.secret) body.secret = form.secret;
  if (trim(form.health_url)) body.health_url = trim(form.health_url);
  return body;
}

/** Whether the viewer registers the dataset's interface: provider staff who load its data (data.load). */
export function canManageEndpoint(dataset, { departmentId, canLoad } = {}) {
  return !!(dataset && canLoad && departmentId != null && dataset.provider_department_id === departmentId);
}
