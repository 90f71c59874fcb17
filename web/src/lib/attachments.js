// Helpers of the case attachments: human-readable sizes, shortened hashes, the upload path, saving a Blob.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 0 -> "0 B", 1536 -> "1.5 KB", 1048576 -> "1 MB" (binary multiples, at most one decimal). */
export function formatBytes(size) {
  const n = Number(size);
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${Math.round(n)} B`;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i += 1;
  }
  const rounded = v >= 100 ? Math.round(v) : Math.round(v * 10) / 10;
  // 1023.96 KB rounds to 1024: show the next unit instead.
  if (rounded >= 1024 && i < UNITS.length - 1) return `1 ${UNITS[i + 1]}`;
  return `${rounded} ${UNITS[i]}`;
}

/** "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b" -> "3a7bd3e2…4f1b". */
export function shortHash(hash, head = 8, tail = 4) {
  const s = String(hash || '');
  return s.length > head + tail + 1 ? `${s.slice(0, head)}…${s.slice(-tail)}` : s;
}

/** The upload path of a case attachment; the file name is percent-encoded (UTF-8) as the query value. */
export function attachmentUploadPath(caseId, filename) {
  return `/cases/${encodeURIComponent(caseId)}/attachments?filename=${encodeURIComponent(filename)}`;
}

/** Upload errors with a message of their own on the attachments section (else errors.<code>). */
export const ATTACHMENT_ERROR_KEYS = { body_too_large: 'attachments.tooLarge' };

/** Hands a Blob to the browser as a download named filename. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename || 'download';
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  document.body.removeChild(a);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Copies text to the clipboard (Clipboard API in a secure context, else a hidden textarea). */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  document.body.removeChild(ta);
  if (!ok) throw new Error('copy failed');
}
