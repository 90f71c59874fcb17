// Unread notification count shown as a badge on the 工作台 menu item. Plain reactive state shared by the layout and
// the workbench; refreshed on navigation (at most every few seconds) and after "mark as read".
import { reactive } from 'vue';
import { api } from '../api/index.js';

const MAX = 200;
const MIN_INTERVAL_MS = 5000;

export const inboxState = reactive({ unread: 0, more: false, loadedAt: 0 });

let inflight = null;
/** Counts unread notifications (first page of ?unread=true; `more` when there are more than one page). */
export function refreshUnread({ force = false } = {}) {
  if (!force && inflight) return inflight;
  if (!force && Date.now() - inboxState.loadedAt < MIN_INTERVAL_MS) return Promise.resolve(inboxState.unread);
  inflight = api
    .inbox({ unread: true, limit: MAX })
    .then((page) => {
      const items = (page && page.items) || [];
      inboxState.unread = items.length;
      inboxState.more = !!(page && page.next_cursor);
      inboxState.loadedAt = Date.now();
      return inboxState.unread;
    })
    .catch(() => inboxState.unread) // the badge is a hint; the workbench shows real errors
    .finally(() => {
      inflight = null;
    });
  return inflight;
}

/** Called after POST /inbox/{id}/read succeeded. */
export function markedRead() {
  if (inboxState.unread > 0) inboxState.unread -= 1;
}

export function resetInbox() {
  Object.assign(inboxState, { unread: 0, more: false, loadedAt: 0 });
}
