import { describe, expect, it } from 'vitest';
import {
  maskCreditCode,
  maskEmail,
  maskExternalAccountId,
  maskPhoneNumber,
  maskResidentId,
} from '../../../src/domain/identity/masking.js';

/** The masked value keeps `start` and `end` characters and shows only '*' between them. */
function expectOnlyEndsShown(masked: string, original: string, start: number, end: number): void {
  expect(masked).toHaveLength(original.length);
  expect(masked.slice(0, start)).toBe(original.slice(0, start));
  expect(masked.slice(masked.length - end)).toBe(original.slice(original.length - end));
  expect(masked.slice(start, masked.length - end)).toMatch(/^\*+$/);
}

describe('masking', () => {
  it('shows the first 3 and last 2 characters of a resident ID, never the birth date', () => {
    const masked = maskResidentId('11010519491231002X');
    expect(masked).toBe('110*************2X');
    expect(masked).not.toContain('1949');
    expectOnlyEndsShown(masked, '11010519491231002X', 3, 2);
  });

  it('shows the first 2 and last 4 characters of a credit code', () => {
    expect(maskCreditCode('91350100M000100Y43')).toBe('91************0Y43');
  });

  it('shows the first 3 and last 4 digits of a mobile number', () => {
    expect(maskPhoneNumber('13812345678')).toBe('138****5678');
  });

  it('drops separators before masking a formatted phone number', () => {
    expect(maskPhoneNumber('+86 138-1234-5678')).toBe('+86*******5678');
  });

  it("keeps an email's domain and the first character of its local part, hiding the local part's length", () => {
    expect(maskEmail('jonathan.smith@example.com')).toBe('j***@example.com');
    expect(maskEmail('jo@example.com')).toBe('***@example.com');
  });

  it('shows the last 4 characters of a cloud account ID of any provider', () => {
    expect(maskExternalAccountId('123456789012')).toBe('********9012');
    expect(maskExternalAccountId('1234567890123456')).toBe('************3456');
    expectOnlyEndsShown(
      maskExternalAccountId('08f25edee500d3e70f4ec007d082eb80'),
      '08f25edee500d3e70f4ec007d082eb80',
      0,
      4,
    );
  });

  it.each([
    ['a short resident ID', maskResidentId, '1101051'],
    ['a short credit code', maskCreditCode, '9135010'],
    ['a short phone number', maskPhoneNumber, '1234567'],
    ['a short cloud account ID', maskExternalAccountId, '1234567'],
    ['a value that is not an email', maskEmail, 'not-an-email'],
    ['an email without a local part', maskEmail, '@example.com'],
  ])('masks every character of %s rather than reveal most of it', (_case, mask, value) => {
    expect(mask(value)).toMatch(/^\*+$/);
  });

  it('never shows a character of the middle, whatever the length', () => {
    const digits = '98765432109876543210987654321';
    for (let length = 0; length <= digits.length; length += 1) {
      const value = digits.slice(0, length);
      for (const [mask, start, end] of [
        [maskResidentId, 3, 2],
        [maskCreditCode, 2, 4],
        [maskPhoneNumber, 3, 4],
        [maskExternalAccountId, 0, 4],
      ] as const) {
        const masked = mask(value);
        const middle = masked.slice(start, Math.max(start, masked.length - end));
        expect(middle, `${mask.name}(${value})`).toMatch(/^\**$/);
        expect(masked.replaceAll('*', '').length, `${mask.name}(${value})`).toBeLessThanOrEqual(start + end);
        if (length > 0) expect(masked, `${mask.name}(${value})`).toContain('*');
      }
    }
  });

  it('never cuts an emoji in half', () => {
    expect(maskExternalAccountId('🔑🔑🔑🔑🔑🔑🔑🔑')).toBe('****🔑🔑🔑🔑');
  });
});
