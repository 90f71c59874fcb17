// End-to-end test of the portal against the real govshare binary, driving Debian's Chromium with playwright-core.
//   GOVSHARE_BINARY=../build/govshare node e2e/run.mjs      (or: npm run test:e2e)
// Starts `govshare demo` + `govshare serve` on a free loopback port with a fresh data directory, logs in through the
// UI and checks the departments page (sorted on the server by a column header), the menus, the workbench, the
// working-day calendar, department webhooks and the catalog (search, compile with the rules checked as one types,
// review, publication) and sharing (a request through the wizard, forwarded by the authority, answered by the
// provider; the grant suspended and resumed), the data console (a lookup with the demo application's API key; a
// verification answered by the demo provider's interface, which listens on 127.0.0.1:8091 — that port must be free),
// a dataset snapshot load with its rejection report, the audit log (search, a record, verification in the browser),
// the dashboard's charts, catalog import (CSV and JSON) and the data elements and databases (add, edit). Screenshots
// go to /tmp/govshare-e2e/*.png (GOVSHARE_E2E_SHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { completeCreditCode, CREDIT_ALPHABET } from '../src/lib/validators.js';
import { TEMPLATE_COLUMNS, csvText } from '../src/lib/catalogTransfer.js';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.resolve(webDir, process.env.GOVSHARE_BINARY || '../build/govshare');
const distDir = path.join(webDir, 'dist');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const shotsDir = process.env.GOVSHARE_E2E_SHOTS || '/tmp/govshare-e2e';
const TIMEOUT = 15000;

let dataDir;
let profileDir;
let server;
let serverLog = '';
let baseUrl;
let context;
let page;
let creds;
const newPasswords = new Map();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, ms) {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}:\n${serverLog}`);
    try {
      const r = await fetch(url + '/healthz');
      const body = await r.json();
      if (r.ok && body.status === 'ok') return;
      last = `${r.status} ${JSON.stringify(body)}`;
    } catch (e) {
      last = String(e.message || e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not healthy after ${ms} ms (${last}):\n${serverLog}`);
}

function killServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      try {
        server.kill('SIGTERM');
      } catch {
        /* gone */
      }
    }
  }
}
process.on('exit', killServer);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killServer(); process.exit(130); });

async function shot(name) {
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: false });
}

const input = (id) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();

async function login(user) {
  await page.goto(baseUrl + '/login');
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(newPasswords.get(user.username) || user.password);
  await page.locator('[data-testid="login-submit"]').click();
  // Either the main layout or the forced password change appears.
  await page.locator('[data-testid="header-user"]').waitFor({ timeout: TIMEOUT });
  if (new URL(page.url()).pathname === '/account/password') {
    const old = newPasswords.get(user.username) || user.password;
    const fresh = `E2e-${Date.now().toString(36)}-Pw9x`;
    await input('pw-current').fill(old);
    await input('pw-new').fill(fresh);
    await input('pw-confirm').fill(fresh);
    await shot(`${user.username}-forced-password-change`);
    await page.locator('[data-testid="pw-submit"]').click();
    await page.waitForURL((u) => u.pathname !== '/account/password', { timeout: TIMEOUT });
    newPasswords.set(user.username, fresh);
  }
}

async function logout() {
  await page.locator('[data-testid="logout"]').click();
  await page.locator('.el-message-box .el-button--primary').click();
  await page.waitForURL((u) => u.pathname === '/login', { timeout: TIMEOUT });
  await page.locator('input[name="username"]').waitFor({ timeout: TIMEOUT });
}

function randomCreditCode() {
  let org = '';
  for (let i = 0; i < 9; i++) org += CREDIT_ALPHABET[Math.floor(Math.random() * 10) + (i === 0 ? 0 : Math.floor(Math.random() * 21))];
  return completeCreditCode(`11130100${org}`);
}

before(async () => {
  assert.ok(fs.existsSync(binary), `govshare binary not found at ${binary} (set GOVSHARE_BINARY)`);
  assert.ok(fs.existsSync(path.join(distDir, 'index.html')), `${distDir}/index.html missing: run npm run build first`);
  assert.ok(fs.existsSync(chromiumPath), `${chromiumPath} missing: apt-get install -y chromium`);
  fs.mkdirSync(shotsDir, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govshare-e2e-data-'));
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govshare-e2e-chromium-'));

  const demo = spawnSync(binary, ['demo', '--data', dataDir], { encoding: 'utf8', timeout: 120000 });
  assert.equal(demo.status, 0, `govshare demo failed (${demo.status}):\n${demo.stdout}\n${demo.stderr}`);
  const credFile = path.join(dataDir, 'demo-credentials.json');
  assert.ok(fs.existsSync(credFile), `${credFile} not written by govshare demo`);
  creds = JSON.parse(fs.readFileSync(credFile, 'utf8'));
  assert.ok(Array.isArray(creds.users) && creds.users.length, 'demo-credentials.json has no users');

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(binary, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, '--web', distDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so that killServer() takes its children too
  });
  const keep = (d) => {
    serverLog = (serverLog + d.toString()).slice(-20000);
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  await waitHealthy(baseUrl, 30000);

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
  });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => console.error('[page error]', e.message));
});

after(async () => {
  try {
    if (context) await context.close();
  } finally {
    killServer();
    if (server && server.exitCode === null) await new Promise((r) => { server.once('exit', r); setTimeout(r, 5000); });
    for (const d of [dataDir, profileDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('the server serves the portal with SPA fallback', async () => {
  const r = await fetch(baseUrl + '/admin/departments');
  assert.equal(r.status, 200, 'SPA fallback: a client route must return index.html');
  assert.match(await r.text(), /<div id="app">/);
  const h = await fetch(baseUrl + '/healthz');
  assert.deepEqual(await h.json(), { status: 'ok' });
});

test('an unauthenticated visit goes to the Chinese login page and keeps the route', async () => {
  await page.goto(baseUrl + '/admin/departments');
  await page.waitForURL((u) => u.pathname === '/login', { timeout: TIMEOUT });
  assert.equal(new URL(page.url()).searchParams.get('redirect'), '/admin/departments');
  await page.getByText('河北省政务数据共享平台').first().waitFor();
  await shot('01-login');
});

test('a wrong password shows the invalid_credentials error', async () => {
  const admin = creds.users.find((u) => (u.roles || []).includes('platform_admin'));
  await page.locator('input[name="username"]').fill(admin.username);
  await page.locator('input[name="password"]').fill('definitely-wrong-password');
  await page.locator('[data-testid="login-submit"]').click();
  await page.locator('[data-testid="login-error"]').getByText('用户名或密码错误').waitFor();
  await shot('02-login-error');
});

test('platform_admin creates a department; a bad credit code is refused next to the field', async () => {
  const admin = creds.users.find((u) => (u.roles || []).includes('platform_admin'));
  assert.ok(admin, 'no platform_admin in demo-credentials.json');
  await login(admin);
  await page.locator('[data-testid="menu-admin"]').waitFor();
  await page.waitForURL((u) => u.pathname === '/workbench', { timeout: TIMEOUT });
  await page.locator('[data-testid="workbench"]').waitFor();
  await shot('03-admin-home');

  await page.locator('[data-testid="menu-departments"]').click();
  await page.waitForURL((u) => u.pathname === '/admin/departments');
  await page.locator('[data-testid="dept-table"]').waitFor();
  await shot('04-departments');

  const name = `端到端测试部门${Date.now().toString(36)}`;
  const good = randomCreditCode();
  const bad = good.slice(0, 17) + CREDIT_ALPHABET[(CREDIT_ALPHABET.indexOf(good[17]) + 1) % 31];

  await page.locator('[data-testid="dept-create"]').click();
  const dialog = page.locator('.el-dialog').filter({ has: page.locator('[data-testid="dept-save"]') });
  await dialog.waitFor();
  await input('dept-name').fill(name);
  await input('dept-credit').fill(bad);
  await input('dept-region').click();
  await page.locator('.el-tree-select__popper:visible .el-tree-node__content').first().click();
  await input('dept-responsible').fill('数据管理处');
  await input('dept-contact').fill('测试员');
  await input('dept-phone').fill('13812345678');
  await page.locator('[data-testid="dept-save"]').click();
  const creditError = page.locator('[data-testid="dept-field-credit"] .el-form-item__error');
  await creditError.waitFor();
  assert.match(await creditError.innerText(), /校验位/);
  await shot('05-invalid-credit-code');

  await input('dept-credit').fill(good);
  await page.locator('[data-testid="dept-save"]').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('[data-testid="dept-table"]').getByText(name).first().waitFor();
  await page.locator('[data-testid="dept-table"]').getByText(good).first().waitFor();
  await shot('06-department-created');

  // Reload: the department really is on the server, not only in the page.
  await page.reload();
  await input('dept-filter-q').fill(name);
  await input('dept-filter-q').press('Enter');
  await page.locator('[data-testid="dept-table"]').getByText(name).first().waitFor();

  await logout();
  await shot('07-logged-out');
});

test('platform_admin sorts the departments by name on the server; the sort is kept when loading more', async () => {
  const admin = creds.users.find((u) => (u.roles || []).includes('platform_admin'));
  await login(admin);
  await page.locator('[data-testid="menu-departments"]').click();
  await page.waitForURL((u) => u.pathname === '/admin/departments');
  const table = page.locator('[data-testid="dept-table"]');
  await table.locator('tbody tr').first().waitFor();
  // The name column is the first sortable one: its "descending" caret asks the server for sort=-name.
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/departments?') && new URL(r.url()).searchParams.get('sort') === '-name'),
    table.locator('thead th .caret-wrapper .sort-caret.descending').first().click(),
  ]);
  assert.equal(res.status(), 200);
  const first = await res.json();
  assert.ok(first.items.length > 1);
  const names = first.items.map((d) => d.name);
  // Code point order (the server's: UTF-8 bytes), descending.
  const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  assert.deepEqual(names, [...names].sort(byCodePoint).reverse());
  await table.locator('tbody tr').first().getByText(names[0], { exact: true }).waitFor({ timeout: TIMEOUT });
  const shown = await table.locator('tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(shown.map((s) => s.trim()), names);
  await shot('70-departments-sorted');
  if (first.next_cursor) {
    const [more] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/departments?') && new URL(r.url()).searchParams.has('cursor')),
      page.locator('[data-testid="load-more"]').click(),
    ]);
    const params = new URL(more.url()).searchParams;
    assert.equal(params.get('sort'), '-name');
    assert.equal(params.get('cursor'), first.next_cursor);
    const next = (await more.json()).items.map((d) => d.name);
    assert.ok(next.length > 0);
    assert.ok(byCodePoint(names.at(-1), next[0]) >= 0, 'the next page continues the order');
  }
  // Clearing the sort (the same caret again) returns to the default order: no sort= sent.
  // The column keeps its arrow while the sorted page loads (the table stays mounted).
  await table.locator('thead th.descending').first().waitFor();
  const [cleared] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/departments?') && !new URL(r.url()).searchParams.has('sort')),
    table.locator('thead th .caret-wrapper .sort-caret.descending').first().click(),
  ]);
  assert.equal(cleared.status(), 200);
  assert.ok(!new URL(cleared.url()).searchParams.has('cursor'), 'the default order starts from the first page');
  await logout();
});

test('a requester has no Administration menu', async () => {
  const users = creds.users.filter((u) => (u.roles || []).includes('requester'));
  assert.ok(users.length, 'no requester in demo-credentials.json');
  const requester = users.find((u) => u.roles.length === 1) || users[0];
  await login(requester);
  await page.locator('[data-testid="side-menu"]').waitFor();
  assert.equal(await page.locator('[data-testid="menu-admin"]').count(), 0, 'Administration menu visible to a requester');
  assert.equal(await page.locator('[data-testid="side-menu"]').getByText('管理', { exact: true }).count(), 0);
  await page.locator('[data-testid="menu-account"]').waitFor();
  await page.locator('[data-testid="header-user"]').getByText('数据申请人').waitFor();
  await page.waitForTimeout(400); // let Element Plus tag transitions finish before the screenshot
  await shot('08-requester');
  // Switching to English works and is complete on this page.
  await page.locator('[data-testid="lang-switch"]').first().click();
  await page.locator('[data-testid="lang-en"]').click();
  await page.locator('[data-testid="side-menu"]').getByText('Account').waitFor();
  await shot('09-requester-english');
  await page.locator('[data-testid="lang-switch"]').first().click();
  await page.locator('[data-testid="lang-zh-CN"]').click();
  await logout();
});

test('a demo user lands on the workbench: no task of their own, catalog notifications of the department in the inbox', async () => {
  // Not the steward: the demo leaves a sharing request waiting for 河北省公安厅's answer on its workbench.
  const user = creds.users.find((u) => u.username === 'requester');
  assert.ok(user, 'no requester in demo-credentials.json');
  await login(user);
  await page.waitForURL((u) => u.pathname === '/workbench', { timeout: TIMEOUT });
  // 工作台 is the first menu item and the active one.
  const first = page.locator('[data-testid="side-menu"] > li').first();
  assert.equal(await first.getAttribute('data-testid'), 'menu-workbench');
  await page.locator('[data-testid="menu-workbench"].is-active').waitFor();
  await page.locator('[data-testid="workbench-empty"]').getByText('暂无待办事项').waitFor();
  // The demo catalog's reviews were decided for the requester's department (河北省人力资源和社会保障厅): unread notifications.
  await page.locator('[data-testid="inbox-table"]').getByText('目录审核').first().waitFor();
  await page.locator('[data-testid="inbox-badge"]').waitFor();
  await shot('10-workbench-empty');
});

test('the calendar marks holidays and make-up days of 2026 and computes working days', async () => {
  await page.locator('[data-testid="menu-calendar"]').click();
  await page.waitForURL((u) => u.pathname === '/calendar');
  await page.locator('[data-testid="calendar-year"]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: /^\s*2026\s*$/ }).click();
  await page.locator('[data-testid="calendar-grid"]').waitFor();
  await page.locator('[data-testid="calendar-working-days"]').getByText('248').waitFor();
  const makeup = page.locator('[data-testid="calendar-grid"] td[data-date="2026-10-10"]');
  const holiday = page.locator('[data-testid="calendar-grid"] td[data-date="2026-10-01"]');
  assert.equal(await makeup.getAttribute('data-kind'), 'makeup');
  assert.match(await makeup.innerText(), /班/);
  assert.equal(await holiday.getAttribute('data-kind'), 'holiday');
  assert.match(await holiday.innerText(), /休/);
  assert.equal(await page.locator('[data-testid="calendar-grid"] td[data-date="2026-10-11"]').getAttribute('data-kind'), 'weekend');
  // The statutory deadlines of the rule pack are listed.
  await page.locator('[data-testid="rules-table"]').getByText('目录审核').waitFor();
  await shot('11-calendar-2026');

  // 2026-09-30 + 3 working days: 10-01..10-07 are holidays, 10-08, 10-09 and the make-up Saturday 10-10 count.
  const from = input('calc-from');
  await from.click();
  await from.fill('2026-09-30');
  await from.press('Enter');
  await input('calc-days').fill('3');
  await input('calc-days').press('Tab');
  await page.locator('[data-testid="calc-submit"]').click();
  const result = page.locator('[data-testid="calc-result-date"]');
  await result.waitFor();
  assert.equal((await result.innerText()).trim(), '2026-10-10');
  await page.locator('[data-testid="calc-result"]').scrollIntoViewIfNeeded();
  await shot('12-calendar-working-days');
  assert.equal(await page.locator('[data-testid="calendar-import"]').count(), 0, 'a data steward cannot import calendars');
  await logout();
});

test('platform_admin imports a calendar year; a server refusal is shown translated', async () => {
  const admin = creds.users.find((u) => (u.roles || []).includes('platform_admin'));
  await login(admin);
  await page.locator('[data-testid="menu-calendar"]').click();
  await page.locator('[data-testid="calendar-grid"]').waitFor();
  await page.locator('[data-testid="calendar-import"]').click();
  const dialog = page.locator('.el-dialog').filter({ has: page.locator('[data-testid="calendar-import-submit"]') });
  await dialog.waitFor();
  // 2030-01-02 is a Wednesday: not a valid make-up working day.
  const bad = { year: 2030, source: 'e2e', holidays: ['2030-01-01'], makeup_workdays: ['2030-01-02'] };
  await dialog.locator('input[type="file"]').setInputFiles({ name: '2030.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  await input('calendar-import-year').waitFor();
  await page.locator('[data-testid="calendar-import-submit"]').click();
  await page.locator('[data-testid="calendar-import-error"]').getByText('调休上班日必须是星期六或星期日').waitFor();
  await shot('13-calendar-import-error');
  // A valid file is installed and selectable at once.
  const good = { year: 2030, source: 'e2e', holidays: ['2030-01-01'], makeup_workdays: [] };
  await dialog.locator('input[type="file"]').setInputFiles({ name: '2030-ok.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
  await page.locator('[data-testid="calendar-import-submit"]').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('[data-testid="calendar-grid"] td[data-date="2030-01-01"][data-kind="holiday"]').waitFor();
  await shot('14-calendar-imported');
  await logout();
});

test('platform_admin registers a department webhook, sees its secret once, and removes it', async () => {
  const admin = creds.users.find((u) => (u.roles || []).includes('platform_admin'));
  await login(admin);
  await page.locator('[data-testid="menu-departments"]').click();
  await page.waitForURL((u) => u.pathname === '/admin/departments');
  await page.locator('[data-testid="dept-table"] [data-testid="dept-webhooks"]').first().click();
  const drawer = page.locator('.el-drawer').filter({ has: page.locator('[data-testid="webhook-add"]') });
  await drawer.waitFor();
  const url = 'http://127.0.0.1:9/hook';
  await input('webhook-url').fill(url);
  await page.locator('[data-testid="webhook-add"]').click();
  // The signing secret is shown once, with the signature note.
  const secretDialog = page.locator('.el-dialog').filter({ has: page.locator('[data-testid="secret-value"]') });
  await secretDialog.waitFor();
  const secret = await secretDialog.locator('[data-testid="secret-value"] input, input[data-testid="secret-value"]').first().inputValue();
  assert.ok(secret.length >= 16, `webhook secret too short: ${secret}`);
  await secretDialog.getByText('X-Govshare-Signature').first().waitFor();
  await shot('15-webhook-secret');
  await secretDialog.locator('.el-dialog__footer .el-button').click();
  await secretDialog.waitFor({ state: 'hidden' });
  const table = drawer.locator('[data-testid="webhook-table"]');
  await table.getByText(url).first().waitFor();
  assert.equal(await page.getByText(secret).count(), 0, 'the secret is not listed');
  // Its delivery log opens (empty for a new webhook).
  await table.locator('.el-table__expand-icon').first().click();
  await table.getByText('投递记录').first().waitFor();
  await shot('16-webhook-listed');
  await table.locator('[data-testid="webhook-remove"]').first().click();
  await page.locator('.el-message-box .el-button--primary').click();
  await table.getByText(url).waitFor({ state: 'detached' });
  await table.getByText('尚未配置 Webhook').waitFor();
  // A removed webhook is kept, inactive, with its delivery log: shown on demand.
  await drawer.locator('[data-testid="webhook-show-removed"]').click();
  await table.getByText(url).first().waitFor();
  await table.getByText('已删除').first().waitFor();
  assert.equal(await table.locator('[data-testid="webhook-remove"]').count(), 0, 'a removed webhook cannot be removed again');
  await shot('17-webhook-removed');
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'hidden' });
  await logout();
});

// ---- Catalog (目录) ----

const byName = (name) => creds.users.find((u) => u.username === name);
/** Opens an el-select by its data-testid and picks the option showing text. */
async function choose(testid, text) {
  await page.locator(`[data-testid="${testid}"]`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}
const field = (id) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input, textarea[data-testid="${id}"], [data-testid="${id}"] textarea`).first();
const compiledName = `端到端户籍核验信息${Date.now().toString(36)}`;

test('the catalog menu follows the role: everyone searches, catalog managers compile, reviewers review', async () => {
  const requester = creds.users.find((u) => (u.roles || []).length === 1 && u.roles[0] === 'requester') || byName('requester');
  await login(requester);
  await page.locator('[data-testid="menu-catalog-search"]').waitFor();
  assert.equal(await page.locator('[data-testid="menu-catalog-new"]').count(), 0, 'a requester cannot compile');
  assert.equal(await page.locator('[data-testid="menu-catalog-review"]').count(), 0, 'a requester cannot review');
  await logout();
});

test('search 人口 finds 常住人口基本信息 with facet counts; its detail shows items and versions', async () => {
  await login(byName('catalog'));
  await page.locator('[data-testid="menu-catalog-new"]').waitFor();
  assert.equal(await page.locator('[data-testid="menu-catalog-review"]').count(), 0, 'a catalog manager does not review');
  await page.locator('[data-testid="menu-catalog-search"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog');
  await page.locator('[data-testid="catalog-results"]').waitFor();
  await field('catalog-q').fill('人口');
  await field('catalog-q').press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === '人口');
  const results = page.locator('[data-testid="catalog-results"]');
  await results.getByText('常住人口基本信息', { exact: true }).waitFor();
  const total = Number(/\d+/.exec(await page.locator('[data-testid="catalog-total"]').innerText())[0]);
  assert.ok(total >= 2 && total < 150, `人口 should match a part of the catalog, got ${total}`);
  // A filter offers the facet counts of the matches and narrows them.
  await page.locator('[data-testid="catalog-filter-share_type"]').click();
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: '有条件共享' }).first();
  const count = Number((await option.locator('.count').innerText()).trim());
  assert.ok(count > 0 && count < total, `facet count ${count} of ${total}`);
  await shot('20-catalog-search');
  await option.click();
  await page.waitForURL((u) => u.searchParams.get('share_type') === 'conditional');
  await page.locator('[data-testid="catalog-total"]').getByText(new RegExp(`\\b${count}\\b`)).waitFor();
  await results.getByText('常住人口基本信息', { exact: true }).click();
  await page.waitForURL((u) => /^\/catalog\/entries\/\d+$/.test(u.pathname));
  await page.locator('[data-testid="entry-name"]').getByText('常住人口基本信息').waitFor();
  await page.locator('[data-testid="entry-items"]').getByText('公民身份号码').first().waitFor();
  await page.locator('[data-testid="entry-field-security_level"]').getByText('一般4').waitFor();
  await page.locator('[data-testid="entry-versions"]').getByText('已发布').first().waitFor();
  await shot('21-catalog-entry');
  // Back to the search as it was.
  await page.goBack();
  await page.waitForURL((u) => u.pathname === '/catalog' && u.searchParams.get('q') === '人口');
  await results.getByText('常住人口基本信息', { exact: true }).waitFor();
});

test('a catalog manager compiles an entry: the rules are checked as one types, a violation is fixed, the entry is submitted', async () => {
  await page.locator('[data-testid="menu-catalog-new"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog/new');
  await page.locator('[data-testid="catalog-edit"]').waitFor();
  await field('catalog-name').fill(compiledName);
  await field('catalog-classification').fill('30111');
  await field('catalog-abstract').fill('户籍信息核验结果，端到端测试编制');
  await field('catalog-keywords').fill('户籍');
  await field('catalog-keywords').press('Enter');
  await choose('catalog-subject', '自然人');
  await choose('catalog-format', '数据库');
  await choose('catalog-update-frequency', '每日');
  await page.locator('[data-testid="catalog-share-type-conditional"]').click();
  // Conditional sharing needs its conditions (Art. 11): the check says so next to the field.
  const condition = page.locator('[data-testid="violation-share_condition"] [data-rule="condition_required"]');
  await condition.waitFor();
  assert.match(await condition.innerText(), /第11条/);
  await field('catalog-share-condition').fill('用于法定职责范围内的户籍核验');
  await condition.waitFor({ state: 'detached' });
  await page.locator('[data-testid="catalog-share-method-api"]').click();
  await page.locator('[data-testid="catalog-open-not_open"]').click();
  await field('catalog-scope').fill('政务服务');
  await field('catalog-scope').press('Enter');
  await choose('catalog-security-level', '一般1');
  await page.locator('[data-testid="catalog-non-classified"]').click();
  // An information item from a data element: type, length, personal flag and level come with it.
  await page.locator('[data-testid="item-add"]').click();
  await page.locator('[data-testid="item-element-0"]').click();
  await page.keyboard.type('公民身份号码');
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'DE0001' }).first().click();
  assert.equal(await field('item-name-0').inputValue(), '公民身份号码');
  assert.equal(await field('item-length-0').inputValue(), '18');
  await page.locator('[data-testid="item-key-0"]').click();
  // The entry's level is below its item's (就高从严, Art. 7): shown next to the security level as one types.
  const levelViolation = page.locator('[data-testid="violation-security_level"] [data-rule="level_below_items"]');
  await levelViolation.waitFor();
  assert.match(await levelViolation.innerText(), /一般4/);
  assert.match(await levelViolation.innerText(), /第7条/);
  await page.locator('[data-testid="catalog-check-status"][data-status="issues"]').waitFor();
  await page.locator('[data-testid="catalog-security-level"]').scrollIntoViewIfNeeded();
  await shot('22-catalog-compile-violation');
  await choose('catalog-security-level', '一般4');
  await levelViolation.waitFor({ state: 'detached' });
  await page.locator('[data-testid="catalog-check-status"][data-status="ok"]').waitFor();
  await shot('23-catalog-compile-ok');
  await page.locator('[data-testid="catalog-submit"]').click();
  await page.waitForURL((u) => /^\/catalog\/entries\/\d+$/.test(u.pathname));
  await page.locator('[data-testid="entry-name"]').getByText(compiledName).waitFor();
  await page.locator('[data-testid="entry-working-state"]').getByText('审核中').waitFor();
  await page.locator('[data-testid="entry-open-case-link"]').getByText('目录审核').waitFor();
  assert.equal(await page.locator('[data-testid="entry-edit"]').count(), 0, 'an entry in review cannot be edited');
  await shot('24-catalog-submitted');
  await logout();
});

test('a reviewer approves the entry from the review queue (a return needs reasons); it is then published in search', async () => {
  await login(byName('reviewer'));
  await page.locator('[data-testid="menu-catalog-review"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog/review');
  const row = page.locator('[data-testid="review-table"] .el-table__row', { hasText: compiledName });
  await row.waitFor();
  await shot('25-catalog-review-queue');
  await row.locator('[data-testid="review-return"]').click();
  const dialog = page.locator('.el-dialog').filter({ has: page.locator('[data-testid="review-confirm"]') });
  await dialog.waitFor();
  await page.locator('[data-testid="review-confirm"]').click();
  await dialog.getByText('退回须填写理由').waitFor();
  await page.locator('[data-testid="review-decision-approve"]').click();
  await page.locator('[data-testid="review-confirm"]').click();
  await dialog.waitFor({ state: 'hidden' });
  await row.waitFor({ state: 'detached' });
  await shot('26-catalog-approved');

  await page.locator('[data-testid="menu-catalog-search"]').click();
  await field('catalog-q').fill(compiledName);
  await field('catalog-q').press('Enter');
  const results = page.locator('[data-testid="catalog-results"]');
  await results.getByText(compiledName).waitFor();
  assert.equal(await results.locator('[data-testid="catalog-result-state"]').count(), 0, 'a published result shows its date, not a working state');
  await results.getByText(compiledName).click();
  await page.locator('[data-testid="entry-published"]').getByText('第1版').waitFor();
  assert.equal(await page.locator('[data-testid="entry-working-state"]').count(), 0);
  await shot('27-catalog-published');
  await logout();
});

test('the catalog manager edits the published entry as a new version; the diff shows the changed field', async () => {
  await login(byName('catalog'));
  await page.goto(`${baseUrl}/catalog?q=${encodeURIComponent(compiledName)}`);
  await page.locator('[data-testid="catalog-results"]').getByText(compiledName).click();
  await page.locator('[data-testid="entry-edit"]').click();
  await page.waitForURL((u) => /^\/catalog\/entries\/\d+\/edit$/.test(u.pathname));
  await field('catalog-abstract').fill('户籍信息核验结果（第二版）');
  await field('catalog-change-reason').fill('摘要修订');
  await page.locator('[data-testid="catalog-check-status"][data-status="ok"]').waitFor();
  await page.locator('[data-testid="catalog-submit"]').click();
  await page.waitForURL((u) => /^\/catalog\/entries\/\d+$/.test(u.pathname));
  await page.locator('[data-testid="entry-working-state"]').getByText('第2版').waitFor();
  await page.locator('[data-testid="entry-published"]').getByText('第1版').waitFor();
  await page.locator('[data-testid="entry-diff-2"]').click();
  const diff = page.locator('[data-testid="entry-diff"]');
  await diff.getByText('信息资源摘要').waitFor();
  await diff.getByText('户籍信息核验结果（第二版）').waitFor();
  await diff.scrollIntoViewIfNeeded();
  await shot('28-catalog-version-diff');
  await logout();
});

test('a requester requests 流动人口居住登记信息 through the wizard; the authority forwards it, the provider answers yes; the grant appears', async () => {
  const name = '流动人口居住登记信息';
  await login(byName('requester'));
  await page.goto(`${baseUrl}/catalog?q=${encodeURIComponent('流动人口')}`);
  await page.locator('[data-testid="catalog-results"]').getByText(name, { exact: true }).click();
  await page.waitForURL((u) => /^\/catalog\/entries\/\d+$/.test(u.pathname));
  await page.locator('[data-testid="entry-request"]').click();
  // Application (the department's, preselected), items (all chosen), scenario, commitments.
  await page.locator('[data-testid="wizard-application"]').getByText('#1').waitFor();
  await page.locator('[data-testid="wizard-next"]').click();
  await page.locator('[data-testid="wizard-items"]').getByText('公民身份号码').waitFor();
  await page.locator('[data-testid="wizard-next"]').click();
  await field('wizard-purpose').fill('就业登记人员居住地核验');
  await field('wizard-legal-basis').fill('《中华人民共和国就业促进法》规定的职责');
  await field('wizard-scope').fill('本部门法定职责范围内');
  await page.locator('[data-testid="wizard-next"]').click();
  // The Art. 14 commitments must be accepted.
  await page.locator('[data-testid="wizard-submit"]').click();
  await page.locator('.el-form-item__error', { hasText: '须接受使用承诺方可提交' }).waitFor();
  await page.locator('[data-testid="wizard-commitments"]').click();
  await shot('30-request-wizard');
  await page.locator('[data-testid="wizard-submit"]').click();
  await page.waitForURL((u) => /^\/requests\/\d+$/.test(u.pathname));
  const id = new URL(page.url()).pathname.split('/').pop();
  await page.locator('[data-testid="request-state"]').getByText('逐级报送中').waitFor();
  // It is listed in 共享申请 as routing.
  await page.locator('[data-testid="menu-requests"]').click();
  await page.waitForURL((u) => u.pathname === '/requests');
  await page.locator(`[data-testid="request-state-${id}"]`).getByText('逐级报送中').waitFor();
  await shot('31-requests');
  await logout();

  // The authority of the province (containing both departments) forwards it to the provider.
  await login(byName('reviewer'));
  await page.goto(`${baseUrl}/requests?as=authority`);
  await page.locator(`[data-testid="request-link-${id}"]`).click();
  await page.locator('[data-testid="request-action-forward"]').click();
  await field('request-reasons').fill('用途与法定职责相符，转交提供部门');
  await page.locator('[data-testid="request-dialog-ok"]').click();
  await page.locator('[data-testid="request-state"]').getByText('待提供部门答复').waitFor();
  await page.locator('[data-testid="request-history"]').getByText('转交提供部门').first().waitFor();
  await logout();

  // The provider's data steward answers yes: the platform provides at once.
  await login(byName('steward'));
  await page.goto(`${baseUrl}/requests?as=provider`);
  await page.locator(`[data-testid="request-link-${id}"]`).click();
  await page.locator('[data-testid="request-due"]').waitFor();
  await page.locator('[data-testid="request-answer"]').click();
  await page.locator('[data-testid="answer-decision"]').getByText('同意共享').click();
  await page.locator('[data-testid="request-dialog-ok"]').click();
  await page.locator('[data-testid="request-state"]').getByText('已授权').waitFor();
  // The provider suspends the grant (a reason is required) and resumes it.
  await page.locator('[data-testid="request-grant"]').click();
  await page.waitForURL((u) => /^\/grants\/[^/]+$/.test(u.pathname));
  await page.locator('[data-testid="grant-suspend"]').click();
  await page.locator('[data-testid="grant-dialog-ok"]').click();
  await page.locator('.el-form-item__error', { hasText: '请填写理由' }).waitFor();
  await field('grant-reason').fill('接口安全检查期间暂停');
  await page.locator('[data-testid="grant-dialog-ok"]').click();
  await page.locator('[data-testid="grant-status"]').getByText('已暂停').waitFor();
  await page.locator('[data-testid="grant-resume"]').click();
  await field('grant-reason').fill('安全检查完成');
  await page.locator('[data-testid="grant-dialog-ok"]').click();
  await page.locator('[data-testid="grant-status"]').getByText('有效').waitFor();
  await logout();

  // The requester sees it granted, and the grant in 授权.
  await login(byName('requester'));
  await page.goto(`${baseUrl}/requests/${id}`);
  await page.locator('[data-testid="request-state"]').getByText('已授权').waitFor();
  const grantId = (await page.locator('[data-testid="request-grant"]').innerText()).trim();
  await page.locator('[data-testid="request-grant"]').click();
  await page.waitForURL((u) => u.pathname === `/grants/${grantId}`);
  await page.locator('[data-testid="grant-status"]').getByText('有效').waitFor();
  await page.locator('[data-testid="grant-items"]').getByText('公民身份号码').waitFor();
  await shot('32-grant');
  await page.locator('[data-testid="menu-grants"]').click();
  await page.waitForURL((u) => u.pathname === '/grants');
  await page.locator(`[data-testid="grant-link-${grantId}"]`).waitFor();
  await page.locator(`[data-testid="grant-status-${grantId}"]`).getByText('有效').waitFor();
  await shot('33-grants');
  // Grants sort on the server: the "valid until" column's descending caret sends sort=-valid_to.
  const grants = page.locator('[data-testid="grants-table"]');
  const [byValidity] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/grants?') && new URL(r.url()).searchParams.get('sort') === '-valid_to'),
    grants.locator('thead th').filter({ hasText: '有效期至' }).locator('.sort-caret.descending').click(),
  ]);
  assert.equal(byValidity.status(), 200);
  const ends = (await byValidity.json()).items.map((g) => g.valid_to);
  assert.deepEqual(ends, [...ends].sort().reverse());
  await page.locator(`[data-testid="grant-link-${grantId}"]`).waitFor();
  // The entry's page lists the grant among its related grants.
  const made = await page.evaluate(async (id) => (await fetch(`/api/v1/grants/${id}`)).json(), grantId);
  await page.goto(`${baseUrl}/catalog/entries/${made.entry_id}`);
  await page.locator(`[data-testid="entry-grants"] [data-testid="grant-link-${grantId}"]`).waitFor();
  await page.locator('[data-testid="entry-grants"]').scrollIntoViewIfNeeded();
  await shot('34-entry-grants');
  await logout();
});

test('a requester requests national data (Art. 17): holder, resource, items as tags, scenario, commitments; it is listed as under review', async () => {
  const resource = `全国婚姻登记信息${Date.now().toString(36)}`;
  await login(byName('requester'));
  await page.locator('[data-testid="menu-outward-requests"]').click();
  await page.waitForURL((u) => u.pathname === '/requests/outward');
  // The demo's request for national data is there already.
  await page.locator('[data-testid="outward-table"]').getByText('人力资源和社会保障部').waitFor();
  await page.locator('[data-testid="outward-new"]').click();
  // Nothing filled in: every required field says so.
  await page.locator('[data-testid="outward-submit"]').click();
  await page.locator('.el-form-item__error', { hasText: '请填写数据持有方' }).waitFor();
  await page.locator('[data-testid="outward-level"]').getByText('国家部委').click();
  await field('outward-holder').fill('民政部');
  await field('outward-resource').fill(resource);
  for (const item of ['姓名', '公民身份号码', '婚姻状况']) {
    await field('outward-items').fill(item);
    await field('outward-items').press('Enter');
  }
  await field('outward-purpose').fill('婚姻状况核验，办理公租房申请');
  await field('outward-legal-basis').fill('《公共租赁住房管理办法》第七条');
  await field('outward-scope').fill('本部门公租房资格审核');
  await page.locator('[data-testid="outward-commitments"]').click();
  await shot('40-outward-new');
  await page.locator('[data-testid="outward-submit"]').click();
  await page.waitForURL((u) => /^\/requests\/outward\/\d+$/.test(u.pathname));
  const id = new URL(page.url()).pathname.split('/').pop();
  await page.locator('[data-testid="outward-state"]').getByText('省级审核中').waitFor();
  await page.locator('[data-testid="outward-items-list"]').getByText('婚姻状况').waitFor();
  await page.locator('[data-testid="outward-case"]').waitFor();
  await shot('41-outward-detail');
  // Listed under 本部门申请, and the menu entry stays highlighted.
  await page.locator('[data-testid="outward-back"]').click();
  await page.waitForURL((u) => u.pathname === '/requests/outward');
  await page.locator(`[data-testid="outward-state-${id}"]`).getByText('省级审核中').waitFor();
  await page.locator('[data-testid="outward-table"]').getByText(resource).waitFor();
  await page.locator('[data-testid="menu-outward-requests"].is-active').waitFor();
  await shot('42-outward-list');
  await logout();
});

// The data console's lookup, as the auditor later finds it in the log. Before the datasets test, which registers an
// interface (unreachable) for 常住人口基本信息 and so turns its lookups into logical access.
const consoleCall = { grant: '', receipt: '', businessRef: `SB-E2E-${Date.now().toString(36)}` };

test('a consumer tries its grant in the data console: a wrong key is refused next to the field, the demo key gets masked fields and a receipt', async () => {
  const app = creds.applications.find((a) => a.name === '社保待遇资格认证系统');
  assert.ok(app && app.api_key && app.grants && app.grants.length, 'no demo application with a grant in demo-credentials.json');
  consoleCall.grant = app.grants[0];
  await login(byName('requester'));
  await page.goto(`${baseUrl}/grants/${consoleCall.grant}`);
  await page.locator('[data-testid="grant-status"]').getByText('有效').waitFor();
  // A record of the dataset (the dataset id is the grant's entry): its key value, read straight from exchange.db.
  const grant = await page.evaluate(async (id) => (await fetch(`/api/v1/grants/${id}`)).json(), consoleCall.grant);
  assert.equal(grant.manner, 'lookup');
  const ds = await page.evaluate(async (id) => (await fetch(`/api/v1/datasets/${id}`)).json(), grant.entry_id);
  const keyColumn = ds.columns.find((c) => c.name === ds.key[0]);
  const sql = spawnSync('sqlite3', [path.join(dataDir, 'exchange.db'), `SELECT c${keyColumn.position} FROM d${ds.id} LIMIT 1`], { encoding: 'utf8' });
  const key = sql.stdout.trim();
  assert.ok(key, `no record in dataset ${ds.id}: ${sql.stderr}`);

  const panel = page.locator('[data-testid="data-console"]');
  await panel.waitFor();
  await field('console-business-ref').fill(consoleCall.businessRef);
  await field(`console-value-${ds.key[0]}`).fill(key);
  // A wrong key: 401 from the data API, shown at the key field; the portal session goes on.
  await field('console-apikey').fill('gsk_not_a_real_key');
  await page.locator('[data-testid="console-run"]').click();
  await page.locator('[data-testid="console-field-apikey"] .el-form-item__error').getByText('API 密钥无效').waitFor();
  assert.equal(new URL(page.url()).pathname, `/grants/${consoleCall.grant}`, 'a refused API key must not end the portal session');
  await page.locator('[data-testid="header-user"]').waitFor();
  await shot('50-console-wrong-key');
  await field('console-apikey').fill(app.api_key);
  await page.locator('[data-testid="console-run"]').click();
  const record = page.locator('[data-testid="console-record"]');
  await record.waitFor();
  const id = (await page.locator(`[data-testid="console-record-${ds.key[0]}"]`).innerText()).trim();
  assert.match(id, /\*/, `the key item comes back masked, got ${id}`);
  assert.notEqual(id, key);
  const receipt = (await page.locator('[data-testid="console-receipt"]').innerText()).match(/X-Audit-Receipt:\s*(\d+)/);
  assert.ok(receipt, 'no audit receipt shown');
  consoleCall.receipt = receipt[1];
  await panel.scrollIntoViewIfNeeded();
  await shot('51-console-lookup');
  // The portal session still works after the call with the key.
  await page.locator('[data-testid="menu-grants"]').click();
  await page.waitForURL((u) => u.pathname === '/grants');
  await logout();
});

// The demo provider's death registrations (src/exchange/demo_provider.cpp, DemoDeathRecord): the record of a resident ID, or null.
function demoDeath(id) {
  const h = crypto.createHash('sha256').update(`govshare-demo-death:${id}`).digest('hex');
  const v = parseInt(h.slice(0, 8), 16);
  if (v % 50 !== 0) return null;
  const year = Math.max(Number(id.slice(6, 10)) + 1, 2016 + (Math.floor(v / 50) % 10));
  if (year > 2025) return null;
  const pad = (n) => String(n).padStart(2, '0');
  return { id, date: `${year}-${pad(1 + (Math.floor(v / 16) % 12))}-${pad(1 + (Math.floor(v / 1024) % 28))}` };
}

test('a consumer verifies data in the data console (verification mode): per-field results and a receipt', async () => {
  // The verification is answered by the provider's own interface (logical access): the demo provider on 127.0.0.1:8091.
  assert.ok(!/demo provider not started/.test(serverLog), `the demo provider did not start (is 127.0.0.1:8091 taken?):\n${serverLog}`);
  const app = creds.applications.find((a) => a.name === '社保待遇资格认证系统');
  await login(byName('requester'));
  const grants = await page.evaluate(async (ids) => Promise.all(ids.map(async (id) => (await fetch(`/api/v1/grants/${id}`)).json())), app.grants);
  const grant = grants.find((g) => g.manner === 'verify');
  assert.ok(grant, 'no verification grant among the demo application\'s grants');
  // A resident with a death registration at the demo provider, among the people of 常住人口基本信息.
  const people = await page.evaluate(async () => (await (await fetch(`/api/v1/datasets?q=${encodeURIComponent('常住人口基本信息')}`)).json()).items.find((d) => d.name === '常住人口基本信息'));
  const ds = await page.evaluate(async (id) => (await fetch(`/api/v1/datasets/${id}`)).json(), people.id);
  const keyColumn = ds.columns.find((c) => c.name === ds.key[0]);
  const sql = spawnSync('sqlite3', [path.join(dataDir, 'exchange.db'), `SELECT c${keyColumn.position} FROM d${ds.id} LIMIT 5000`], { encoding: 'utf8' });
  const dead = sql.stdout.split('\n').map((l) => l.trim()).filter(Boolean).map(demoDeath).find(Boolean);
  assert.ok(dead, `no resident with a demo death registration: ${sql.stderr}`);

  await page.goto(`${baseUrl}/grants/${grant.id}`);
  const panel = page.locator('[data-testid="data-console"]');
  await panel.waitFor();
  await field('console-apikey').fill(app.api_key);
  await field('console-business-ref').fill(`${consoleCall.businessRef}-V`);
  await field('console-value-公民身份号码').fill(dead.id);
  await field('console-value-死亡日期').fill(dead.date);
  await page.locator('[data-testid="console-run"]').click();
  const result = page.locator('[data-testid="console-verify-result"]');
  await result.getByText('找到记录', { exact: true }).waitFor();
  await result.locator('[data-testid="console-match-公民身份号码"]').getByText('✓ 一致').waitFor();
  await result.locator('[data-testid="console-match-死亡日期"]').getByText('✓ 一致').waitFor();
  const receipt = (await page.locator('[data-testid="console-receipt"]').innerText()).match(/X-Audit-Receipt:\s*(\d+)/);
  assert.ok(receipt, 'no audit receipt shown');
  // A wrong date: the ID still matches, the date does not; never a value, only true/false; a new receipt.
  const [y, m, d] = dead.date.split('-');
  await field('console-value-死亡日期').fill(`${Number(y) === 2016 ? 2017 : 2016}-${m}-${d}`);
  await page.locator('[data-testid="console-run"]').click();
  await result.locator('[data-testid="console-match-死亡日期"]').getByText('✗ 不一致').waitFor();
  await result.locator('[data-testid="console-match-公民身份号码"]').getByText('✓ 一致').waitFor();
  const second = (await page.locator('[data-testid="console-receipt"]').innerText()).match(/X-Audit-Receipt:\s*(\d+)/);
  assert.ok(second && Number(second[1]) > Number(receipt[1]), `a new receipt for the second call (${receipt[1]} then ${second && second[1]})`);
  assert.ok(!(await result.innerText()).includes(dead.date), 'a verification never shows the stored value');
  await panel.scrollIntoViewIfNeeded();
  await shot('49-console-verify');
  await logout();
});

test('the datasets page pages and sorts on the server, finds 常住人口基本信息 by its name with its row count; its detail shows the columns', async () => {
  await login(byName('requester'));
  const [firstPage] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/datasets'),
    page.locator('[data-testid="menu-datasets"]').click(),
  ]);
  await page.waitForURL((u) => u.pathname === '/datasets');
  const first = await firstPage.json();
  assert.equal(first.items.length, 20, 'a page of 20 datasets');
  assert.ok(first.next_cursor, 'the demo has more than one page of datasets');
  // The row-count column's descending caret asks the server for sort=-row_count: the population dataset comes first.
  const table = page.locator('[data-testid="datasets-table"]');
  const [sorted] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/datasets?') && new URL(r.url()).searchParams.get('sort') === '-row_count'),
    table.locator('thead th').filter({ hasText: '记录数' }).locator('.sort-caret.descending').click(),
  ]);
  const counts = (await sorted.json()).items.map((d) => d.row_count);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
  const [more] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/datasets?') && new URL(r.url()).searchParams.has('cursor')),
    page.locator('[data-testid="load-more"]').click(),
  ]);
  assert.equal(new URL(more.url()).searchParams.get('sort'), '-row_count');
  // The filter goes to the server (q), with the sort kept.
  const [found] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/datasets?') && new URL(r.url()).searchParams.get('q') === '常住人口'),
    input('datasets-filter').fill('常住人口').then(() => input('datasets-filter').press('Enter')),
  ]);
  assert.equal(new URL(found.url()).searchParams.get('sort'), '-row_count');
  const ds = (await found.json()).items.find((d) => d.name === '常住人口基本信息');
  assert.ok(ds && ds.row_count > 0, '常住人口基本信息 has no rows');
  const link = page.locator(`[data-testid="dataset-link-${ds.id}"]`);
  await link.getByText('常住人口基本信息').waitFor();
  const shown = (await page.locator(`[data-testid="dataset-rows-${ds.id}"]`).innerText()).replace(/,/g, '');
  assert.equal(Number(shown), ds.row_count);
  await shot('43-datasets');
  await link.click();
  await page.waitForURL((u) => u.pathname === `/datasets/${ds.id}`);
  await page.locator('[data-testid="dataset-columns"]').getByText('公民身份号码').waitFor();
  assert.equal((await page.locator('[data-testid="dataset-row-count"]').innerText()).replace(/,/g, ''), String(ds.row_count));
  await page.locator('[data-testid="menu-datasets"].is-active').waitFor();
  // A requester of another department does not register the provider's interface.
  assert.equal(await page.locator('[data-testid="endpoint-panel"]').count(), 0);
  // Nor loads its data.
  assert.equal(await page.locator('[data-testid="load-panel"]').count(), 0);
  await shot('44-dataset');
  await logout();

  // The provider's data steward registers the interface for logical access: none at first, then its circuit.
  await login(byName('steward'));
  await page.goto(`${baseUrl}/datasets/${ds.id}`);
  await page.locator('[data-testid="endpoint-none"]').waitFor();
  await page.locator('[data-testid="endpoint-save"]').click();
  await page.locator('.el-form-item__error', { hasText: '请填写接口地址' }).waitFor();
  await field('endpoint-url').fill('ftp://127.0.0.1/people');
  await page.locator('[data-testid="endpoint-save"]').click();
  await page.locator('.el-form-item__error', { hasText: '地址须为 http://' }).waitFor();
  await field('endpoint-url').fill('http://127.0.0.1:9/people/{key}');
  await page.locator('[data-testid="endpoint-save"]').click();
  await page.locator('[data-testid="endpoint-circuit"]').getByText('正常').waitFor();
  await shot('45-dataset-endpoint');
  await logout();
});

test('a data steward of the provider loads a snapshot: a file over the limit is refused before sending, one good and one bad row in keep-good mode give the rejection report', async () => {
  await login(byName('steward'));
  const api = await page.evaluate(async () => (await (await fetch(`/api/v1/datasets?q=${encodeURIComponent('居民身份证签发信息')}`)).json()).items);
  const ds = api.find((d) => d.name === '居民身份证签发信息');
  assert.ok(ds, 'no dataset 居民身份证签发信息');
  await page.goto(`${baseUrl}/datasets/${ds.id}`);
  const panel = page.locator('[data-testid="load-panel"]');
  await panel.waitFor();
  // Never loaded: stale.
  assert.equal(ds.stale, true);
  await page.locator('[data-testid="dataset-freshness"]').getByText('未按时更新').waitFor();
  // Nothing chosen: the file is required, checked before sending.
  await page.locator('[data-testid="load-submit"]').click();
  await page.locator('[data-testid="load-field-file"] .el-form-item__error').getByText('请选择数据文件').waitFor();
  // Over http.max_body_bytes: refused in the browser, with the command line that loads it.
  const chooser = page.locator('[data-testid="load-file"] input[type="file"]');
  await chooser.setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.alloc(1024 * 1024 + 10, 'a') });
  const tooLarge = page.locator('[data-testid="load-too-large"]');
  await tooLarge.waitFor();
  assert.equal((await page.locator('[data-testid="load-cli"]').innerText()).trim(), `govshare import --dataset ${ds.id} --data DIR big.csv`);
  await tooLarge.scrollIntoViewIfNeeded();
  await shot('46-dataset-load-too-large');
  // One good row and one with a wrong ID checksum, keep-good mode: the good row is loaded, the bad one reported.
  const good = '11010519491231002X';
  const bad = '110105194912310021';
  const csv = `公民身份号码,姓名,签发机关\r\n${good},端到端甲,石家庄市公安局\r\n${bad},端到端乙,石家庄市公安局\r\n`;
  await chooser.setInputFiles({ name: 'snapshot.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.locator('[data-testid="load-file-name"]').getByText('snapshot.csv').waitFor();
  assert.equal(await tooLarge.count(), 0);
  await page.locator('[data-testid="load-mode-keep_good"]').click();
  await page.locator('[data-testid="load-submit"]').click();
  await page.locator('.el-message-box .el-button--primary').click();
  const outcome = page.locator('[data-testid="load-outcome"]');
  await outcome.locator('[data-testid="load-applied"]').waitFor();
  assert.equal(await outcome.locator('[data-testid="load-accepted"]').innerText(), '1');
  assert.equal(await outcome.locator('[data-testid="load-rejected"]').innerText(), '1');
  assert.equal(await outcome.locator('[data-testid="load-seq"]').innerText(), String(ds.last_seq + 1));
  const report = outcome.locator('[data-testid="load-rejections"]');
  await report.locator('[data-testid="load-rejection-row-2"]').waitFor();
  assert.equal(await report.locator('.el-table__body tr').count(), 1, 'one rejected row');
  await report.getByText('公民身份号码校验失败').waitFor();
  await report.locator('[data-rule="resident_id_checksum"]').waitFor();
  const masked = await report.locator('.el-table__body tr td').nth(4).innerText();
  assert.match(masked, /\*/, `the rejected value is masked, got ${masked}`);
  assert.ok(!masked.includes(bad), 'the rejected value must not be shown in full');
  // The page shows the new row count, and the dataset is up to date again.
  await page.locator('[data-testid="dataset-row-count"]').getByText('1', { exact: true }).waitFor();
  await page.locator('[data-testid="dataset-freshness"]').getByText('正常').waitFor();
  await outcome.scrollIntoViewIfNeeded();
  await shot('47-dataset-load-report');
  await logout();
});

test('an auditor searches the audit log, opens a record with all its fields and verifies it in the browser (✓)', async () => {
  // Only auditors have the 审计 menu.
  await login(byName('requester'));
  await page.locator('[data-testid="side-menu"]').waitFor();
  assert.equal(await page.locator('[data-testid="menu-audit"]').count(), 0, 'a requester has no audit menu');
  await logout();

  await login(byName('auditor'));
  await page.locator('[data-testid="menu-audit"]').click();
  await page.waitForURL((u) => u.pathname === '/audit');
  await page.locator('[data-testid="audit-table"]').waitFor();
  // The logins of this run: their outcome records, allowed.
  await field('audit-filter-action').fill('POST /api/v1/auth/login');
  await choose('audit-filter-decision', '允许');
  await page.locator('[data-testid="audit-search"]').click();
  const rows = page.locator('[data-testid="audit-table"] .el-table__row');
  await rows.first().waitFor();
  for (const text of await rows.allInnerTexts()) {
    assert.match(text, /POST \/api\/v1\/auth\/login/);
    assert.match(text, /允许/);
  }
  await shot('52-audit-search');
  await rows.first().locator('[data-testid^="audit-open-"]').click();
  const drawer = page.locator('[data-testid="audit-drawer"]');
  await drawer.locator('[data-testid="audit-record"]').waitFor();
  for (const k of ['leaf_index', 'time', 'actor', 'department', 'role', 'action', 'target', 'decision', 'reason', 'grant_id', 'scenario', 'business_ref', 'fields', 'row_count', 'content_hash', 'client_address', 'request_id']) {
    await drawer.locator(`[data-testid="audit-field-${k}"]`).waitFor();
  }
  assert.match(await drawer.locator('[data-testid="audit-field-target"]').innerText(), /\/api\/v1\/auth\/login/);
  await drawer.locator('[data-testid="audit-verify"]').click();
  const result = drawer.locator('[data-testid="audit-verify-result"]');
  await result.waitFor({ timeout: 20000 });
  assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText());
  await result.getByText('验证通过').waitFor();
  for (const s of ['leaf', 'path', 'signature']) assert.equal(await drawer.locator(`[data-testid="audit-step-${s}"]`).getAttribute('data-ok'), 'true');
  await result.scrollIntoViewIfNeeded();
  await shot('53-audit-verified');
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'hidden' });
  // The data console's lookup: found by its grant, with the business reference, the fields and the content hash.
  if (consoleCall.receipt) {
    await page.locator('button', { hasText: '重置' }).first().click();
    await field('audit-filter-grant').fill(consoleCall.grant);
    await page.locator('[data-testid="audit-search"]').click();
    await page.locator(`[data-testid="audit-open-${consoleCall.receipt}"]`).click();
    await drawer.locator('[data-testid="audit-field-business_ref"]').getByText(consoleCall.businessRef).waitFor();
    assert.match(await drawer.locator('[data-testid="audit-field-content_hash"]').innerText(), /^[0-9a-f]{64}$/);
    assert.match(await drawer.locator('[data-testid="audit-field-actor"]').innerText(), /社保待遇资格认证系统/);
    await drawer.locator('[data-testid="audit-verify"]').click();
    await result.waitFor({ timeout: 20000 });
    await drawer.locator('[data-testid="audit-verify-result"][data-ok="true"]').waitFor({ timeout: 20000 });
    await result.scrollIntoViewIfNeeded();
    await shot('54-audit-data-call-verified');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  }
  await logout();
});

test('the dashboard renders its charts from the platform-wide counts', async () => {
  await login(byName('requester'));
  await page.locator('[data-testid="menu-dashboard"]').click();
  await page.waitForURL((u) => u.pathname === '/dashboard');
  const stats = await page.evaluate(async () => (await fetch('/api/v1/stats/dashboard')).json());
  assert.ok(stats.catalog.published >= 150, `published ${stats.catalog.published}`);
  const published = (await page.locator('[data-testid="dashboard-number-published"] .value').innerText()).replace(/,/g, '');
  assert.equal(Number(published), stats.catalog.published);
  // Every chart with data is drawn on a canvas; the data console's lookup of this run is among today's calls.
  assert.ok(stats.data_calls[stats.data_calls.length - 1].allowed >= (consoleCall.receipt ? 1 : 0));
  for (const id of ['share-type', 'compliance', 'departments', ...(consoleCall.receipt ? ['calls'] : [])]) {
    await page.locator(`[data-testid="dashboard-chart-${id}"] canvas`).first().waitFor();
  }
  const overdue = page.locator('[data-testid="dashboard-chart-overdue"]');
  await overdue.locator('canvas, [data-testid="dashboard-chart-empty"]').first().waitFor();
  await page.waitForTimeout(600); // let the charts' entry animation finish before the screenshot
  await shot('55-dashboard');
  await page.locator('[data-testid="dashboard-chart-departments"]').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await shot('56-dashboard-departments');
  // In English the charts are relabelled at once.
  await page.locator('[data-testid="lang-switch"]').first().click();
  await page.locator('[data-testid="lang-en"]').click();
  await page.locator('[data-testid="dashboard-chart-compliance"]').getByText('Sharing request deadlines').waitFor();
  await page.locator('[data-testid="dashboard"]').getByText('Dashboard').first().waitFor();
  await page.locator('[data-testid="dashboard"]').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('.main') && document.querySelector('.main').scrollTo(0, 0));
  await page.waitForTimeout(600);
  await shot('57-dashboard-english');
  await page.locator('[data-testid="lang-switch"]').first().click();
  await page.locator('[data-testid="lang-zh-CN"]').click();
  await logout();
});

test('a catalog manager imports a CSV: a bad row is refused with its row and field, the fixed file creates the drafts', async () => {
  await login(byName('catalog'));
  await page.locator('[data-testid="menu-catalog-transfer"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog/transfer');
  // The export link downloads the published catalog as the CSV template (with the export-only columns first).
  const exportHref = await page.locator('[data-testid="export-download"]').getAttribute('href');
  assert.equal(exportHref, '/api/v1/catalog/export?format=csv');
  const exported = await page.evaluate(async (u) => (await fetch(u)).text(), exportHref);
  assert.match(exported.split('\n')[0], /信息资源代码.*信息资源名称/);
  assert.match(exported, /常住人口基本信息/);
  const suffix = Date.now().toString(36);
  const row = (values) => TEMPLATE_COLUMNS.map((c) => values[c] || '');
  const good = { 信息资源名称: `端到端导入户籍信息${suffix}`, 信息资源分类: '30111', 共享类型: '有条件共享', 信息项名称: '公民身份号码', 数据元: 'DE0001' };
  const second = { 信息资源名称: `端到端导入婚姻登记${suffix}`, 信息资源分类: '30112', 共享类型: '部分共享' };
  const upload = async (name, rows) => {
    await page.locator('[data-testid="import-file"] input[type="file"]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from('\uFEFF' + csvText([TEMPLATE_COLUMNS, ...rows])) });
    await page.locator('[data-testid="import-file-name"]').getByText(name).waitFor();
    await page.locator('[data-testid="import-run"]').click();
  };
  // Line 3 (the second entry) has a share type outside the list: nothing is imported, the table says where.
  await upload('bad.csv', [row(good), row(second)]);
  await page.locator('[data-testid="import-error"]').getByText('导入文件有错误').waitFor();
  const problems = page.locator('[data-testid="import-problems"]');
  await problems.locator('[data-testid="import-problem-row-3"]').waitFor();
  assert.equal(await problems.locator('.el-table__body tr').count(), 1, 'one problem, on line 3');
  await problems.locator('[data-field="share_type"]').getByText('共享类型').waitFor();
  await problems.locator('[data-rule="invalid_value"]').waitFor();
  await shot('60-catalog-import-rejected');
  await upload('good.csv', [row(good), row({ ...second, 共享类型: '无条件共享' })]);
  await page.locator('[data-testid="import-done"]').getByText('已导入 2 条目录草稿').waitFor();
  const drafts = page.locator('[data-testid="import-drafts"]');
  await drafts.getByText(good.信息资源名称).waitFor();
  await drafts.getByText('草稿').first().waitFor();
  assert.equal(await page.locator('[data-testid="import-problems"]').count(), 0);
  await shot('61-catalog-imported');
  await drafts.getByText(good.信息资源名称).click();
  await page.waitForURL((u) => /^\/catalog\/entries\/\d+$/.test(u.pathname));
  await page.locator('[data-testid="entry-name"]').getByText(good.信息资源名称).waitFor();
  await logout();
});

test('a province catalog administrator adds a data element: a bad id and a taken one are refused next to the field, the new one is listed', async () => {
  // A catalog manager reads the lists but has no button to change them.
  await login(byName('catalog'));
  await page.locator('[data-testid="menu-catalog-reference"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog/reference');
  await page.locator('[data-testid="elements-table"]').getByText('DE0001').waitFor();
  assert.equal(await page.locator('[data-testid="element-create"]').count(), 0, 'a catalog manager cannot add data elements');
  assert.equal(await page.locator('[data-testid^="element-edit-"]').count(), 0, 'nor edit them');
  await logout();

  await login(byName('head'));
  await page.locator('[data-testid="menu-catalog-reference"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog/reference');
  await page.locator('[data-testid="elements-table"]').getByText('DE0001').waitFor();
  await page.locator('[data-testid="element-create"]').click();
  const dialog = page.locator('[data-testid="element-dialog"]');
  await dialog.waitFor();
  const idError = page.locator('[data-testid="element-field-id"] .el-form-item__error');
  // Checked before sending: the id's form.
  await field('element-id').fill('de12');
  await field('element-name').fill('端到端测试数据元');
  await page.locator('[data-testid="element-save"]').click();
  await idError.getByText('两个大写字母').waitFor();
  // Refused by the server: the id is taken; the message sits next to the id.
  await field('element-id').fill('DE0001');
  await idError.waitFor({ state: 'detached' });
  await page.locator('[data-testid="element-save"]').click();
  await idError.getByText('该数据元标识已存在').waitFor();
  await shot('62-element-duplicate');
  const id = `ZZ${String(Date.now()).slice(-6)}`;
  await field('element-id').fill(id);
  await field('element-representation').fill('an20');
  await page.locator('[data-testid="element-save"]').click();
  await dialog.waitFor({ state: 'hidden' });
  await field('reference-filter').fill(id);
  const table = page.locator('[data-testid="elements-table"]');
  await table.getByText(id).waitFor();
  await table.getByText('端到端测试数据元').waitFor();
  await page.locator(`[data-testid="element-edit-${id}"]`).waitFor();
  await shot('63-element-added');
  // The databases tab lists the base and thematic databases with their lead departments.
  await field('reference-filter').fill('');
  await page.locator('.el-tabs__item', { hasText: '基础库/主题库' }).click();
  await page.locator('[data-testid="databases-table"] .el-table__body tr').first().waitFor();
  await page.locator('[data-testid="database-create"]').waitFor();
  await shot('64-databases');
  await logout();
});

test('a catalog manager imports a JSON file: a bad entry is refused with its row and field, the fixed file creates the drafts', async () => {
  await login(byName('catalog'));
  await page.locator('[data-testid="menu-catalog-transfer"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog/transfer');
  const suffix = Date.now().toString(36);
  const entry = (name, extra = {}) => ({
    name,
    classification: '30111',
    abstract: '端到端 JSON 导入测试',
    keywords: ['导入'],
    format: 'database',
    subject: 'person',
    share_type: 'conditional',
    share_condition: '经提供部门同意',
    share_methods: ['api'],
    open_attribute: 'not_open',
    update_frequency: 'daily',
    security_level: 'general3',
    scope_of_use: ['端到端测试'],
    databases: [],
    non_classified: true,
    items: [{ name: '公民身份号码', element: 'DE0001', data_type: 'C', length: 18, key: true, personal: true, level: 'general3' }],
    ...extra,
  });
  const first = `端到端JSON导入甲${suffix}`;
  const second = `端到端JSON导入乙${suffix}`;
  const upload = async (name, entries) => {
    await page.locator('[data-testid="import-file"] input[type="file"]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ entries })) });
    await page.locator('[data-testid="import-file-name"]').getByText(name).waitFor();
    await page.locator('[data-testid="import-run"]').click();
  };
  // The second entry's share type is outside the list: nothing is imported; the problem names entry 2 and its field.
  await upload('bad.json', [entry(first), entry(second, { share_type: 'sometimes' })]);
  await page.locator('[data-testid="import-error"]').getByText('导入文件有错误').waitFor();
  const problems = page.locator('[data-testid="import-problems"]');
  await problems.locator('[data-testid="import-problem-row-2"]').waitFor();
  assert.equal(await problems.locator('.el-table__body tr').count(), 1, 'one problem, in entry 2');
  await problems.locator('[data-field="share_type"]').getByText('共享类型').waitFor();
  await problems.locator('[data-rule="invalid_value"]').waitFor();
  await shot('65-catalog-import-json-rejected');
  await upload('good.json', [entry(first), entry(second, { share_type: 'unconditional', share_condition: '' })]);
  await page.locator('[data-testid="import-done"]').getByText('已导入 2 条目录草稿').waitFor();
  const drafts = page.locator('[data-testid="import-drafts"]');
  await drafts.getByText(first).waitFor();
  await drafts.getByText(second).waitFor();
  assert.equal(await page.locator('[data-testid="import-problems"]').count(), 0);
  await shot('66-catalog-imported-json');
  await logout();
});

test('a province catalog administrator edits a data element and a database: checked before sending, the change is listed', async () => {
  await login(byName('head'));
  await page.locator('[data-testid="menu-catalog-reference"]').click();
  await page.waitForURL((u) => u.pathname === '/catalog/reference');
  const table = page.locator('[data-testid="elements-table"]');
  await table.getByText('DE0003').waitFor();
  await field('reference-filter').fill('DE0003');
  await page.locator('[data-testid="element-edit-DE0003"]').click();
  const dialog = page.locator('[data-testid="element-dialog"]');
  await dialog.waitFor();
  // The id is fixed once created; the form holds the element's values.
  assert.equal(await field('element-id').isDisabled(), true);
  assert.equal(await field('element-name').inputValue(), '性别代码');
  // Checked before sending: the representation's form.
  await field('element-representation').fill('n');
  await page.locator('[data-testid="element-save"]').click();
  await page.locator('[data-testid="element-field-representation"] .el-form-item__error').getByText('表示格式为').waitFor();
  await shot('67-element-edit-invalid');
  const definition = `端到端修改的定义${Date.now().toString(36)}`;
  await field('element-representation').fill('n1');
  await field('element-definition').fill(definition);
  await page.locator('[data-testid="element-save"]').click();
  await dialog.waitFor({ state: 'hidden' });
  await table.getByText(definition).waitFor();
  await shot('68-element-edited');
  // The element now has version 2 on the server.
  const els = await page.evaluate(async () => (await (await fetch('/api/v1/catalog/elements')).json()));
  const de3 = (els.items || els).find((e) => e.id === 'DE0003');
  assert.equal(de3.definition, definition);
  assert.equal(de3.version, 2);

  // A database: the code is fixed, the name is checked, the new name and lead department are listed.
  await field('reference-filter').fill('');
  await page.locator('.el-tabs__item', { hasText: '基础库/主题库' }).click();
  const dbs = page.locator('[data-testid="databases-table"]');
  await dbs.getByText('生态环保主题库').waitFor();
  await page.locator('[data-testid="database-edit-eco"]').click();
  const dbDialog = page.locator('[data-testid="database-dialog"]');
  await dbDialog.waitFor();
  assert.equal(await field('database-code').isDisabled(), true);
  await field('database-name').fill('');
  await page.locator('[data-testid="database-save"]').click();
  await dbDialog.locator('.el-form-item__error').getByText('请填写名称').waitFor();
  const name = `生态环境主题库${Date.now().toString(36).slice(-4)}`;
  await field('database-name').fill(name);
  await field('database-description').fill('端到端修改：生态环境监测与执法数据');
  await page.locator('[data-testid="database-save"]').click();
  await dbDialog.waitFor({ state: 'hidden' });
  await dbs.getByText(name).waitFor();
  await dbs.getByText('端到端修改：生态环境监测与执法数据').waitFor();
  await shot('69-database-edited');
  await logout();
});
