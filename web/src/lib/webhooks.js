// Helpers of the department webhooks.

/** Tag type of a delivery status. */
export const DELIVERY_TAG = { pending: 'warning', delivered: 'success', failed: 'danger' };

/** A first check of a webhook URL (http://…, no blanks, at most 2048 characters); the server checks the rest. */
export function isValidWebhookUrl(url) {
  const s = String(url || '').trim();
  if (!s || s.length > 2048) return false;
  return /^http:\/\/[^\s/?#]+\S*$/i.test(s);
}

/**
 * Who may open a department's webhooks: webhook.manage is granted everywhere to platform administrators and to
 * data stewards for their own department only.
 */
export function canManageWebhooksOf(deptId, user, can) {
  if (!can('webhook.manage') || !user) return false;
  if ((user.roles || []).includes('platform_admin')) return true;
  return Number(user.department_id) === Number(deptId);
}
