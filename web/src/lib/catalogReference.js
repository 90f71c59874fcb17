// The catalog's provincial reference data (Art. 5, 13): data elements (数据元) and base/thematic databases
// (基础库/主题库). The checks mirror CatalogService::PutElement and ::PutDatabase; the server stays authoritative.
import { LEVELS } from './catalog.js';

/** Two capital letters and 4-8 digits, e.g. DE0001. */
export const ELEMENT_ID_RE = /^[A-Z]{2}[0-9]{4,8}$/;
/** a, n, an or c, optionally "..", then a length of 1-6 digits (an18, c..50). */
export const REPRESENTATION_RE = /^(?:an|a|n|c)(?:\.\.)?[0-9]{1,6}$/;
/** 2-40 characters: a lower-case letter, then lower-case letters, digits or '_'. */
export const DATABASE_CODE_RE = /^[a-z][a-z0-9_]{1,39}$/;
/** Names of elements and databases: 1-50 characters. */
export const MAX_NAME = 50;
export const MAX_TEXT = 500;

/** ValidationRules() in src/catalog/element_rules.cpp (none is allowed too). */
export const VALIDATION_RULES = Object.freeze(['resident_id', 'credit_code', 'division_code', 'mobile', 'date', 'datetime']);
/** MaskRules() in src/exchange/masking.cpp (none is allowed too). */
export const MASK_RULES = Object.freeze(['name', 'resident_id', 'mobile', 'landline', 'address', 'email', 'bank_card', 'date', 'hash', 'null', 'generalise']);
export const DATABASE_KINDS = Object.freeze(['base', 'thematic']);

export const isElementId = (s) => typeof s === 'string' && ELEMENT_ID_RE.test(s);
export const isRepresentation = (s) => typeof s === 'string' && REPRESENTATION_RE.test(s);
export const isDatabaseCode = (s) => typeof s === 'string' && DATABASE_CODE_RE.test(s);
/** A required name: not blank and at most MAX_NAME characters (code points, as the server counts). */
export const isName = (s) => typeof s === 'string' && s.trim() !== '' && [...s.trim()].length <= MAX_NAME;

/**
 * Whether the viewer may add and change data elements and databases: catalog.manage is held by platform
 * administrators (everywhere) and authority heads (their region and below), and these lists are provincial, so an
 * authority head passes only in the province's own region (the root of `regions`).
 */
export function canManageReference(user, can, regions) {
  if (!user || !can('catalog.manage')) return false;
  if ((user.roles || []).includes('platform_admin')) return true;
  const region = (regions || []).find((r) => r.id === user.region_id);
  return !!region && (region.parent_id === null || region.parent_id === undefined || region.parent_id === '');
}

export const emptyElement = () => ({ id: '', name: '', definition: '', data_type: 'C', representation: '', value_domain: '', validation: '', personal: false, default_level: 'general1', default_mask: '' });

/** The form model of a listed element. */
export function elementToForm(e) {
  const out = emptyElement();
  for (const k of Object.keys(out)) if (e && e[k] !== undefined && e[k] !== null) out[k] = e[k];
  if (!LEVELS.includes(out.default_level)) out.default_level = 'general1';
  return out;
}

/**
 * The body of POST /catalog/elements (with the id) or, given the stored version, of PUT /catalog/elements/{id} (the
 * whole element, which the server replaces, and its version): text trimmed.
 */
export function elementBody(form, version) {
  const f = form || {};
  const s = (k) => String(f[k] ?? '').trim();
  const body = {
    name: s('name'),
    definition: s('definition'),
    data_type: s('data_type'),
    representation: s('representation'),
    value_domain: s('value_domain'),
    validation: s('validation'),
    personal: !!f.personal,
    default_level: s('default_level') || 'general1',
    default_mask: s('default_mask'),
  };
  return version === undefined || version === null ? { id: s('id'), ...body } : { ...body, version: Number(version) };
}

export const emptyDatabase = () => ({ code: '', name: '', kind: 'thematic', keeper_department_id: null, description: '' });

export function databaseToForm(d) {
  const out = emptyDatabase();
  for (const k of Object.keys(out)) if (d && d[k] !== undefined && d[k] !== null) out[k] = d[k];
  return out;
}

/** The body of PUT /catalog/databases/{code} (the code goes in the path). */
export function databaseBody(form) {
  const f = form || {};
  return {
    name: String(f.name ?? '').trim(),
    kind: f.kind,
    keeper_department_id: Number(f.keeper_department_id),
    description: String(f.description ?? '').trim(),
  };
}

/** Rows whose listed fields contain the needle (case-insensitive); all rows for a blank needle. */
export function filterRows(rows, needle, fields) {
  const q = String(needle || '').trim().toLowerCase();
  if (!q) return rows || [];
  return (rows || []).filter((r) => fields.some((f) => String(r[f] ?? '').toLowerCase().includes(q)));
}
