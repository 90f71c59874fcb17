import { describe, it, expect } from 'vitest';
import { TEMPLATE_COLUMNS, csvCell, csvText, templateCsv, importContentType, importProblems, exportUrl, exportFilename } from '../src/lib/catalogTransfer.js';

describe('the import template', () => {
  it('has the 25 columns of the server, name and classification first', () => {
    expect(TEMPLATE_COLUMNS).toHaveLength(25);
    expect(TEMPLATE_COLUMNS.slice(0, 2)).toEqual(['信息资源名称', '信息资源分类']);
    expect(TEMPLATE_COLUMNS[TEMPLATE_COLUMNS.length - 1]).toBe('信息项安全级别');
  });
  it('is a BOM and the header row', () => {
    const text = templateCsv();
    expect(text.startsWith('\uFEFF信息资源名称,信息资源分类,')).toBe(true);
    expect(text.endsWith('信息项安全级别\r\n')).toBe(true);
  });
  it('quotes cells with commas, quotes and line breaks only', () => {
    expect(csvCell('a')).toBe('a');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x\ny')).toBe('"x\ny"');
    expect(csvCell(null)).toBe('');
    expect(csvText([['a', 1], ['b,c', '']])).toBe('a,1\r\n"b,c",\r\n');
  });
});

describe('importContentType', () => {
  it('sends CSV as text/csv and JSON as application/json, by name first', () => {
    expect(importContentType({ name: '目录.CSV', type: '' })).toBe('text/csv');
    expect(importContentType({ name: 'entries.json', type: 'text/plain' })).toBe('application/json');
    expect(importContentType({ name: 'upload', type: 'text/csv' })).toBe('text/csv');
    expect(importContentType({ name: 'catalog.xlsx', type: 'application/vnd.ms-excel' })).toBeNull();
    expect(importContentType(null)).toBeNull();
  });
});

describe('importProblems', () => {
  it('sorts by row and splits item paths', () => {
    const rows = importProblems([
      { row: 3, field: '/share_type', rule: 'invalid_value', article: '', message: '共享类型无效' },
      { row: 2, field: '/items/1/level', rule: 'invalid_value', article: '7', message: 'level' },
      { row: 2, field: '', rule: 'column_count', article: '', message: '第 2 行有 3 列' },
      null,
    ]);
    expect(rows.map((r) => r.row)).toEqual([2, 2, 3]);
    expect(rows[0]).toMatchObject({ path: 'items.1.level', field: 'items', item: 1, attr: 'level', article: '7' });
    expect(rows[1]).toMatchObject({ path: '', field: '', item: null, attr: null, rule: 'column_count' });
    expect(rows[2]).toMatchObject({ path: 'share_type', field: 'share_type', item: null });
  });
  it('accepts a pointer with /content and a missing row', () => {
    const [p] = importProblems([{ field: '/content/items/0', rule: 'required' }]);
    expect(p).toMatchObject({ row: 0, field: 'items', item: 0, attr: null });
    expect(importProblems(undefined)).toEqual([]);
  });
});

describe('export links', () => {
  it('builds the URL with the format and an optional region', () => {
    expect(exportUrl('csv')).toBe('/api/v1/catalog/export?format=csv');
    expect(exportUrl('dcat', 'sjz')).toBe('/api/v1/catalog/export?format=dcat&region=sjz');
    expect(exportUrl('xml')).toBe('/api/v1/catalog/export?format=json');
  });
  it('names the file by format and region', () => {
    expect(exportFilename('csv')).toBe('catalog.csv');
    expect(exportFilename('json', 'sjz')).toBe('catalog-sjz.json');
    expect(exportFilename('dcat')).toBe('catalog.dcat.jsonld');
  });
});
