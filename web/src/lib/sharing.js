// Sharing requests (共享申请, Art. 14-17) and grants (授权): pure helpers for the portal pages.

/** The manners of use a scenario may declare. */
export const MANNERS = ['lookup', 'verify', 'bulk', 'subscribe', 'aggregate'];
/** The request states (those of its share_conditional case; unconditional requests are granted at once). */
export const REQUEST_STATES = ['routing', 'answering', 'providing', 'refused', 'coordination', 'granted', 'rejected', 'closed'];
/** The list tabs of 共享申请 and 授权 and the `as` they query with. */
export const REQUEST_TABS = ['requester', 'provider', 'authority'];
export const GRANT_TABS = ['consumer', 'provider'];

/** Tag type of a request state. */
export function requestStateTag(state) {
  if (state === 'granted') return 'success';
  if (state === 'refused' || state === 'rejected') return 'danger';
  if (state === 'coordination') return 'warning';
  if (state === 'closed') return 'info';
  return 'primary';
}

/** Tag type of a grant status. */
export function grantStatusTag(status) {
  return { active: 'success', suspended: 'warning', revoked: 'info' }[status] || 'info';
}

/** Whether the viewer may request a catalog entry: a requester, the entry published, shared and not withdrawn. */
export function canRequestEntry(entry, canRequest) {
  if (!canRequest || !entry || !entry.published || entry.withdrawn || entry.on_negative_list) return false;
  const c = entry.published.content || {};
  return c.share_type !== 'not_shared';
}

/** An empty wizard form; items preselected: every item of the entry. */
export function emptyRequestForm(itemNames = []) {
  return {
    application_id: null,
    items: [...itemNames],
    purpose: '',
    legal_basis: '',
    scope: '',
    manner: 'lookup',
    volume_per_day: 1000,
    validity_days: 365,
    service_matter: '',
    accept_commitments: false,
  };
}

const trim = (v) => (typeof v === 'string' ? v.trim() : v);

/** The POST /requests body of a wizard form. */
export function requestBody(entryId, form) {
  const scenario = {
    purpose: trim(form.purpose),
    legal_basis: trim(form.legal_basis),
    scope: trim(form.scope),
    manner: form.manner,
    volume_per_day: Number(form.volume_per_day),
    validity_days: Number(form.validity_days),
  };
  if (trim(form.service_matter)) scenario.service_matter = trim(form.service_matter);
  return {
    entry_id: Number(entryId),
    application_id: Number(form.application_id),
    items: [...form.items],
    scenario,
    accept_commitments: !!form.accept_commitments,
  };
}

/** The wizard step (0 application, 1 items, 2 scenario, 3 commitments) a server error field belongs to. */
export function wizardStepOf(field) {
  const f = String(field || '').replace(/^\//, '').replace(/\//g, '.');
  if (f.startsWith('application_id')) return 0;
  if (f.startsWith('items')) return 1;
  if (f.startsWith('scenario')) return 2;
  if (f.startsWith('accept_commitments')) return 3;
  return null;
}

/** Application choices: the department's applications, else those its requests were made for (ids only). */
export function applicationOptions(applications, requests) {
  if (applications && applications.length) return applications.map((a) => ({ value: a.id, label: `${a.name}（#${a.id}）` }));
  const ids = [...new Set((requests || []).map((r) => r.application_id).filter((x) => x != null))].sort((a, b) => a - b);
  return ids.map((id) => ({ value: id, label: `#${id}` }));
}

/** The narrower terms of an answer or decision form: {items, validity_days, volume_per_day}. */
export function termsBody(form) {
  return { items: [...form.items], validity_days: Number(form.validity_days), volume_per_day: Number(form.volume_per_day) };
}

/**
 * The request-specific actions the viewer may take, given the request, its case view ({case, available_actions}) and
 * the viewer ({departmentId, canAct, atAuthority}): answer (provider staff while answering), object (the requester after
 * a refusal), decide (the authority during coordination). Generic case transitions come from available_actions.
 */
export function requestActions(req, view, { departmentId, canAct, atAuthority } = {}) {
  const none = { answer: false, object: false, decide: false };
  if (!req || !canAct) return none;
  const c = (view && view.case) || {};
  const responsible = c.responsible_department_id != null ? c.responsible_department_id === departmentId : null;
  return {
    answer: req.state === 'answering' && req.provider_department_id === departmentId && responsible !== false,
    object: req.state === 'refused' && req.requester_department_id === departmentId,
    decide: req.state === 'coordination' && !!atAuthority && responsible !== false,
  };
}

/** Case transitions fired generically from the request page (the others have their own forms). */
export const GENERIC_ACTIONS = ['route_up', 'forward', 'reject', 'accept_refusal', 'provide'];

/** The grant status changes the viewer may make: suspend/revoke an active grant, resume/revoke a suspended one. */
export function grantActions(grant, { departmentId, canAct, atAuthority } = {}) {
  if (!grant || !canAct || grant.status === 'revoked') return [];
  if (!(atAuthority || grant.provider_department_id === departmentId)) return [];
  return grant.status === 'suspended' ? ['resume', 'revoke'] : ['suspend', 'revoke'];
}

/** A grant's (or a request's) catalog entry as people know it: its name and resource code; its id when unnamed. */
export function entryLabel(g) {
  if (!g) return '';
  if (!g.entry_name) return `#${g.entry_id}`;
  return g.resource_code ? `${g.entry_name}（${g.resource_code}）` : g.entry_name;
}

/** A grant's (or a request's) application as people know it: its name; its id when the server gave none. */
export function applicationLabel(g) {
  if (!g || g.application_id == null) return '';
  return g.application_name || `#${g.application_id}`;
}
