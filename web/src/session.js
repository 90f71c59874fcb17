// The signed-in user, as told by GET /api/v1/me. Plain reactive state: no store library needed.
import { reactive, computed } from 'vue';
import { api } from './api/index.js';
import { setCsrfFallback } from './api/http.js';

export const session = reactive({
  me: null, // {kind, user:{...}, permissions:[...], session:{expires_at}}
  loaded: false,
  lastAuthCode: null, // code of the last 401 from /me (unauthenticated | session_expired)
});

export const user = computed(() => (session.me && session.me.user) || null);
export const permissions = computed(() => new Set((session.me && session.me.permissions) || []));

export function can(perm) {
  return permissions.value.has(perm);
}
export function canAny(perms) {
  return perms.some((p) => permissions.value.has(p));
}

/** Permissions that make the Administration menu appear (reading regions/departments alone does not). */
export const ADMIN_PERMISSIONS = [
  'department.create',
  'department.update',
  'user.read',
  'user.create',
  'user.update',
  'application.read',
  'application.create',
  'application.update',
  'apikey.create',
  'apikey.revoke',
];
export const hasAdminAccess = () => canAny(ADMIN_PERMISSIONS);

/** Loads /me; returns true when signed in. Errors other than 401 propagate. */
export async function loadMe() {
  try {
    session.me = await api.me();
    return true;
  } catch (e) {
    if (e && e.status === 401) {
      session.me = null;
      session.lastAuthCode = e.code;
      return false;
    }
    throw e;
  } finally {
    session.loaded = true;
  }
}

export async function login(username, password) {
  const res = await api.login(username, password);
  setCsrfFallback(res && res.csrf_token);
  // /me carries the permissions; the login response has only the user.
  await loadMe();
  if (!session.me) session.me = { kind: 'user', user: res.user, permissions: [], session: { expires_at: res.expires_at } };
  return session.me;
}

export async function logout() {
  try {
    await api.logout();
  } finally {
    clear();
  }
}

export function clear() {
  session.me = null;
  session.loaded = true;
  setCsrfFallback(null);
}
