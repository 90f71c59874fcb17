// Catalog import and export (目录导入导出): the CSV template, the request of POST /catalog/import for a chosen file,
// the problems of a refused import, and the links of GET /catalog/export.
import { API_BASE } from '../api/http.js';
import { violationPath } from './catalog.js';

/**
 * The columns of the import template, in order (TemplateColumns in src/catalog/transfer.cpp). One row per information
 * item; the consecutive rows of one entry share its name. Closed-list cells take the API value or its Chinese label;
 * list cells are separated by ';' or '；'.
 */
export const TEMPLATE_COLUMNS = Object.freeze([
  '信息资源名称', '信息资源分类', '信息资源摘要', '关键字', '信息资源格式', '数据主体', '共享类型', '共享条件', '不予共享依据',
  '共享方式', '开放属性', '开放条件', '更新周期', '安全级别', '使用范围', '所属基础库主题库', '关联资源代码', '非涉密声明',
  '信息项名称', '数据元', '数据类型', '数据长度', '是否关键项', '是否个人信息', '信息项安全级别',
]);

/** One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvCell(value) {
  const s = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of rows (arrays of cells), CRLF line ends. */
export const csvText = (rows) => rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';

/** The empty template: a BOM (so that spreadsheet programs read UTF-8) and the header row. */
export const templateCsv = () => '\uFEFF' + csvText([TEMPLATE_COLUMNS]);

/** Largest request body the server takes by default (http.max_body_bytes). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/**
 * The Content-Type an import file is sent with, from its name (then its type): 'text/csv' for the template,
 * 'application/json' for {"entries":[…]}, or null for anything else.
 */
export function importContentType(file) {
  const name = String((file && file.name) || '').toLowerCase();
  const type = String((file && file.type) || '').toLowerCase();
  if (name.endsWith('.csv') || type === 'text/csv') return 'text/csv';
  if (name.endsWith('.json') || type === 'application/json') return 'application/json';
  return null;
}

/**
 * The problems of a 422 import_rejected (ApiError.errors: [{row, field, rule, article, message}]) as table rows:
 * {key, row, path, field, item, attr, rule, article, message}. `path` is the content path ("items.0.level"), `field`
 * its first part ("items", or '' for the whole row), `item` the item index and `attr` the item's field when the
 * problem is in an item. Sorted by row, the server's order kept within a row.
 */
export function importProblems(errors) {
  return (errors || [])
    .filter((e) => e && typeof e === 'object')
    .map((e, i) => {
      const path = violationPath(e.field);
      const parts = path ? path.split('.') : [];
      const inItem = parts[0] === 'items' && /^\d+$/.test(parts[1] || '');
      return {
        key: i,
        row: Number.isInteger(e.row) ? e.row : Number(e.row) || 0,
        path,
        field: parts[0] || '',
        item: inItem ? Number(parts[1]) : null,
        attr: inItem && parts.length > 2 ? parts.slice(2).join('.') : null,
        rule: e.rule || '',
        article: e.article || '',
        message: e.message || '',
      };
    })
    .sort((a, b) => a.row - b.row || a.key - b.key);
}

export const EXPORT_FORMATS = Object.freeze(['csv', 'json', 'dcat']);

/** GET /catalog/export for a format and an optional region (that region and below). */
export function exportUrl(format, region) {
  const q = new URLSearchParams({ format: EXPORT_FORMATS.includes(format) ? format : 'json' });
  if (region) q.set('region', region);
  return `${API_BASE}/catalog/export?${q}`;
}

/** The file name a download of the export is saved as. */
export function exportFilename(format, region) {
  const base = region ? `catalog-${region}` : 'catalog';
  if (format === 'csv') return `${base}.csv`;
  if (format === 'dcat') return `${base}.dcat.jsonld`;
  return `${base}.json`;
}
