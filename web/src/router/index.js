import { createRouter, createWebHistory } from 'vue-router';
import { ElMessage } from 'element-plus';
import { session, loadMe, can, hasAdminAccess, clear } from '../session.js';
import { onUnauthorized } from '../api/http.js';
import { i18n, errorText } from '../i18n/index.js';
import MainLayout from '../layouts/MainLayout.vue';
import LoginView from '../views/LoginView.vue';

// Administration pages, each at /admin/<name> and titled menu.<name>: [name, view, permission needed].
const ADMIN_PAGES = [
  ['regions', () => import('../views/admin/RegionsView.vue'), 'region.read'],
  ['departments', () => import('../views/admin/DepartmentsView.vue'), 'department.read'],
  ['users', () => import('../views/admin/UsersView.vue'), 'user.read'],
  ['applications', () => import('../views/admin/ApplicationsView.vue'), 'application.read'],
];
const adminRoutes = ADMIN_PAGES.map(([name, component, permission]) => ({
  path: `admin/${name}`,
  name,
  component,
  meta: { title: `menu.${name}`, admin: true, permission },
}));

// Catalog (目录) pages, each under /catalog: [route name, path, view, permission, title, menu key to highlight].
const catalogSearch = () => import('../views/catalog/CatalogSearchView.vue');
const catalogEdit = () => import('../views/catalog/CatalogEditView.vue');
const CATALOG_PAGES = [
  ['catalog-search', 'catalog', catalogSearch, 'catalog.read', 'menu.catalogSearch'],
  ['catalog-new', 'catalog/new', catalogEdit, 'catalog.compile', 'menu.catalogCompile'],
  ['catalog-entry', 'catalog/entries/:id(\\d+)', () => import('../views/catalog/CatalogEntryView.vue'), 'catalog.read', 'catalog.entry.title', 'catalog-search'],
  ['catalog-edit', 'catalog/entries/:id(\\d+)/edit', catalogEdit, 'catalog.compile', 'catalog.edit.editTitle', 'catalog-search'],
  ['catalog-review', 'catalog/review', () => import('../views/catalog/CatalogReviewView.vue'), 'catalog.review', 'menu.catalogReview'],
  ['catalog-negative-list', 'catalog/negative-list', () => import('../views/catalog/NegativeListView.vue'), 'catalog.read', 'menu.catalogNegativeList'],
  ['catalog-responsibilities', 'catalog/responsibilities', () => import('../views/catalog/ResponsibilitiesView.vue'), 'catalog.read', 'menu.catalogResponsibilities'],
  ['catalog-findings', 'catalog/findings', () => import('../views/catalog/FindingsView.vue'), 'catalog.read', 'menu.catalogFindings'],
  ['catalog-reference', 'catalog/reference', () => import('../views/catalog/CatalogReferenceView.vue'), 'catalog.read', 'menu.catalogReference'],
  ['catalog-transfer', 'catalog/transfer', () => import('../views/catalog/CatalogTransferView.vue'), 'catalog.read', 'menu.catalogTransfer'],
];
const catalogRoutes = CATALOG_PAGES.map(([name, path, component, permission, title, menu]) => ({
  path,
  name,
  component,
  meta: menu ? { title, permission, menu } : { title, permission },
}));

// Sharing (共享申请, 授权) pages: [route name, path, view, title, menu key to highlight].
const SHARING_PAGES = [
  ['requests', 'requests', () => import('../views/sharing/RequestsView.vue'), 'menu.requests'],
  ['request', 'requests/:id(\\d+)', () => import('../views/sharing/RequestDetailView.vue'), 'sharing.detail.title', 'requests'],
  ['grants', 'grants', () => import('../views/sharing/GrantsView.vue'), 'menu.grants'],
  ['grant', 'grants/:id', () => import('../views/sharing/GrantDetailView.vue'), 'sharing.grant.title', 'grants'],
  ['outward-requests', 'requests/outward', () => import('../views/sharing/OutwardRequestsView.vue'), 'menu.outwardRequests'],
  ['outward-request', 'requests/outward/:id(\\d+)', () => import('../views/sharing/OutwardRequestDetailView.vue'), 'outward.detailTitle', 'outward-requests'],
];
const sharingRoutes = SHARING_PAGES.map(([name, path, component, title, menu]) => ({
  path,
  name,
  component,
  meta: menu ? { title, permission: 'share.read', menu } : { title, permission: 'share.read' },
}));

export const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  {
    path: '/',
    component: MainLayout,
    children: [
      // Everyone lands on the workbench (their to-do cases and notifications).
      { path: '', name: 'home', redirect: { name: 'workbench' } },
      {
        path: 'workbench',
        name: 'workbench',
        component: () => import('../views/WorkbenchView.vue'),
        meta: { title: 'menu.workbench', permission: 'case.read' },
      },
      {
        path: 'cases/:id(\\d+)',
        name: 'case',
        component: () => import('../views/CaseDetailView.vue'),
        meta: { title: 'cases.detailTitle', permission: 'case.read', menu: 'workbench' },
      },
      ...catalogRoutes,
      ...sharingRoutes,
      // Datasets (数据集, Art. 12): the list (all, stale) and one dataset with, for its provider, the interface form.
      {
        path: 'datasets',
        name: 'datasets',
        component: () => import('../views/datasets/DatasetsView.vue'),
        meta: { title: 'menu.datasets', permission: 'dataset.read' },
      },
      {
        path: 'datasets/:id(\\d+)',
        name: 'dataset',
        component: () => import('../views/datasets/DatasetDetailView.vue'),
        meta: { title: 'datasets.detail.title', permission: 'dataset.read', menu: 'datasets' },
      },
      // 驾驶舱 (Art. 28): platform-wide counts for every user (stats.read).
      {
        path: 'dashboard',
        name: 'dashboard',
        component: () => import('../views/DashboardView.vue'),
        meta: { title: 'menu.cockpit', permission: 'stats.read' },
      },
      // 审计 (Art. 25, 27, 30): auditors only (audit.read).
      {
        path: 'audit',
        name: 'audit',
        component: () => import('../views/AuditView.vue'),
        meta: { title: 'menu.audit', permission: 'audit.read' },
      },
      {
        path: 'calendar',
        name: 'calendar',
        component: () => import('../views/CalendarView.vue'),
        meta: { title: 'menu.calendar', permission: 'calendar.read' },
      },
      { path: 'account', name: 'account', component: () => import('../views/AccountView.vue'), meta: { title: 'menu.account' } },
      {
        path: 'account/password',
        name: 'change-password',
        component: () => import('../views/AccountView.vue'),
        meta: { title: 'account.changePassword', allowWhilePasswordChange: true },
      },
      ...adminRoutes,
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHistory(), routes });

function loginRoute(to, reason) {
  const query = {};
  if (to && to.fullPath && to.name !== 'login' && to.fullPath !== '/') query.redirect = to.fullPath;
  if (reason) query.reason = reason;
  return { name: 'login', query };
}

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try {
      await loadMe();
    } catch (e) {
      // Server unreachable or failing: let public pages render; protected ones go to login with the error.
      session.loaded = false;
      if (!to.meta.public) {
        ElMessage.error(errorText(e));
        return loginRoute(to);
      }
      return true;
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.me) return { name: 'home' };
    return true;
  }
  if (!session.me) return loginRoute(to, session.lastAuthCode === 'session_expired' ? 'expired' : 'login');
  const u = session.me.user || {};
  if (u.must_change_password && !to.meta.allowWhilePasswordChange) return { name: 'change-password' };
  if (to.meta.admin && !hasAdminAccess()) return { name: 'home' };
  if (to.meta.permission && !can(to.meta.permission)) return to.name === 'workbench' ? { name: 'account' } : { name: 'home' };
  return true;
});

router.afterEach((to) => {
  const t = i18n.global.t;
  document.title = to.meta.title ? `${t(to.meta.title)} - ${t('app.fullTitle')}` : t('app.fullTitle');
});

// Any 401 from an API call while using the portal: the session is gone. Go to login, keep the route.
let redirecting = false;
onUnauthorized((err) => {
  if (redirecting) return;
  const current = router.currentRoute.value;
  if (current.meta && current.meta.public) return;
  redirecting = true;
  clear();
  router.replace(loginRoute(current, 'expired')).finally(() => {
    redirecting = false;
  });
});
