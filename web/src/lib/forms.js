import { reactive } from 'vue';
import { errorText } from '../i18n/index.js';

/**
 * The form field a server error belongs to, or null for a form-level error.
 * err.field is the problem+json `field` JSON pointer already turned into a dotted name by the HTTP layer
 * ("/credit_code" -> "credit_code", "/roles/0" -> "roles.0"); a raw pointer is accepted too. The full name is used
 * when the form has it, else its first segment ("roles.0" -> "roles").
 */
export function serverErrorField(err, fields) {
  let f = err && err.field;
  if (typeof f !== 'string' || f === '' || f === '/') return null;
  if (f.startsWith('/')) f = f.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const known = (k) => fields.includes(k);
  if (known(f)) return f;
  const top = f.split('.')[0];
  return known(top) ? top : null;
}

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
    const field = serverErrorField(err, Object.keys(errors));
    if (!field) return false;
    // Element Plus only re-shows an error when the value changes: reset first, set on the next tick.
    const msg = errorText(err);
    queueMicrotask(() => {
      errors[field] = msg;
    });
    return true;
  }
  return { errors, clear, apply };
}

/** Validates an el-form given its template ref: resolves true when valid, false otherwise (never rejects). */
export async function validateForm(formRef) {
  const form = formRef && formRef.value;
  if (!form) return false;
  return form.validate().then(
    () => true,
    () => false,
  );
}
