import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET } from '../../../src/domain/sales/alphabet.js';
import { formatCardSecret, generateCardSecret, hashCardSecret, normalizeCardSecret, verifyCardSecret } from '../../../src/domain/sales/card-secret.js';
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

describe('prepaid card secrets', () => {
  it('uses 32 symbols and none of 0, O, 1, I', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    expect(CODE_ALPHABET).not.toMatch(/[0O1I]/);
  });

  it('generates 16 symbols from a known random source, one per byte (32 divides 256: nothing is thrown away)', () => {
    expect(generateCardSecret(counting())).toBe('23456789ABCDEFGH');
    // 32 + 1 = 33 picks the second symbol, as 1 does: byte mod 32.
    expect(generateCardSecret(sequence([33]))).toBe('3333333333333333');
  });

  it('prints in four groups of four', () => {
    expect(formatCardSecret('ABCDEFGHJKLMNPQR')).toBe('ABCD-EFGH-JKLM-NPQR');
  });

  it.each([
    ['as printed', 'ABCD-EFGH-JKLM-NPQR'],
    ['lower case', 'abcd-efgh-jklm-npqr'],
    ['with spaces', ' ABCD EFGH JKLM NPQR '],
    ['run together', 'ABCDEFGHJKLMNPQR'],
    ['mixed separators', 'abcd - efgh jklm-npqr'],
  ])('reads a secret typed %s', (_case, input) => {
    expect(normalizeCardSecret(input)).toBe('ABCDEFGHJKLMNPQR');
  });

  it.each([
    ['too short', 'ABCD-EFGH-JKLM-NPQ'],
    ['too long', 'ABCD-EFGH-JKLM-NPQRS'],
    ['an O, which the alphabet leaves out', 'ABCD-EFGH-JKLM-NPQO'],
    ['a 0', 'ABCD-EFGH-JKLM-NPQ0'],
    ['a 1', 'ABCD-EFGH-JKLM-NPQ1'],
    ['an I', 'ABCD-EFGH-JKLM-NPQI'],
    ['punctuation', 'ABCD.EFGH.JKLM.NPQR'],
    ['nothing', ''],
  ])('refuses a secret %s', (_case, input) => {
    expect(normalizeCardSecret(input)).toBeNull();
  });
});

describe('hashing card secrets', () => {
  // Independent vectors: `echo -n <secret> | openssl dgst -sha256 -hmac <cardNo>`.
  it.each([
    ['1000000000000008', 'ABCDEFGHJKLMNPQR', 'c4944f89799dd47241f964b62acaeb8f5d7b7eae77410daf22c54c1c2fdd9816'],
    ['4111111111111111', '23456789ABCDEFGH', '40e6cec2ce97181d029b512cdf108e08ff5126725da7d90ded2c5e1031c26705'],
  ])('stores HMAC-SHA256 keyed by card %s, with its scheme named', (cardNo, secret, hex) => {
    expect(hashCardSecret(cardNo, secret)).toBe(`hmac-sha256$${hex}`);
  });

  it('hashes the canonical secret, whatever form it was given in', () => {
    expect(hashCardSecret('1000000000000008', 'abcd-efgh-jklm-npqr')).toBe(hashCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR'));
  });

  it('gives the same secret on two cards two different hashes', () => {
    expect(hashCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR')).not.toBe(hashCardSecret('4111111111111111', 'ABCDEFGHJKLMNPQR'));
  });

  it('verifies the secret as the customer types it', () => {
    const stored = hashCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR');
    expect(verifyCardSecret('1000000000000008', 'abcd efgh jklm npqr', stored)).toBe(true);
    expect(verifyCardSecret('1000000000000008', 'ABCD-EFGH-JKLM-NPQR', stored)).toBe(true);
  });

  it.each([
    ['a different secret', '1000000000000008', 'ABCD-EFGH-JKLM-NPQS'],
    ['the right secret for another card', '4111111111111111', 'ABCD-EFGH-JKLM-NPQR'],
    ['a malformed secret', '1000000000000008', 'not a secret'],
    ['an empty secret', '1000000000000008', ''],
  ])('refuses %s without throwing', (_case, cardNo, presented) => {
    expect(verifyCardSecret(cardNo, presented, hashCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR'))).toBe(false);
  });

  it('refuses against a stored value of an unknown scheme rather than guessing', () => {
    const hex = 'c4944f89799dd47241f964b62acaeb8f5d7b7eae77410daf22c54c1c2fdd9816';
    expect(verifyCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR', hex)).toBe(false);
    expect(verifyCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR', `argon2id$${hex}`)).toBe(false);
    expect(verifyCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR', `hmac-sha256$${hex}`)).toBe(true);
  });

  it('never stores the secret itself', () => {
    const stored = hashCardSecret('1000000000000008', 'ABCDEFGHJKLMNPQR');
    expect(stored).not.toContain('ABCDEFGHJKLMNPQR');
    expect(stored).toHaveLength('hmac-sha256$'.length + 64);
  });
});
