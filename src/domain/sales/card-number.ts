import { checkCharacter, hasValidCheckCharacter } from './check-character.js';
import { uniformIntegers, type RandomBytes } from './random.js';

/**
 * Prepaid card numbers: 16 digits printed on the card, the last a Luhn check digit (as on payment cards), so
 * a mistyped number is refused at once instead of counting as a failed guess. The first digit is never 0:
 * a spreadsheet or a form that reads the number as an integer would drop it.
 */
export const CARD_NUMBER_LENGTH = 16;
const DIGITS = '0123456789';
const CARD_NUMBER = /^[1-9][0-9]{15}$/;

/** A new card number. Not unique by itself (10^15 possibilities): the database's unique index decides. */
export function generateCardNumber(random: RandomBytes): string {
  const [first = 0] = uniformIntegers(random, 1, 9);
  const rest = uniformIntegers(random, CARD_NUMBER_LENGTH - 2, 10);
  const payload = `${first + 1}${rest.join('')}`;
  return payload + checkCharacter(payload, DIGITS);
}

/** 16 digits, not starting with 0, with a correct check digit. Takes the canonical form only (see `normalizeCardNumber`). */
export function isValidCardNumber(cardNo: string): boolean {
  return typeof cardNo === 'string' && CARD_NUMBER.test(cardNo) && hasValidCheckCharacter(cardNo, DIGITS);
}

/** A typed or pasted card number (`6200 1234 5678 9012`, dashes too) as its 16 digits; null if it is no valid card number. */
export function normalizeCardNumber(input: string): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const digits = input.replace(/[\s-]+/g, '');
  return isValidCardNumber(digits) ? digits : null;
}

/** As printed: four groups of four digits. */
export function formatCardNumber(cardNo: string): string {
  return (cardNo.match(/.{1,4}/g) ?? []).join(' ');
}
