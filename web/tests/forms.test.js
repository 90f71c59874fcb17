import { describe, it, expect } from 'vitest';
import { ref } from 'vue';
import { serverErrorField, useServerErrors, validateForm } from '../src/lib/forms.js';
import { errorFromResponse } from '../src/api/http.js';
import { i18n } from '../src/i18n/index.js';

const problem = (body, status = 422) =>
  errorFromResponse(new Response(JSON.stringify({ status, ...body }), { status, headers: { 'content-type': 'application/problem+json' } }));
const tick = () => new Promise((r) => queueMicrotask(r));

describe('serverErrorField', () => {
  const fields = ['name', 'credit_code', 'roles'];
  it('maps a problem+json pointer (as parsed by the HTTP layer) to the form field', async () => {
    expect(serverErrorField(await problem({ code: 'invalid_credit_code', field: '/credit_code' }), fields)).toBe('credit_code');
    expect(serverErrorField(await problem({ code: 'unknown_role', field: '/roles/1' }, 400), fields)).toBe('roles');
  });
  it('accepts raw JSON pointers and dotted names', () => {
    expect(serverErrorField({ field: '/name' }, fields)).toBe('name');
    expect(serverErrorField({ field: 'roles.0' }, fields)).toBe('roles');
    expect(serverErrorField({ field: '/a~1b' }, ['a/b'])).toBe('a/b');
  });
  it('returns null for form-level errors and unknown fields', async () => {
    expect(serverErrorField(await problem({ code: 'duplicate_department' }, 409), fields)).toBe(null);
    expect(serverErrorField({ field: '/version' }, fields)).toBe(null);
    expect(serverErrorField({ field: '' }, fields)).toBe(null);
    expect(serverErrorField({ field: '/' }, fields)).toBe(null);
    expect(serverErrorField(null, fields)).toBe(null);
  });
});

describe('useServerErrors', () => {
  it('puts a field error, translated, on its field after a tick and clears the others', async () => {
    i18n.global.locale.value = 'en';
    const s = useServerErrors(['name', 'contact_phone']);
    s.errors.name = 'old';
    expect(s.apply(await problem({ code: 'invalid_phone', field: '/contact_phone', detail: 'x' }))).toBe(true);
    expect(s.errors.name).toBe('');
    await tick();
    expect(s.errors.contact_phone).toBe(i18n.global.t('errors.invalid_phone'));
    s.clear('contact_phone');
    expect(s.errors.contact_phone).toBe('');
  });
  it('returns false for an error without a known field', async () => {
    const s = useServerErrors(['name']);
    expect(s.apply(await problem({ code: 'version_conflict' }, 409))).toBe(false);
    expect(s.apply(new Error('boom'))).toBe(false);
    await tick();
    expect(s.errors.name).toBe('');
  });
});

describe('validateForm', () => {
  it('resolves true or false, never rejects', async () => {
    expect(await validateForm(ref({ validate: () => Promise.resolve(true) }))).toBe(true);
    expect(await validateForm(ref({ validate: () => Promise.reject({ name: [] }) }))).toBe(false);
    expect(await validateForm(ref(undefined))).toBe(false);
  });
});
