import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET } from '../../../src/domain/sales/alphabet.js';
import { checkCharacter, hasValidCheckCharacter } from '../../../src/domain/sales/check-character.js';
import { formatVoucherCode, generateVoucherCode, isValidVoucherCode, normalizeVoucherCode } from '../../../src/domain/sales/voucher-code.js';
import type { RandomBytes } from '../../../src/domain/sales/random.js';

/** A random source that hands out `bytes` in order, over and over: the tests know exactly what it yields. */
function sequence(bytes: readonly number[]): RandomBytes {
  let position = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let index = 0; index < size; index++) out[index] = bytes[position++ % bytes.length]!;
    return out;
  };
}

/** 0, 1, 2, ..., 255, 0, 1, ... */
const counting = (): RandomBytes => sequence(Array.from({ length: 256 }, (_, index) => index));

describe('the Luhn mod 32 check symbol', () => {
  // By hand, alphabet positions: 2=0 ... 9=7, A=8, J=16, Z=31; the rightmost payload symbol is doubled and a
  // doubled value is written in base 32 and its two digits added.
  it.each([
    ['A (8): 16, check 32 - 16 = 16 = J', 'A', 'J'],
    ['Z (31): 62 = 1·32 + 30, 1 + 30 = 31, check 1 = 3', 'Z', '3'],
    ['2 (0) only: check 0 = 2', '2222', '2'],
  ])('of %s', (_case, payload, check) => {
    expect(checkCharacter(payload, CODE_ALPHABET)).toBe(check);
    expect(hasValidCheckCharacter(payload + check, CODE_ALPHABET)).toBe(true);
  });

  it('is the classic Luhn digit over the ten digits', () => {
    // The textbook example: 7992739871 has check digit 3.
    expect(checkCharacter('7992739871', '0123456789')).toBe('3');
  });
});

describe('voucher codes', () => {
  it('generates from a known random source exactly the code worked out by hand', () => {
    // Payload positions 0..10 = "23456789ABC"; doubled from the right: 20+9+16+7+12+5+8+3+4+1+0 = 85,
    // 85 mod 32 = 21, check 32 - 21 = 11 = D.
    expect(generateVoucherCode(counting())).toBe('23456789ABCD');
  });

  it('generates valid 12-symbol codes of the unambiguous alphabet', () => {
    for (let n = 0; n < 2_000; n++) {
      const code = generateVoucherCode(randomBytes);
      expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{12}$/);
      expect(isValidVoucherCode(code)).toBe(true);
    }
  });

  it('refuses every single mistyped symbol of a code', () => {
    const code = '23456789ABCD';
    const accepted: string[] = [];
    for (let position = 0; position < code.length; position++) {
      for (const symbol of CODE_ALPHABET) {
        if (symbol === code[position]) continue;
        const typo = code.slice(0, position) + symbol + code.slice(position + 1);
        if (isValidVoucherCode(typo)) accepted.push(typo);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses two neighbours swapped', () => {
    expect(isValidVoucherCode('32456789ABCD')).toBe(false);
    expect(isValidVoucherCode('23456789BACD')).toBe(false);
  });

  it('reads a code typed in lower case, with dashes or spaces, and prints it in groups of four', () => {
    expect(normalizeVoucherCode('2345-6789-abcd')).toBe('23456789ABCD');
    expect(normalizeVoucherCode(' 2345 6789 ABCD ')).toBe('23456789ABCD');
    expect(normalizeVoucherCode('2345-6789-ABCE')).toBeNull();
    expect(normalizeVoucherCode('2345-6789-ABC')).toBeNull();
    expect(formatVoucherCode('23456789ABCD')).toBe('2345-6789-ABCD');
  });

  it('takes only the canonical form as valid', () => {
    expect(isValidVoucherCode('2345-6789-ABCD')).toBe(false);
    expect(isValidVoucherCode('23456789abcd')).toBe(false);
  });
});
