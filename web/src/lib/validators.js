// Client-side validators that mirror the server's rules (the server stays authoritative).

// GB 32100-2015 unified social credit code: 18 characters from this 31-character alphabet
// (no I, O, S, V, Z); the 18th is a check character over the first 17.
export const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Check character for the first 17 characters, or null if they contain a character outside the alphabet. */
export function creditCodeCheckChar(first17) {
  if (typeof first17 !== 'string' || first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_ALPHABET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * CREDIT_WEIGHTS[i];
  }
  return CREDIT_ALPHABET[(31 - (sum % 31)) % 31];
}

/**
 * Validates a unified social credit code. Returns null when valid, else one of
 * 'required' | 'length' | 'charset' | 'checksum'.
 */
export function creditCodeError(code) {
  if (code == null || code === '') return 'required';
  const c = String(code);
  if (c.length !== 18) return 'length';
  for (const ch of c) if (!CREDIT_ALPHABET.includes(ch)) return 'charset';
  return creditCodeCheckChar(c.slice(0, 17)) === c[17] ? null : 'checksum';
}

export const isValidCreditCode = (code) => creditCodeError(code) === null;

/** Completes a 17-character prefix with its check character (used by tests and the e2e). */
export function completeCreditCode(first17) {
  const ch = creditCodeCheckChar(first17);
  if (ch === null) throw new Error(`invalid credit code prefix: ${first17}`);
  return first17 + ch;
}

export const MOBILE_RE = /^1[3-9]\d{9}$/;
export const isValidMobile = (s) => typeof s === 'string' && MOBILE_RE.test(s);

/**
 * Landline as the server accepts it (IsLandline in src/org/org_service.cpp): digits starting with 0, either
 * "area-local" with a 3- or 4-character area code and a 7- or 8-digit local number (0311-12345678, 010-1234567),
 * or 10 to 12 digits without a dash (031112345678).
 */
export function isValidLandline(s) {
  if (typeof s !== 'string') return false;
  const dash = s.indexOf('-');
  const digits = dash < 0 ? s : s.slice(0, dash) + s.slice(dash + 1);
  if (!/^0\d*$/.test(digits)) return false;
  if (dash >= 0) {
    const local = s.length - dash - 1;
    return (dash === 3 || dash === 4) && (local === 7 || local === 8);
  }
  return digits.length >= 10 && digits.length <= 12;
}

/**
 * Department contact phone, mirroring the server: a mobile number (1[3-9] + 9 digits, optionally prefixed with
 * +86 or 86) or a landline (see isValidLandline).
 */
export function isValidContactPhone(s) {
  if (typeof s !== 'string') return false;
  let m = s;
  if (m.startsWith('+86')) m = m.slice(3);
  else if (m.length === 13 && m.startsWith('86')) m = m.slice(2);
  return isValidMobile(m) || isValidLandline(s);
}

/**
 * Password policy, mirroring the server: at least 12 characters with an upper-case letter, a lower-case letter
 * and a digit. Returns the list of unmet rules ([] when strong enough).
 */
export function passwordProblems(pw) {
  const s = pw || '';
  const out = [];
  if ([...s].length < 12) out.push('length');
  if (!/[A-Z]/.test(s)) out.push('upper');
  if (!/[a-z]/.test(s)) out.push('lower');
  if (!/[0-9]/.test(s)) out.push('digit');
  return out;
}
