import { canonicalCode, CODE_ALPHABET, groupsOfFour, randomCode } from './alphabet.js';
import { checkCharacter, hasValidCheckCharacter } from './check-character.js';
import type { RandomBytes } from './random.js';

/**
 * Voucher codes: 12 symbols of the unambiguous alphabet, 11 random (55 bits) and a Luhn mod 32 check symbol,
 * so a typo is told apart from a code that does not exist. Stored and used canonical (`voucher/<code>` is
 * its workflow id); `formatVoucherCode` groups it for print.
 */
export const VOUCHER_CODE_LENGTH = 12;

export function generateVoucherCode(random: RandomBytes): string {
  const payload = randomCode(random, VOUCHER_CODE_LENGTH - 1);
  return payload + checkCharacter(payload, CODE_ALPHABET);
}

export function isValidVoucherCode(code: string): boolean {
  return canonicalCode(code, VOUCHER_CODE_LENGTH) === code && hasValidCheckCharacter(code, CODE_ALPHABET);
}

/** What a customer typed (any case, dashes, spaces) as the canonical code; null if it is not a valid code. */
export function normalizeVoucherCode(input: string): string | null {
  const code = canonicalCode(input, VOUCHER_CODE_LENGTH);
  return code !== null && hasValidCheckCharacter(code, CODE_ALPHABET) ? code : null;
}

/** As printed: `ABCD-EFGH-JKLM`. */
export function formatVoucherCode(code: string): string {
  return groupsOfFour(code);
}
