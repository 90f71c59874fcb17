import { http } from './http.js';
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
};
