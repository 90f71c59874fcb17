import { reactive } from 'vue';
import { errorText } from '../i18n/index.js';

/**
 * Server-side field errors for an el-form: errors[field] is bound to el-form-item :error.
 * apply(err) puts an ApiError on its field (returns true) or returns false for a form-level error.
 */
export function useServerErrors(fields) {
  const errors = reactive(Object.fromEntries(fields.map((f) => [f, ''])));
  function clear(field) {
    if (field) errors[field] = '';
    else for (const k of Object.keys(errors)) errors[k] = '';
  }
  function apply(err) {
    clear();
    if (err && err.field && err.field in errors) {
      // Element Plus only re-shows an error when the value changes: reset first, set on the next tick.
      const msg = errorText(err);
      errors[err.field] = '';
      queueMicrotask(() => {
        errors[err.field] = msg;
      });
      return true;
    }
    return false;
  }
  return { errors, clear, apply };
}
