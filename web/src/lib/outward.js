// Requests for national or other-province data (Art. 17): the provincial authority reviews them and forwards them
// out, records the holder's answer or rejects — as transitions of their share_outward case. Pure helpers.
import { emptyRequestForm } from './sharing.js';

/** Who holds the data: a ministry (national) or another province. */
export const OUTWARD_LEVELS = ['national', 'other_province'];
/** The states of a request, mirroring its share_outward case. */
export const OUTWARD_STATES = ['reviewing', 'forwarded', 'answered', 'rejected'];
/** The list tabs and the `as` they query with: the requester's department, the provincial authority. */
export const OUTWARD_TABS = ['requester', 'authority'];

/** Tag type of an outward request's state. */
export function outwardStateTag(state) {
  return { forwarded: 'warning', answered: 'success', rejected: 'danger' }[state] || 'primary';
}

/** An empty "new request" form: the scenario fields of the request wizard plus level, holder, resource, items. */
export function emptyOutwardForm() {
  return { ...emptyRequestForm(), level: 'national', holder: '', resource: '', items: [] };
}

const trim = (v) => (typeof v === 'string' ? v.trim() : v);

/** The POST /requests/outward body of a form: texts trimmed, items trimmed, blank and repeated ones dropped. */
export function outwardBody(form) {
  const scenario = {
    purpose: trim(form.purpose),
    legal_basis: trim(form.legal_basis),
    scope: trim(form.scope),
    manner: form.manner,
    volume_per_day: Number(form.volume_per_day),
    validity_days: Number(form.validity_days),
  };
  if (trim(form.service_matter)) scenario.service_matter = trim(form.service_matter);
  const items = [...new Set((form.items || []).map(trim).filter(Boolean))];
  return {
    application_id: Number(form.application_id),
    level: form.level,
    holder: trim(form.holder),
    resource: trim(form.resource),
    items,
    scenario,
    accept_commitments: !!form.accept_commitments,
  };
}
