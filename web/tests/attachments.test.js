import { describe, it, expect } from 'vitest';
import { formatBytes, shortHash, attachmentUploadPath, ATTACHMENT_ERROR_KEYS } from '../src/lib/attachments.js';
import { filenameFromDisposition } from '../src/api/http.js';
import { isValidWebhookUrl, canManageWebhooksOf, DELIVERY_TAG } from '../src/lib/webhooks.js';
import zhCN from '../src/i18n/zh-CN.js';

describe('formatBytes', () => {
  it('formats bytes, kilobytes, megabytes and gigabytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(150 * 1024 + 300)).toBe('150 KB');
    expect(formatBytes(1024 * 1024)).toBe('1 MB');
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MB');
    expect(formatBytes(5.25 * 1024 * 1024)).toBe('5.3 MB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3 GB');
  });
  it('refuses nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes('abc')).toBe('—');
    expect(formatBytes('2048')).toBe('2 KB');
  });
});

describe('shortHash', () => {
  it('keeps the head and the tail', () => {
    const h = '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b';
    expect(shortHash(h)).toBe('3a7bd3e2…4f1b');
    expect(shortHash('abcd')).toBe('abcd');
    expect(shortHash(null)).toBe('');
  });
});

describe('attachmentUploadPath', () => {
  it('percent-encodes the file name as UTF-8', () => {
    expect(attachmentUploadPath(7, 'report.pdf')).toBe('/cases/7/attachments?filename=report.pdf');
    expect(attachmentUploadPath(7, '数据 清单.xlsx')).toBe('/cases/7/attachments?filename=%E6%95%B0%E6%8D%AE%20%E6%B8%85%E5%8D%95.xlsx');
    expect(attachmentUploadPath('12', 'a&b=c?#%+.txt')).toBe('/cases/12/attachments?filename=a%26b%3Dc%3F%23%25%2B.txt');
  });
  it('round-trips through URLSearchParams', () => {
    const name = '附件 (1) & 说明#2.docx';
    const q = attachmentUploadPath(1, name).split('?')[1];
    expect(new URLSearchParams(q).get('filename')).toBe(name);
  });
  it('maps body_too_large to the attachment message', () => {
    expect(zhCN[ATTACHMENT_ERROR_KEYS.body_too_large.split('.')[0]].tooLarge).toBe('文件超过大小限制');
  });
});

describe('filenameFromDisposition', () => {
  it('prefers filename* (UTF-8) and falls back to filename', () => {
    expect(filenameFromDisposition("attachment; filename*=UTF-8''%E6%95%B0%E6%8D%AE.txt")).toBe('数据.txt');
    expect(filenameFromDisposition('attachment; filename="a b.txt"')).toBe('a b.txt');
    expect(filenameFromDisposition('attachment; filename=x.bin')).toBe('x.bin');
    expect(filenameFromDisposition(null)).toBe(null);
  });
});

describe('webhooks helpers', () => {
  it('checks a webhook URL loosely', () => {
    expect(isValidWebhookUrl('http://127.0.0.1:9/hook')).toBe(true);
    expect(isValidWebhookUrl('http://example.org/a?b=c')).toBe(true);
    expect(isValidWebhookUrl('https://example.org/')).toBe(false);
    expect(isValidWebhookUrl('http://')).toBe(false);
    expect(isValidWebhookUrl('http://a b/')).toBe(false);
    expect(isValidWebhookUrl('')).toBe(false);
    expect(isValidWebhookUrl('http://h/' + 'x'.repeat(2048))).toBe(false);
  });
  it('lets administrators manage every department and stewards their own', () => {
    const can = (p) => p === 'webhook.manage';
    expect(canManageWebhooksOf(5, { roles: ['platform_admin'], department_id: 1 }, can)).toBe(true);
    expect(canManageWebhooksOf(5, { roles: ['data_steward'], department_id: 5 }, can)).toBe(true);
    expect(canManageWebhooksOf(6, { roles: ['data_steward'], department_id: 5 }, can)).toBe(false);
    expect(canManageWebhooksOf(5, { roles: ['platform_admin'], department_id: 5 }, () => false)).toBe(false);
    expect(DELIVERY_TAG.failed).toBe('danger');
  });
});

describe('raw uploads and blob downloads through request()', async () => {
  const { request } = await import('../src/api/http.js');
  it('sends the bytes as they are, with their type and the CSRF token', async () => {
    let seen;
    const fetchImpl = async (url, init) => {
      seen = { url, init };
      return new Response('{"case":{"id":3}}', { status: 201, headers: { 'content-type': 'application/json' } });
    };
    const body = new Blob(['hello'], { type: 'text/plain' });
    const res = await request('POST', attachmentUploadPath(3, '说明.txt'), { rawBody: body, contentType: 'text/plain', fetchImpl, authRedirect: false });
    expect(res.case.id).toBe(3);
    expect(seen.url).toBe('/api/v1/cases/3/attachments?filename=%E8%AF%B4%E6%98%8E.txt');
    expect(seen.init.body).toBe(body);
    expect(seen.init.headers['Content-Type']).toBe('text/plain');
    expect(seen.init.credentials).toBe('same-origin');
  });
  it('returns a blob with the file name and hash', async () => {
    const fetchImpl = async () =>
      new Response('abc', { status: 200, headers: { 'content-disposition': "attachment; filename*=UTF-8''a%20b.txt", 'x-content-sha256': 'ff' } });
    const res = await request('GET', '/cases/1/attachments/2', { responseType: 'blob', fetchImpl });
    expect(await res.blob.text()).toBe('abc');
    expect(res.filename).toBe('a b.txt');
    expect(res.sha256).toBe('ff');
  });
});
