/** "2026-11-26T08:00:00+08:00" -> "2026-11-26 08:00" (as written by the server, in China Standard Time). */
export function formatTime(s) {
  if (!s) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(String(s));
  return m ? `${m[1]} ${m[2]}` : String(s);
}
export function formatDate(s) {
  if (!s) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(String(s));
  return m ? m[1] : String(s);
}
