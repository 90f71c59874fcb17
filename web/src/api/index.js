import { http } from './http.js';

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
};
