// Snapshot loads of a dataset (全量归集, Art. 12) from the browser: the request of
// POST /datasets/{id}/loads?format=&encoding=&mode= for a chosen file, the size check before sending, and the outcome
// (a 200 load report, or a 422 rows_rejected whose `errors` are the rejections) as the page shows it.

export const LOAD_FORMATS = Object.freeze(['csv', 'jsonl']);
export const LOAD_ENCODINGS = Object.freeze(['utf-8', 'gb18030']);
export const LOAD_MODES = Object.freeze(['reject', 'keep_good']);

/** Largest request body the server takes by default (http.max_body_bytes); larger snapshots go through the CLI. */
export const MAX_LOAD_BYTES = 1024 * 1024;

/** Rows of the rejection report per page. */
export const REJECTION_PAGE_SIZE = 10;

/** The format a file's name (then its type) suggests: 'csv', 'jsonl', or null when it suggests neither. */
export function guessFormat(file) {
  const name = String((file && file.name) || '').toLowerCase();
  const type = String((file && file.type) || '').toLowerCase();
  if (name.endsWith('.csv') || type === 'text/csv') return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || type === 'application/x-ndjson' || type === 'application/jsonl') return 'jsonl';
  return null;
}

/** JSON Lines are UTF-8 (RFC 8259); only CSV is read in GB18030. */
export const effectiveEncoding = (format, encoding) => (format === 'csv' && encoding === 'gb18030' ? 'gb18030' : 'utf-8');

/** The Content-Type a snapshot is sent with. */
export function loadContentType(format, encoding) {
  if (format === 'jsonl') return 'application/x-ndjson';
  return `text/csv; charset=${effectiveEncoding(format, encoding)}`;
}

/** The query of the load: ?format=&encoding=&mode= (unknown values fall back to csv, utf-8, reject). */
export function loadQuery({ format, encoding, mode } = {}) {
  const f = LOAD_FORMATS.includes(format) ? format : 'csv';
  return {
    format: f,
    encoding: effectiveEncoding(f, encoding),
    mode: LOAD_MODES.includes(mode) ? mode : 'reject',
  };
}

/**
 * What is wrong with a file before it is sent, or null: {code: 'required'} (no file), 'empty' (0 bytes),
 * 'too_large' (over maxBytes: {size, max}) or 'format' (neither CSV nor JSON Lines by its name or type, while the
 * chosen format cannot be assumed).
 */
export function checkLoadFile(file, { maxBytes = MAX_LOAD_BYTES } = {}) {
  if (!file) return { code: 'required' };
  const size = Number(file.size) || 0;
  if (size === 0) return { code: 'empty' };
  if (size > maxBytes) return { code: 'too_large', size, max: maxBytes };
  if (!guessFormat(file)) return { code: 'format' };
  return null;
}

/** Shell-quotes a file name for the CLI hint when it holds anything but safe characters. */
function shellWord(s) {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * The command that loads a file too large for HTTP, run by the platform's operator on the server:
 * govshare import --dataset ID --data DIR [--format …] [--encoding …] [--mode …] FILE (DIR: the platform's data directory).
 */
export function cliImportCommand(datasetId, fileName, opts = {}) {
  const q = loadQuery(opts);
  const parts = ['govshare', 'import', '--dataset', String(datasetId), '--data', 'DIR'];
  if (q.format !== 'csv') parts.push('--format', q.format);
  if (q.encoding !== 'utf-8') parts.push('--encoding', q.encoding);
  if (q.mode !== 'reject') parts.push('--mode', q.mode);
  parts.push(shellWord(String(fileName || 'FILE')));
  return parts.join(' ');
}

const int = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

/** The rejections of a report as table rows: {key, row, line, field, rule, value}, in row order (the server's order within a row). */
export function rejectionRows(rejections) {
  return (rejections || [])
    .filter((r) => r && typeof r === 'object')
    .map((r, i) => ({
      key: i,
      row: int(r.row),
      line: int(r.line),
      field: String(r.field || ''),
      rule: String(r.rule || ''),
      value: r.value === undefined || r.value === null ? '' : String(r.value),
    }))
    .sort((a, b) => a.row - b.row || a.key - b.key);
}

/**
 * The outcome of a load for the page, from its 200 report or its error:
 * {applied, rowsRead, rowsAccepted, rowsRejected, inserted, updated, unchanged, deleted, firstSeq, lastSeq, rowCount,
 *  rejections, truncated}. A 422 rows_rejected (reject mode: nothing loaded) gives applied=false with the rejections of
 * its `errors` and the counts of its detail ("… 1 of 2 row(s) rejected …"). Any other error gives null (shown as an error).
 */
export function loadOutcome(report, error) {
  if (report && typeof report === 'object') {
    return {
      applied: report.applied !== false,
      rowsRead: int(report.rows_read),
      rowsAccepted: int(report.rows_accepted),
      rowsRejected: int(report.rows_rejected),
      inserted: int(report.inserted),
      updated: int(report.updated),
      unchanged: int(report.unchanged),
      deleted: int(report.deleted),
      firstSeq: int(report.first_seq),
      lastSeq: int(report.last_seq),
      rowCount: int(report.row_count),
      rejections: rejectionRows(report.rejections),
      truncated: !!report.rejections_truncated,
    };
  }
  if (error && error.code === 'rows_rejected') {
    const rejections = rejectionRows(error.errors);
    const m = /(\d+) of (\d+) row/.exec(error.detail || '');
    const rowsRejected = m ? Number(m[1]) : rejections.length;
    const rowsRead = m ? Number(m[2]) : rejections.length;
    return {
      applied: false,
      rowsRead,
      rowsAccepted: 0,
      rowsRejected,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      firstSeq: 0,
      lastSeq: 0,
      rowCount: null,
      rejections,
      truncated: rowsRejected > rejections.length,
    };
  }
  return null;
}

/** One page (1-based) of rows. */
export function pageOf(rows, page, size = REJECTION_PAGE_SIZE) {
  const list = rows || [];
  const pages = Math.max(1, Math.ceil(list.length / size));
  const p = Math.min(Math.max(1, Math.floor(Number(page) || 1)), pages);
  return list.slice((p - 1) * size, p * size);
}

/** The change-feed sequence numbers a load added: 'first–last', one number, or '' when it changed nothing. */
export function seqRange(outcome) {
  if (!outcome || !outcome.lastSeq || outcome.lastSeq < outcome.firstSeq) return '';
  return outcome.firstSeq && outcome.firstSeq !== outcome.lastSeq ? `${outcome.firstSeq}–${outcome.lastSeq}` : String(outcome.lastSeq);
}

/** Whether the viewer loads snapshots into the dataset: staff of the provider department holding data.load. */
export function canLoadDataset(dataset, { departmentId, canLoad } = {}) {
  return !!(dataset && canLoad && departmentId != null && dataset.provider_department_id === departmentId);
}

/** Upload progress as a whole percentage (0-100) of loaded/total; 0 when the total is unknown. */
export function percent(loaded, total) {
  if (!total || total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((loaded / total) * 100)));
}

/**
 * The form field a refused load belongs to: 'file' (the file's header, encoding, type or size), 'encoding', 'mode',
 * 'format', or null for a form-level error. The query parameters come back as field "?encoding" etc.
 */
export function loadErrorField(err) {
  if (!err) return null;
  if (['invalid_header', 'unsupported_media_type', 'body_too_large', 'payload_too_large'].includes(err.code)) return 'file';
  const f = String(err.field || '').replace(/^[/?]+/, '');
  if (['encoding', 'mode', 'format'].includes(f)) return f;
  return null;
}

/** Rules of the rejection report with a label (DOMAIN.md §6 and API.md, datasets); others are shown as they are. */
export const REJECTION_RULES = Object.freeze([
  'required', 'length', 'integer', 'number', 'date', 'datetime', 'logical', 'invalid_encoding', 'invalid_text',
  'invalid_csv', 'column_count', 'record_too_large', 'duplicate_key', 'unknown_field', 'wrong_type', 'invalid_json',
  'resident_id_checksum', 'credit_code_checksum', 'division_code_format', 'division_code_unknown', 'mobile', 'digits',
  'letters', 'alphanumeric',
]);
