import { http, upload } from './http.js';
import { attachmentUploadPath } from '../lib/attachments.js';

const enc = encodeURIComponent;

export const api = {
  login: (username, password) => http.post('/auth/login', { username, password }, { authRedirect: false }),
  logout: () => http.post('/auth/logout', undefined, { authRedirect: false }),
  me: () => http.get('/me', { authRedirect: false }),
  changePassword: (current_password, new_password) => http.post('/me/password', { current_password, new_password }),

  roles: () => http.get('/roles'),
  regions: () => http.get('/regions'),

  departments: (query) => http.get('/departments', { query }),
  createDepartment: (body) => http.post('/departments', body),
  updateDepartment: (id, body) => http.patch(`/departments/${enc(id)}`, body),

  users: (query) => http.get('/users', { query }),
  createUser: (body) => http.post('/users', body),
  updateUser: (id, body) => http.patch(`/users/${enc(id)}`, body),
  resetPassword: (id) => http.post(`/users/${enc(id)}/reset-password`),

  applications: (query) => http.get('/applications', { query }),
  createApplication: (body) => http.post('/applications', body),
  updateApplication: (id, body) => http.patch(`/applications/${enc(id)}`, body),
  keys: (appId) => http.get(`/applications/${enc(appId)}/keys`),
  createKey: (appId, body) => http.post(`/applications/${enc(appId)}/keys`, body),
  revokeKey: (appId, keyId) => http.del(`/applications/${enc(appId)}/keys/${enc(keyId)}`),

  // Cases (workflow) and the inbox
  cases: (query) => http.get('/cases', { query }),
  getCase: (id) => http.get(`/cases/${enc(id)}`),
  /** Fires {action, comment, version}; idempotencyKey (one per attempt, reused on retry) goes in Idempotency-Key. */
  fireTransition: (id, body, idempotencyKey) =>
    http.post(`/cases/${enc(id)}/transitions`, body, idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
  requestExtension: (id, reason) => http.post(`/cases/${enc(id)}/extensions`, { reason }),
  /** Uploads a File/Blob as the raw body; the case detail comes back (201). */
  attachFile: (id, file, filename) =>
    http.post(attachmentUploadPath(id, filename), undefined, { rawBody: file, contentType: file.type || 'application/octet-stream' }),
  /** Downloads an attachment with the session cookie: {blob, filename, sha256}. */
  downloadAttachment: (id, attachmentId) => http.get(`/cases/${enc(id)}/attachments/${enc(attachmentId)}`, { responseType: 'blob' }),
  inbox: (query) => http.get('/inbox', { query }),
  markRead: (id) => http.post(`/inbox/${enc(id)}/read`),

  // Working-day calendar and the statutory rule pack
  calendarYears: () => http.get('/calendar/years'),
  calendarYear: (year) => http.get(`/calendar/years/${enc(year)}`),
  putCalendarYear: (year, body) => http.put(`/calendar/years/${enc(year)}`, body),
  addWorkingDays: (from, days) => http.get('/calendar/add-working-days', { query: { from, days } }),
  workingDays: (from, to) => http.get('/calendar/working-days', { query: { from, to } }),
  rules: () => http.get('/rules'),

  // Department webhooks (webhook.manage)
  webhooks: (deptId) => http.get(`/departments/${enc(deptId)}/webhooks`),
  createWebhook: (deptId, url) => http.post(`/departments/${enc(deptId)}/webhooks`, { url }),
  deleteWebhook: (deptId, webhookId) => http.del(`/departments/${enc(deptId)}/webhooks/${enc(webhookId)}`),
  webhookDeliveries: (deptId, webhookId, query) => http.get(`/departments/${enc(deptId)}/webhooks/${enc(webhookId)}/deliveries`, { query }),

  // Catalog (目录): reference lists, search, entries and their lifecycle, negative list, responsibilities, findings
  catalogVocabulary: () => http.get('/catalog/vocabulary'),
  catalogElements: () => http.get('/catalog/elements'),
  catalogDatabases: () => http.get('/catalog/databases'),
  /** {q, provider, region, share_type, ..., scope, state, offset, limit} -> {total, offset, limit, items, facets}. */
  catalogSearch: (query) => http.get('/catalog/search', { query }),
  /** Every broken compilation rule of content, nothing saved: {ok, errors:[{field, rule, article, message}]}. */
  catalogCheck: (content, entryId) => http.post('/catalog/check', entryId ? { content, entry_id: Number(entryId) } : { content }),
  createCatalogEntry: (content) => http.post('/catalog/entries', { content }),
  catalogEntry: (id) => http.get(`/catalog/entries/${enc(id)}`),
  saveCatalogDraft: (id, body) => http.put(`/catalog/entries/${enc(id)}/draft`, body),
  discardCatalogDraft: (id, entryVersion) => http.del(`/catalog/entries/${enc(id)}/draft`, { query: { entry_version: entryVersion } }),
  submitCatalogEntry: (id, entryVersion) => http.post(`/catalog/entries/${enc(id)}/submit`, { entry_version: entryVersion }),
  /** {decision: 'approve'|'return', comment}; a return needs a comment. */
  reviewCatalogEntry: (id, body) => http.post(`/catalog/entries/${enc(id)}/review`, body),
  /** {date, reason: 'law'|'duty'|'other', description}: opens a catalog_update case -> {case}. */
  recordCatalogChange: (id, body) => http.post(`/catalog/entries/${enc(id)}/changes`, body),
  withdrawCatalogEntry: (id, reason) => http.post(`/catalog/entries/${enc(id)}/withdrawal`, { reason }),
  /** {kind: 'list'|'revoke', legal_basis, reason}: a negative_list case. */
  applyNegativeList: (id, body) => http.post(`/catalog/entries/${enc(id)}/negative-list`, body),
  catalogVersions: (id) => http.get(`/catalog/entries/${enc(id)}/versions`),
  catalogDiff: (id, from, to) => http.get(`/catalog/entries/${enc(id)}/diff`, { query: { from, to } }),
  negativeList: () => http.get('/catalog/negative-list'),
  negativeListApplications: () => http.get('/catalog/negative-list/applications'),
  responsibilities: () => http.get('/catalog/responsibilities'),
  findings: () => http.get('/catalog/findings'),
  scanFindings: () => http.post('/catalog/findings/scan'),
  dismissFinding: (id, reason) => http.post(`/catalog/findings/${enc(id)}/dismiss`, { reason }),
  rectifyFinding: (id, note) => http.post(`/catalog/findings/${enc(id)}/rectify`, { note }),
  /**
   * Imports a file as drafts, all or nothing: the CSV template (contentType 'text/csv') or {"entries":[…]}
   * ('application/json'); submit=true sends them for review at once -> {imported, entry_ids, submitted} (201), or
   * 422 import_rejected with every problem in `errors` ({row, field, rule, article, message}).
   */
  importCatalog: (file, contentType, submit) =>
    http.post('/catalog/import', undefined, { rawBody: file, contentType, query: { submit: submit ? 'true' : undefined } }),
  /** Data elements (数据元) and base/thematic databases (基础库/主题库): catalog.manage at province level. */
  createCatalogElement: (body) => http.post('/catalog/elements', body),
  /** body carries the element's `version`. */
  updateCatalogElement: (id, body) => http.put(`/catalog/elements/${enc(id)}`, body),
  /** {name, kind: base|thematic, keeper_department_id, description} -> {items}: every database. */
  putCatalogDatabase: (code, body) => http.put(`/catalog/databases/${enc(code)}`, body),

  // Sharing (共享申请, Art. 14-17) and grants (授权)
  /** {entry_id, application_id, items, scenario, accept_commitments} (201). */
  createShareRequest: (body) => http.post('/requests', body),
  /** {as: requester|provider|authority|all, state, cursor} -> {items, next_cursor}. */
  shareRequests: (query) => http.get('/requests', { query }),
  shareRequest: (id) => http.get(`/requests/${enc(id)}`),
  /** {decision: 'yes'|'terms'|'no', reasons, terms?}. */
  answerShareRequest: (id, body) => http.post(`/requests/${enc(id)}/answer`, body),
  objectShareRequest: (id, reason) => http.post(`/requests/${enc(id)}/objection`, { reason }),
  /** {decision: 'uphold'|'order', reasons, terms?}. */
  decideShareRequest: (id, body) => http.post(`/requests/${enc(id)}/decision`, body),
  /** {as: consumer|provider|all, entry_id, cursor, sort: created_at|valid_to|status (- before: descending)} -> {items, next_cursor}. */
  grants: (query) => http.get('/grants', { query }),
  grant: (id) => http.get(`/grants/${enc(id)}`),
  /** action: suspend|resume|revoke, with a reason. */
  changeGrantStatus: (id, action, reason) => http.post(`/grants/${enc(id)}/${action}`, { reason }),
  /** Requests for national or other-province data (Art. 17): {application_id, level, holder, resource, items, scenario, accept_commitments} (201). */
  createOutwardRequest: (body) => http.post('/requests/outward', body),
  /** {as: requester|authority|all, state, cursor} -> {items, next_cursor}. */
  outwardRequests: (query) => http.get('/requests/outward', { query }),
  outwardRequest: (id) => http.get(`/requests/outward/${enc(id)}`),

  // Datasets (全量归集, Art. 12) and the provider's interface for logical access
  /** {q, cursor, sort: id|name|resource_code|row_count|last_load_at (- before: descending)} -> {items, next_cursor}: datasets with counts, last load and `stale`. */
  datasets: (query) => http.get('/datasets', { query }),
  /** As datasets, only those loaded less often than their update frequency (overdue_seconds, null: never loaded). */
  staleDatasets: (query) => http.get('/datasets/stale', { query }),
  dataset: (id) => http.get(`/datasets/${enc(id)}`),
  /** The registered interface (no secret) and its circuit; 404 when none is registered. */
  datasetEndpoint: (id) => http.get(`/datasets/${enc(id)}/endpoint`),
  putDatasetEndpoint: (id, body) => http.put(`/datasets/${enc(id)}/endpoint`, body),
  /**
   * Replaces the dataset with a full snapshot (a File): query {format, encoding, mode}; onProgress(loaded, total) as it
   * is sent -> the load report (200), or 422 rows_rejected (reject mode, nothing loaded) with the rejections in `errors`.
   */
  loadDataset: (id, file, { contentType, query, onProgress, signal } = {}) =>
    upload('POST', `/datasets/${enc(id)}/loads`, { rawBody: file, contentType, query, onProgress, signal }),
  /** Calls the health URL now: {healthy, latency_ms | error}. */
  checkDatasetEndpoint: (id) => http.post(`/datasets/${enc(id)}/endpoint/check`),

  /** The dashboard's platform-wide counts (Art. 28): {catalog, requests, data_calls, overdue_by_department}. */
  dashboard: (query) => http.get('/stats/dashboard', { query }),

  // The audit log (Art. 25, 27, 30): records for auditors; heads, key and proofs for anyone who verifies
  /** {from_us, to_us, actor_id, department_id, action, decision, grant_id, order: asc|desc, limit, cursor} -> {items, next_cursor}. */
  auditRecords: (query) => http.get('/audit/records', { query }),
  auditRecord: (leafIndex) => http.get(`/audit/records/${enc(leafIndex)}`),
  /** The latest signed tree head: {tree_size, root_hash, timestamp_ms, timestamp, signature, signed_message}. */
  auditSth: () => http.get('/audit/sth'),
  /** {algorithm: 'Ed25519', public_key} (hex). */
  auditKey: () => http.get('/audit/key'),
  /** {leaf_index, tree_size, leaf_hash, audit_path: [hex…]}. */
  auditInclusion: (leafIndex, treeSize) => http.get('/audit/proof/inclusion', { query: { leaf_index: leafIndex, tree_size: treeSize } }),
};
