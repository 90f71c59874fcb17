// Pure helpers of the catalog (目录) pages: value labels, search queries and facets, compilation-rule violations on
// form fields, version diffs, information items from data elements, and the actions an entry offers its viewer.

// ---- value lists ----

/** Security levels from lowest to highest (GB/T 43697-2024); `classified` never enters the platform (Art. 2). */
export const LEVELS = Object.freeze(['general1', 'general2', 'general3', 'general4', 'important', 'core']);

/** Rank of a level (higher is stricter); -1 for an unknown or empty level. */
export const levelRank = (level) => LEVELS.indexOf(level);

/** The highest level among the items, or '' when no item has a known level. */
export function highestItemLevel(items) {
  let best = '';
  for (const item of items || []) if (levelRank(item && item.level) > levelRank(best)) best = item.level;
  return best;
}

/** Element Plus tag type per level: the stricter, the warmer. */
export function levelTagType(level) {
  const r = levelRank(level);
  if (r >= 5) return 'danger';
  if (r === 4) return 'warning';
  return 'info';
}

/** GET /catalog/vocabulary ({field: [{value, label}]}) -> {field: {value: label}}. */
export function vocabularyMaps(vocab) {
  const out = {};
  for (const [field, list] of Object.entries(vocab || {})) {
    if (!Array.isArray(list)) continue;
    out[field] = {};
    for (const c of list) if (c && c.value !== undefined) out[field][c.value] = c.label || c.value;
  }
  return out;
}

/**
 * A label maker for catalog values. In Chinese the server's vocabulary label comes first (it is the national
 * template's wording); in other locales the portal's translation `catalog.vocab.<field>.<value>` does. Either falls
 * back to the other, then to the value itself.
 */
export function makeValueLabel(maps, { locale, t, te }) {
  return (field, value) => {
    if (value === undefined || value === null || value === '') return '';
    const key = `catalog.vocab.${field}.${value}`;
    const server = maps && maps[field] && maps[field][value];
    const translated = te && te(key) ? t(key) : '';
    if (locale === 'zh-CN') return server || translated || String(value);
    return translated || server || String(value);
  };
}

// ---- search ----

/** The filters of the search page, each a query parameter of GET /catalog/search and a facet of its answer. */
export const SEARCH_FILTERS = Object.freeze(['provider', 'region', 'share_type', 'security_level', 'database', 'format', 'update_frequency']);

export const DEFAULT_PAGE_SIZE = 20;

/**
 * The query of GET /catalog/search for the applied filters and a 1-based page: blank values are left out, the text
 * is trimmed, offset = (page - 1) × size.
 */
export function searchQuery(applied, page = 1, pageSize = DEFAULT_PAGE_SIZE) {
  const q = {};
  for (const [k, v] of Object.entries(applied || {})) {
    if (v === undefined || v === null) continue;
    const s = typeof v === 'string' ? v.trim() : v;
    if (s === '') continue;
    q[k] = s;
  }
  const size = Math.max(1, Math.min(100, Number(pageSize) || DEFAULT_PAGE_SIZE));
  const p = Math.max(1, Math.floor(Number(page) || 1));
  q.offset = (p - 1) * size;
  q.limit = size;
  return q;
}

/** The server accepts offsets up to 10000: the last page the pager may offer. */
export const MAX_OFFSET = 10000;
export function pageCount(total, pageSize = DEFAULT_PAGE_SIZE) {
  const size = Math.max(1, Number(pageSize) || DEFAULT_PAGE_SIZE);
  const reachable = Math.floor(MAX_OFFSET / size) + 1;
  return Math.min(Math.ceil((Number(total) || 0) / size), reachable);
}

/**
 * The options of one filter from the search answer's facets ([{value, count, label?}]): label by labelOf(value),
 * else the facet's own label, else the value; most matches first, then by label. A selected value without matches is
 * kept (count 0) so that the select still shows what is applied.
 */
export function facetOptions(facets, key, labelOf, selected) {
  const list = (facets && Array.isArray(facets[key]) ? facets[key] : []).map((f) => ({
    value: String(f.value),
    count: Number(f.count) || 0,
    label: (labelOf && labelOf(String(f.value))) || f.label || String(f.value),
  }));
  if (selected !== undefined && selected !== null && selected !== '' && !list.some((o) => o.value === String(selected))) {
    const v = String(selected);
    list.push({ value: v, count: 0, label: (labelOf && labelOf(v)) || v });
  }
  return list.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'zh-CN'));
}

/** "河北省公安厅 (5)". */
export const facetText = (option) => `${option.label} (${option.count})`;

// ---- entry content and its form ----

export const ITEM_FIELDS = Object.freeze(['name', 'element', 'data_type', 'length', 'key', 'personal', 'level']);
const LIST_FIELDS = ['keywords', 'share_methods', 'scope_of_use', 'databases', 'related_codes'];
const TEXT_FIELDS = ['name', 'classification', 'abstract', 'format', 'subject', 'share_type', 'share_condition', 'legal_basis', 'open_attribute', 'open_condition', 'update_frequency'];
/** Every field of EntryContent (docs/openapi.json), in the order of the form. */
export const CONTENT_FIELDS = Object.freeze([...TEXT_FIELDS, 'security_level', ...LIST_FIELDS, 'non_classified', 'items']);

export const emptyItem = () => ({ name: '', element: '', data_type: '', length: 0, key: false, personal: false, level: 'general1' });

/** A blank entry: the form's starting point. */
export function emptyContent() {
  const c = {};
  for (const f of TEXT_FIELDS) c[f] = '';
  for (const f of LIST_FIELDS) c[f] = [];
  c.security_level = '';
  c.non_classified = false;
  c.items = [];
  return c;
}

/** The form model of a stored version's content: every field present, lists copied. */
export function contentToForm(content) {
  const c = emptyContent();
  const src = content || {};
  for (const f of TEXT_FIELDS) c[f] = typeof src[f] === 'string' ? src[f] : '';
  for (const f of LIST_FIELDS) c[f] = Array.isArray(src[f]) ? [...src[f]] : [];
  c.security_level = src.security_level || '';
  c.non_classified = !!src.non_classified;
  c.items = (Array.isArray(src.items) ? src.items : []).map((i) => ({ ...emptyItem(), ...i, element: i.element || '', data_type: i.data_type || '', length: Number(i.length) || 0 }));
  return c;
}

/**
 * The EntryContent sent to the server from the form: text trimmed, blank list entries dropped, an empty security
 * level as null, lengths as integers.
 */
export function formToContent(form) {
  const f = form || {};
  const out = {};
  for (const k of TEXT_FIELDS) out[k] = typeof f[k] === 'string' ? f[k].trim() : '';
  for (const k of LIST_FIELDS) out[k] = (Array.isArray(f[k]) ? f[k] : []).map((v) => String(v).trim()).filter((v) => v !== '');
  out.security_level = f.security_level ? f.security_level : null;
  out.non_classified = !!f.non_classified;
  out.items = (Array.isArray(f.items) ? f.items : []).map((i) => ({
    name: String(i.name || '').trim(),
    element: String(i.element || '').trim(),
    data_type: i.data_type || '',
    length: Math.max(0, Math.floor(Number(i.length) || 0)),
    key: !!i.key,
    personal: !!i.personal,
    level: i.level || 'general1',
  }));
  return out;
}

/** "an18" -> 18, "c..50" -> 50, "n1" -> 1; anything else (dates have none) -> 0. */
export function representationLength(representation) {
  const m = /^(?:an|a|n|c)(?:\.\.)?(\d{1,6})$/.exec(String(representation || ''));
  return m ? Number(m[1]) : 0;
}

/**
 * An information item after choosing a data element: the element's id, data type, length (from its
 * representation), personal flag and default level; the item's name when it has none. Without an element the item
 * keeps what it has and loses only the element id.
 */
export function itemWithElement(item, element) {
  const base = { ...emptyItem(), ...(item || {}) };
  if (!element) return { ...base, element: '' };
  return {
    ...base,
    name: base.name && base.name.trim() ? base.name : element.name || '',
    element: element.id,
    data_type: element.data_type || base.data_type,
    length: representationLength(element.representation),
    personal: !!element.personal,
    level: element.default_level || base.level,
  };
}

// ---- compilation-rule violations ----

/** "/content/items/2/level" -> "items.2.level"; "/name" -> "name"; "" or "/content" -> "" (the whole entry). */
export function violationPath(pointer) {
  if (typeof pointer !== 'string' || pointer === '' || pointer === '/') return '';
  let parts = pointer
    .replace(/^\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts[0] === 'content') parts = parts.slice(1);
  return parts.join('.');
}

/**
 * Whether the form shows messages at this key: a content field ("security_level"), an item ("items.2") or an item's
 * field ("items.2.level") of an item that exists.
 */
export function isFormField(key, itemCount) {
  if (CONTENT_FIELDS.includes(key)) return true;
  const m = /^items\.(\d+)(?:\.([a-z_]+))?$/.exec(key || '');
  if (!m || Number(m[1]) >= itemCount) return false;
  return m[2] === undefined || ITEM_FIELDS.includes(m[2]);
}

/**
 * Places each violation on the form field it belongs to: the longest prefix of its path the form shows
 * ("databases.0" -> "databases", "items.7.level" -> "items" when there are fewer items); what fits no field goes
 * to "" (shown above the form). Returns {key: [violation, ...]} in the server's order.
 */
export function groupViolations(errors, itemCount = 0) {
  const out = {};
  for (const v of errors || []) {
    if (!v || typeof v !== 'object') continue;
    const parts = violationPath(v.field).split('.').filter((p) => p !== '');
    let key = '';
    for (let n = parts.length; n > 0; n--) {
      const k = parts.slice(0, n).join('.');
      if (isFormField(k, itemCount)) {
        key = k;
        break;
      }
    }
    (out[key] || (out[key] = [])).push(v);
  }
  return out;
}

/** Violations of one item (its own and its fields'), for the items table's row marks. */
export function itemViolations(grouped, index) {
  const prefix = `items.${index}`;
  return Object.entries(grouped || {})
    .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
    .flatMap(([, list]) => list);
}

/**
 * The text of a violation for the current locale: in Chinese the server's message (it names the values); elsewhere
 * the portal's translation of the rule `catalog.rules.<rule>` when there is one, else the server's message.
 */
export function violationText(v, { locale, t, te }) {
  if (!v) return '';
  const key = `catalog.rules.${v.rule}`;
  if (locale !== 'zh-CN' && v.rule && te && te(key)) return t(key);
  return v.message || v.rule || '';
}

// ---- versions and diffs ----

/**
 * The rows of GET /catalog/entries/{id}/diff `changes` ([{field, before, after}], items matched by name as
 * "/items/<name>/<field>"): {key, field, item, attr, kind} where kind is 'changed', 'added' (before null) or
 * 'removed' (after null), `field` the content field ("items" for items), `item` the item name and `attr` the
 * item's field (null for a whole item).
 */
export function diffRows(changes) {
  return (changes || []).map((c, i) => {
    const parts = String(c.field || '')
      .replace(/^\//, '')
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const before = c.before === undefined ? null : c.before;
    const after = c.after === undefined ? null : c.after;
    const kind = before === null && after !== null ? 'added' : after === null && before !== null ? 'removed' : 'changed';
    if (parts[0] === 'items' && parts.length >= 2) {
      return { key: `${i}:${c.field}`, field: 'items', item: parts[1], attr: parts.length > 2 ? parts.slice(2).join('/') : null, kind, before, after };
    }
    return { key: `${i}:${c.field}`, field: parts.join('/'), item: null, attr: null, kind, before, after };
  });
}

/** The fields whose values come from GET /catalog/vocabulary, and the vocabulary of items' `level`. */
export const VOCAB_FIELDS = Object.freeze(['data_type', 'format', 'open_attribute', 'security_level', 'share_methods', 'share_type', 'subject', 'update_frequency']);
const VOCAB_OF = { level: 'security_level' };

/**
 * A version value as text: null/'' as the empty mark, booleans as yes/no, lists joined with "、", vocabulary values
 * through labelOf(field, value), a whole item as "name · type length · level". `words` = {yes, no, none}.
 */
export function formatValue(value, field, labelOf, words = { yes: '是', no: '否', none: '—' }) {
  const label = (f, v) => {
    const vocab = VOCAB_OF[f] || f;
    return (VOCAB_FIELDS.includes(vocab) && labelOf && labelOf(vocab, v)) || String(v);
  };
  if (value === null || value === undefined || value === '') return words.none;
  if (typeof value === 'boolean') return value ? words.yes : words.no;
  if (Array.isArray(value)) return value.length ? value.map((v) => label(field, v)).join('、') : words.none;
  if (typeof value === 'object') {
    const parts = [value.name || ''];
    const type = value.data_type ? `${label('data_type', value.data_type)}${value.length ? ` ${value.length}` : ''}` : '';
    if (type) parts.push(type);
    if (value.level) parts.push(label('security_level', value.level));
    return parts.filter(Boolean).join(' · ');
  }
  return label(field, value);
}

/** The version a diff starts from by default: the one before `to` among the listed numbers, or null. */
export function previousVersion(numbers, to) {
  const earlier = (numbers || []).filter((n) => n < to).sort((a, b) => b - a);
  return earlier.length ? earlier[0] : null;
}

// ---- what the viewer may do ----

/**
 * The actions an entry offers the viewer now (the server still decides; a refusal is shown):
 *   edit       — catalog managers of the provider: a draft, a returned version, or a published entry (next version);
 *   submit     — a draft or returned version of their own;
 *   discard    — drop that unsubmitted draft;
 *   review     — reviewers, while a version is in review;
 *   change     — record a change of law or duty on a published entry (Art. 9);
 *   withdraw   — apply to withdraw a published entry without a draft;
 *   negative   — 'list' or 'revoke' on the negative list (Art. 11), when no other catalog case is open; a draft
 *                may apply too, since a not-shared entry is published only once listed.
 * `viewer` = {canCompile, canReview, departmentId}.
 */
export function entryActions(entry, viewer) {
  const none = { edit: false, submit: false, discard: false, review: false, change: false, withdraw: false, negative: null };
  if (!entry || !viewer) return none;
  const own = !!viewer.canCompile && entry.provider && entry.provider.department_id === viewer.departmentId;
  const state = entry.working ? entry.working.state : null;
  const unsubmitted = state === 'draft' || state === 'returned';
  const inReview = state === 'in_review';
  const published = entry.published_version != null;
  const live = own && !entry.withdrawn;
  return {
    edit: live && !inReview,
    submit: live && unsubmitted,
    discard: live && unsubmitted,
    review: !!viewer.canReview && inReview && !entry.withdrawn,
    change: live && published && !entry.open_case,
    withdraw: live && published && !entry.open_case && !entry.working,
    negative: live && !entry.open_case && !inReview ? (entry.on_negative_list ? 'revoke' : 'list') : null,
  };
}

/** The version shown first on the detail page: the working one for those who see it, else the published one. */
export function shownVersion(entry) {
  if (!entry) return null;
  return entry.working || entry.published || null;
}

/** The entry id of a case's `catalog_entry:<id>` reference, or null. */
export function entryIdOfReference(reference) {
  const m = /^catalog_entry:(\d+)$/.exec(reference || '');
  return m ? Number(m[1]) : null;
}
