import { uniformIntegers, type RandomBytes } from './random.js';

/**
 * The symbols of card secrets and voucher codes: digits and capital letters without 0, O, 1 and I, which
 * people misread on a printed card. 32 symbols, so each carries exactly 5 bits.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export function randomCode(random: RandomBytes, length: number): string {
  return uniformIntegers(random, length, CODE_ALPHABET.length)
    .map((index) => CODE_ALPHABET.charAt(index))
    .join('');
}

/**
 * What a person typed, as the canonical code: upper case, without the spaces and dashes it was printed or
 * pasted with. Null when anything else is left, or the length is wrong.
 */
export function canonicalCode(input: string, length: number): string | null {
  if (typeof input !== 'string' || input.length > 4 * length) return null;
  const candidate = input.replace(/[\s-]+/g, '').toUpperCase();
  if (candidate.length !== length) return null;
  for (const character of candidate) if (!CODE_ALPHABET.includes(character)) return null;
  return candidate;
}

/** Groups of four joined by dashes, as printed: `ABCD-EFGH-JKLM`. */
export function groupsOfFour(code: string, separator = '-'): string {
  return (code.match(/.{1,4}/g) ?? []).join(separator);
}
