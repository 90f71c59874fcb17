import { describe, it, expect } from 'vitest';
import { creditCodeCheckChar, creditCodeError, isValidCreditCode, completeCreditCode, isValidMobile, isValidLandline, isValidContactPhone, passwordProblems, CREDIT_ALPHABET } from '../src/lib/validators.js';

describe('GB 32100 unified social credit code', () => {
  it('accepts published valid codes', () => {
    // Real, publicly listed codes.
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91110000802100433B')).toBe(true);
  });
  it('computes the check character', () => {
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckChar('91110000802100433')).toBe('B');
  });
  it('check character 0 when the sum is a multiple of 31', () => {
    // Find a prefix whose weighted sum ≡ 0 (mod 31): then (31 - 0) mod 31 = 0.
    let prefix = '1113010000000000';
    for (const ch of CREDIT_ALPHABET) {
      const p = prefix + ch;
      if (creditCodeCheckChar(p) === '0') return expect(isValidCreditCode(p + '0')).toBe(true);
    }
    throw new Error('no prefix found');
  });
  it('rejects a wrong check character', () => {
    expect(creditCodeError('91350100M000100Y44')).toBe('checksum');
  });
  it('reports length and charset problems', () => {
    expect(creditCodeError('')).toBe('required');
    expect(creditCodeError(null)).toBe('required');
    expect(creditCodeError('9135010')).toBe('length');
    expect(creditCodeError('91350100M000100Y4I')).toBe('charset'); // I is not in the alphabet
    expect(creditCodeError('91350100m000100Y43')).toBe('charset'); // lower case
    expect(creditCodeError('91350100O000100Y43')).toBe('charset');
  });
  it('completes a prefix into a valid code', () => {
    const code = completeCreditCode('1113010000000123A');
    expect(code).toHaveLength(18);
    expect(isValidCreditCode(code)).toBe(true);
    expect(() => completeCreditCode('short')).toThrow();
  });
  it('every single-character change of a valid code is caught', () => {
    const code = '91350100M000100Y43';
    for (let i = 0; i < 18; i++) {
      for (const ch of CREDIT_ALPHABET) {
        if (ch === code[i]) continue;
        const mutated = code.slice(0, i) + ch + code.slice(i + 1);
        expect(isValidCreditCode(mutated), mutated).toBe(false);
      }
    }
  });
});

describe('mobile numbers', () => {
  it('accepts mainland mobile numbers', () => {
    expect(isValidMobile('13812345678')).toBe(true);
    expect(isValidMobile('19912345678')).toBe(true);
  });
  it('rejects others', () => {
    for (const s of ['12812345678', '1381234567', '138123456789', '0311-1234567', '', null, '+8613812345678']) expect(isValidMobile(s)).toBe(false);
  });
});

describe('password policy', () => {
  it('mirrors the server: ≥ 12 chars, upper, lower, digit', () => {
    expect(passwordProblems('Abcdefghij12')).toEqual([]);
    expect(passwordProblems('Abcdefgh1')).toEqual(['length']);
    expect(passwordProblems('abcdefghij12')).toEqual(['upper']);
    expect(passwordProblems('ABCDEFGHIJ12')).toEqual(['lower']);
    expect(passwordProblems('Abcdefghijkl')).toEqual(['digit']);
    expect(passwordProblems('')).toEqual(['length', 'upper', 'lower', 'digit']);
  });
});

describe('department contact phone (server rules)', () => {
  it('accepts landlines with or without a dash', () => {
    for (const s of ['0311-12345678', '0311-1234567', '010-12345678', '010-1234567', '031112345678', '0311123456', '01012345678']) expect(isValidLandline(s), s).toBe(true);
  });
  it('refuses malformed landlines', () => {
    for (const s of ['311-12345678', '0311-123456', '0311-123456789', '03-12345678', '03111-1234567', '0311-1234-567', '031112345', '0311123456789', '0311-1234567a', '', null])
      expect(isValidLandline(s), String(s)).toBe(false);
  });
  it('accepts mobiles (also +86 / 86 prefixed) and landlines', () => {
    for (const s of ['13812345678', '+8613812345678', '8613812345678', '0311-12345678', '031112345678']) expect(isValidContactPhone(s), s).toBe(true);
  });
  it('refuses anything else', () => {
    for (const s of ['12812345678', '1381234567', '138 1234 5678', '+86-13812345678', '8612812345678', 'abc', '', null, undefined]) expect(isValidContactPhone(s), String(s)).toBe(false);
  });
});
