import { describe, it, expect } from 'vitest';
import zhCN from '../src/i18n/zh-CN.js';
import en from '../src/i18n/en.js';
import fs from 'node:fs';
import path from 'node:path';

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
function get(obj, key) {
  return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

describe('i18n completeness', () => {
  const zhKeys = keys(zhCN);
  const enKeys = keys(en);
  it('every zh-CN key exists in en', () => {
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
  });
  it('every en key exists in zh-CN', () => {
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
  });
  it('no message is empty and placeholders match', () => {
    for (const k of zhKeys) {
      const a = get(zhCN, k);
      const b = get(en, k);
      expect(typeof a === 'string' && a.length > 0, k).toBe(true);
      expect(typeof b === 'string' && b.length > 0, k).toBe(true);
      const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join();
      expect(ph(b), k).toBe(ph(a));
    }
  });
  it('has a label for every case type the server registers', () => {
    // The case type ids are the server's constants (k...Case, kExtensionType) in these headers.
    const headers = ['catalog/catalog_service.hpp', 'sharing/sharing_service.hpp', 'workflow/case_service.hpp'];
    const types = headers.flatMap((h) =>
      [...fs.readFileSync(path.resolve(__dirname, '../../src', h), 'utf8').matchAll(/inline constexpr const char\* k\w+(?:Case|Type) = "(\w+)"/g)].map((m) => m[1]),
    );
    expect(types).toContain('share_outward');
    expect(types).toContain('extension');
    expect(types.filter((ty) => !zhCN.cases.types[ty] || !en.cases.types[ty])).toEqual([]);
  });
  it('has a label for every action of the sharing case types', () => {
    const source = fs.readFileSync(path.resolve(__dirname, '../../src/sharing/sharing_service.cpp'), 'utf8');
    const actions = [...new Set([...source.matchAll(/\bT\("(\w+)"/g)].map((m) => m[1]))];
    expect(actions).toContain('answer_no');
    expect(actions.filter((a) => !zhCN.cases.actionNames[a] || !en.cases.actionNames[a])).toEqual([]);
  });
  it('has a label for every role and the required titles', () => {
    for (const r of ['platform_admin', 'authority_reviewer', 'authority_head', 'government_approver', 'catalog_manager', 'data_steward', 'requester', 'auditor', 'contractor']) {
      expect(zhCN.roles[r]).toBeTruthy();
      expect(en.roles[r]).toBeTruthy();
    }
    expect(zhCN.app.fullTitle).toBe('河北省政务数据共享平台 govshare');
    expect(zhCN.login.sessionExpired).toBe('会话已过期，请重新登录');
    expect(zhCN.regions.noCode).toBe('无代码（雄安新区）');
  });
  it('every key used in the sources exists', () => {
    const srcDir = path.resolve(__dirname, '../src');
    const files = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (/\.(vue|js)$/.test(e.name) && !d.endsWith('i18n')) files.push(path.join(d, e.name));
      }
    };
    walk(srcDir);
    const missing = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\b(?:t|\$t|te|\$te)\(\s*'([a-zA-Z]+\.[a-zA-Z0-9_.]+)'/g)) {
        if (get(zhCN, m[1]) === undefined || get(en, m[1]) === undefined) missing.push(`${path.basename(f)}: ${m[1]}`);
      }
      for (const m of text.matchAll(/title:\s*'([a-zA-Z]+\.[a-zA-Z0-9_.]+)'/g)) {
        if (get(zhCN, m[1]) === undefined) missing.push(`${path.basename(f)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('error codes of docs/API.md', () => {
  it('every documented error code is translated in zh-CN and en', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/API.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Error codes'));
    const codes = [...table.matchAll(/^\|\s*\d{3}\s*\|\s*`([a-z_]+)`/gm)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(60);
    for (const c of ['case_closed', 'extension_limit', 'makeup_not_weekend', 'invalid_idempotency_key']) expect(codes).toContain(c);
    expect(codes.filter((c) => !zhCN.errors[c])).toEqual([]);
    expect(codes.filter((c) => !en.errors[c])).toEqual([]);
  });
});
