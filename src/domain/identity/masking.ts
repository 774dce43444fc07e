/**
 * Masking of identity values for API responses and logs. Every rule keeps a fixed number of
 * characters at the ends and replaces each character between them with '*'. When a value is too
 * short for its rule to hide at least MIN_HIDDEN characters (a typo, a truncated value, garbage in a
 * log line), every character is masked instead: a mask must never reveal the middle, whatever it is given.
 */

const MASK = '*';
const MIN_HIDDEN = 4;

/**
 * Resident identity number: first 3 and last 2 kept, e.g. 11010519491231002X -> 110*************2X.
 * The birth date (characters 7-14) and most of the sequence are always hidden; the 3 kept characters
 * name only a province-level region.
 */
export function maskResidentId(value: string): string {
  return keepEnds(value.trim(), 3, 2);
}

/** Unified social credit code: first 2 (authority and entity type) and last 4 kept. */
export function maskCreditCode(value: string): string {
  return keepEnds(value.trim(), 2, 4);
}

/**
 * Phone number: separators dropped, then first 3 and last 4 kept, the usual Chinese display
 * (13812345678 -> 138****5678). Numbers of 7 or fewer digits are masked entirely.
 */
export function maskPhoneNumber(value: string): string {
  return keepEnds(value.replace(/[\s().-]/g, ''), 3, 4);
}

/**
 * Email: the domain is kept (support needs it and it names no person); the local part becomes its
 * first character and a fixed '***', so its length is not revealed either. Local parts under 3
 * characters keep nothing. A value without a local part and a domain is masked entirely.
 */
export function maskEmail(value: string): string {
  const address = value.trim();
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) {
    return keepEnds(address, 0, 0);
  }
  const local = [...address.slice(0, at)];
  const kept = local.length >= 3 ? (local[0] ?? '') : '';
  return `${kept}${MASK.repeat(3)}${address.slice(at)}`;
}

/** Cloud account ID of any provider: last 4 kept, enough for a person to tell their accounts apart. */
export function maskExternalAccountId(value: string): string {
  return keepEnds(value.trim(), 0, 4);
}

function keepEnds(value: string, keepStart: number, keepEnd: number): string {
  // Code points, so a surrogate pair is never cut in half.
  const characters = [...value];
  const hidden = characters.length - keepStart - keepEnd;
  if (hidden < MIN_HIDDEN) {
    return MASK.repeat(characters.length);
  }
  return [
    ...characters.slice(0, keepStart),
    MASK.repeat(hidden),
    ...characters.slice(characters.length - keepEnd),
  ].join('');
}
