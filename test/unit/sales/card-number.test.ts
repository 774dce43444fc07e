import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatCardNumber, generateCardNumber, isValidCardNumber, normalizeCardNumber } from '../../../src/domain/sales/card-number.js';
import { bufferedRandom, uniformIntegers, type RandomBytes } from '../../../src/domain/sales/random.js';

/** A random source that hands out `bytes` in order, over and over: the tests know exactly what it yields. */
function sequence(bytes: readonly number[]): RandomBytes {
  let position = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let index = 0; index < size; index++) out[index] = bytes[position++ % bytes.length]!;
    return out;
  };
}

describe('prepaid card numbers', () => {
  it.each([
    ['the Visa test number', '4111111111111111'],
    ['a Visa test number', '4012888888881881'],
    ['the Mastercard test number', '5555555555554444'],
  ])('accepts %s, whose Luhn check digit is published', (_case, cardNo) => {
    expect(isValidCardNumber(cardNo)).toBe(true);
  });

  it('generates from a known random source exactly the number worked out by hand', () => {
    // First digit 1 + byte 0; fourteen more 0s; Luhn: the 1 is doubled (2), so the check digit is 10 - 2 = 8.
    expect(generateCardNumber(sequence([0]))).toBe('1000000000000008');
  });

  it('never starts a number with 0 and always ends it with its check digit', () => {
    for (let n = 0; n < 2_000; n++) {
      const cardNo = generateCardNumber(randomBytes);
      expect(cardNo).toMatch(/^[1-9][0-9]{15}$/);
      expect(isValidCardNumber(cardNo)).toBe(true);
    }
  });

  it('throws away bytes that would bias the digits (250 to 255) instead of folding them in', () => {
    // 250..255 are rejected, 7 gives 7, 255 again rejected, 19 gives 9.
    expect(uniformIntegers(sequence([250, 251, 252, 253, 254, 255, 7, 255, 19]), 2, 10)).toEqual([7, 9]);
  });

  it('refuses every single mistyped digit of a valid number', () => {
    const cardNo = '4111111111111111';
    const accepted: string[] = [];
    for (let position = 0; position < 16; position++) {
      for (const digit of '0123456789') {
        if (digit === cardNo[position]) continue;
        const typo = cardNo.slice(0, position) + digit + cardNo.slice(position + 1);
        if (isValidCardNumber(typo)) accepted.push(typo);
      }
    }
    expect(accepted).toEqual([]);
  });

  it.each([
    ['a wrong check digit', '4111111111111112'],
    ['15 digits', '411111111111111'],
    ['17 digits', '41111111111111111'],
    ['a leading 0 (we never issue one)', '0000000000000000'],
    ['a letter', '41111111111111a1'],
    ['spaces (normalize first)', '4111 1111 1111 1111'],
    ['nothing', ''],
  ])('refuses %s', (_case, input) => {
    expect(isValidCardNumber(input)).toBe(false);
  });

  it('reads a number typed with spaces or dashes, and prints it in groups of four', () => {
    expect(normalizeCardNumber(' 4111 1111-1111 1111 ')).toBe('4111111111111111');
    expect(normalizeCardNumber('4111 1111 1111 1112')).toBeNull();
    expect(formatCardNumber('4111111111111111')).toBe('4111 1111 1111 1111');
  });
});

describe('the read-ahead random source', () => {
  it('hands out the same bytes in the same order as its source, across block boundaries', () => {
    const bytes = Array.from({ length: 100 }, (_, index) => (index * 7) % 256);
    const direct = sequence(bytes);
    const buffered = bufferedRandom(sequence(bytes), 16);
    for (const size of [1, 5, 16, 17, 3, 40, 2]) expect([...buffered(size)]).toEqual([...direct(size)]);
  });
});
