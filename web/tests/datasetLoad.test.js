import { describe, it, expect } from 'vitest';
import {
  MAX_LOAD_BYTES,
  REJECTION_RULES,
  canLoadDataset,
  checkLoadFile,
  cliImportCommand,
  effectiveEncoding,
  guessFormat,
  loadContentType,
  loadErrorField,
  loadOutcome,
  loadQuery,
  pageOf,
  percent,
  rejectionRows,
  seqRange,
} from '../src/lib/datasetLoad.js';
import zhCN from '../src/i18n/zh-CN.js';
import en from '../src/i18n/en.js';

const file = (name, size = 10, type = '') => ({ name, size, type });

describe('dataset snapshot load: the request', () => {
  it('guesses the format from the name, then the type', () => {
    expect(guessFormat(file('人口.CSV'))).toBe('csv');
    expect(guessFormat(file('a.jsonl'))).toBe('jsonl');
    expect(guessFormat(file('a.ndjson'))).toBe('jsonl');
    expect(guessFormat(file('blob', 1, 'text/csv'))).toBe('csv');
    expect(guessFormat(file('blob', 1, 'application/x-ndjson'))).toBe('jsonl');
    expect(guessFormat(file('a.json'))).toBe(null);
    expect(guessFormat(file('a.xlsx'))).toBe(null);
    expect(guessFormat(null)).toBe(null);
  });

  it('sends GB18030 only for CSV; JSON Lines are UTF-8', () => {
    expect(effectiveEncoding('csv', 'gb18030')).toBe('gb18030');
    expect(effectiveEncoding('jsonl', 'gb18030')).toBe('utf-8');
    expect(loadContentType('csv', 'gb18030')).toBe('text/csv; charset=gb18030');
    expect(loadContentType('csv', 'utf-8')).toBe('text/csv; charset=utf-8');
    expect(loadContentType('jsonl', 'gb18030')).toBe('application/x-ndjson');
  });

  it('builds the query with safe defaults', () => {
    expect(loadQuery({ format: 'csv', encoding: 'gb18030', mode: 'keep_good' })).toEqual({ format: 'csv', encoding: 'gb18030', mode: 'keep_good' });
    expect(loadQuery({ format: 'jsonl', encoding: 'gb18030', mode: 'reject' })).toEqual({ format: 'jsonl', encoding: 'utf-8', mode: 'reject' });
    expect(loadQuery({ format: 'xml', encoding: 'latin1', mode: 'all' })).toEqual({ format: 'csv', encoding: 'utf-8', mode: 'reject' });
    expect(loadQuery()).toEqual({ format: 'csv', encoding: 'utf-8', mode: 'reject' });
  });

  it('checks the file before sending: required, empty, over the limit, type', () => {
    expect(checkLoadFile(null)).toEqual({ code: 'required' });
    expect(checkLoadFile(file('a.csv', 0))).toEqual({ code: 'empty' });
    expect(checkLoadFile(file('a.csv', MAX_LOAD_BYTES))).toBe(null);
    expect(checkLoadFile(file('a.csv', MAX_LOAD_BYTES + 1))).toEqual({ code: 'too_large', size: MAX_LOAD_BYTES + 1, max: MAX_LOAD_BYTES });
    expect(checkLoadFile(file('a.csv', 200), { maxBytes: 100 }).code).toBe('too_large');
    expect(checkLoadFile(file('a.txt', 5))).toEqual({ code: 'format' });
    expect(MAX_LOAD_BYTES).toBe(1048576);
  });

  it('names the CLI command for a file too large, with the non-default options', () => {
    expect(cliImportCommand(6, 'people.csv')).toBe('govshare import --dataset 6 --data DIR people.csv');
    expect(cliImportCommand(6, 'p.csv', { format: 'csv', encoding: 'gb18030', mode: 'keep_good' })).toBe(
      'govshare import --dataset 6 --data DIR --encoding gb18030 --mode keep_good p.csv',
    );
    expect(cliImportCommand(7, 'a.jsonl', { format: 'jsonl', encoding: 'gb18030' })).toBe('govshare import --dataset 7 --data DIR --format jsonl a.jsonl');
    expect(cliImportCommand(6, "人口 快照's.csv")).toBe("govshare import --dataset 6 --data DIR '人口 快照'\\''s.csv'");
  });

  it('shows the form to provider staff holding data.load only', () => {
    const ds = { id: 6, provider_department_id: 11 };
    expect(canLoadDataset(ds, { departmentId: 11, canLoad: true })).toBe(true);
    expect(canLoadDataset(ds, { departmentId: 12, canLoad: true })).toBe(false);
    expect(canLoadDataset(ds, { departmentId: 11, canLoad: false })).toBe(false);
    expect(canLoadDataset(null, { departmentId: 11, canLoad: true })).toBe(false);
    expect(canLoadDataset(ds, {})).toBe(false);
  });

  it('puts a refusal on its field', () => {
    expect(loadErrorField({ code: 'invalid_header' })).toBe('file');
    expect(loadErrorField({ code: 'body_too_large' })).toBe('file');
    expect(loadErrorField({ code: 'invalid_enum', field: '?encoding' })).toBe('encoding');
    expect(loadErrorField({ code: 'invalid_enum', field: '?mode' })).toBe('mode');
    expect(loadErrorField({ code: 'forbidden' })).toBe(null);
    expect(loadErrorField(null)).toBe(null);
  });

  it('reports the upload progress in whole percent', () => {
    expect(percent(0, 0)).toBe(0);
    expect(percent(512, 1024)).toBe(50);
    expect(percent(2000, 1024)).toBe(100);
    expect(percent(1, 3)).toBe(33);
  });
});

describe('dataset snapshot load: the outcome', () => {
  const report = {
    applied: true, dataset_id: 6, deleted: 0, first_seq: 1, inserted: 1, kind: 'snapshot', last_seq: 1,
    rejections: [{ field: '公民身份号码', line: 3, row: 2, rule: 'resident_id_checksum', value: '1***************21' }],
    rejections_truncated: false, replayed: false, row_count: 1, rows_accepted: 1, rows_read: 2, rows_rejected: 1, seconds: 0.03, unchanged: 0, updated: 0,
  };

  it('reads a 200 report (keep_good): counts, the rejection report and the change sequence', () => {
    const o = loadOutcome(report);
    expect(o).toMatchObject({ applied: true, rowsRead: 2, rowsAccepted: 1, rowsRejected: 1, inserted: 1, firstSeq: 1, lastSeq: 1, rowCount: 1, truncated: false });
    expect(o.rejections).toEqual([{ key: 0, row: 2, line: 3, field: '公民身份号码', rule: 'resident_id_checksum', value: '1***************21' }]);
    expect(seqRange(o)).toBe('1');
    expect(seqRange({ ...o, firstSeq: 4, lastSeq: 9 })).toBe('4–9');
    expect(seqRange({ ...o, firstSeq: 0, lastSeq: 0 })).toBe('');
    expect(seqRange(null)).toBe('');
  });

  it('reads a 422 rows_rejected (reject mode): nothing loaded, counts from the detail, rejections from errors', () => {
    const err = {
      status: 422,
      code: 'rows_rejected',
      detail: 'nothing was loaded: 3 of 120 row(s) rejected; first on row 2 (resident_id_checksum)',
      errors: [
        { field: '姓名', line: 9, row: 8, rule: 'required', value: '' },
        { field: '公民身份号码', line: 3, row: 2, rule: 'resident_id_checksum', value: '1***1' },
      ],
    };
    const o = loadOutcome(null, err);
    expect(o).toMatchObject({ applied: false, rowsRead: 120, rowsRejected: 3, rowsAccepted: 0, lastSeq: 0, truncated: true });
    expect(o.rejections.map((r) => r.row)).toEqual([2, 8]);
    // Without the counts in the detail, the rejections count.
    expect(loadOutcome(null, { code: 'rows_rejected', errors: err.errors })).toMatchObject({ rowsRejected: 2, rowsRead: 2, truncated: false });
  });

  it('gives null for any other error (shown as an error, not a report)', () => {
    expect(loadOutcome(null, { code: 'invalid_header' })).toBe(null);
    expect(loadOutcome(null, null)).toBe(null);
  });

  it('keeps the rows of the report in row order and tolerates odd entries', () => {
    const rows = rejectionRows([{ row: 5, field: 'a', rule: 'x', value: null }, null, 'x', { row: '1', line: 2, field: 'b', rule: 'y', value: 7 }]);
    expect(rows.map((r) => [r.row, r.value])).toEqual([[1, '7'], [5, '']]);
    expect(rejectionRows(undefined)).toEqual([]);
  });

  it('pages the report', () => {
    const rows = Array.from({ length: 23 }, (_, i) => i + 1);
    expect(pageOf(rows, 1)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(pageOf(rows, 3)).toEqual([21, 22, 23]);
    expect(pageOf(rows, 99)).toEqual([21, 22, 23]);
    expect(pageOf(rows, 0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(pageOf([], 1)).toEqual([]);
  });

  it('has a label in both languages for every rule of the report', () => {
    for (const rule of REJECTION_RULES) {
      expect(zhCN.datasets.load.rules[rule], rule).toBeTruthy();
      expect(en.datasets.load.rules[rule], rule).toBeTruthy();
    }
  });
});
