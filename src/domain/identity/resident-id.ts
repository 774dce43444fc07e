import { invalid, valid, type Validation } from './validation.js';

/**
 * An 18-character PRC resident identity number (GB 11643-1999), upper-case check character.
 * Branded so that only `validateResidentId` can produce one.
 */
export type ResidentIdNumber = string & { readonly __brand: 'ResidentIdNumber' };

export type ResidentIdRefusal = 'length' | 'format' | 'area_code' | 'birth_date' | 'check_digit';

export interface ResidentIdOptions {
  /** The instant "now"; a parameter so the rule stays pure and tests can pin the calendar. */
  readonly now?: Date;
}

const LENGTH = 18;
// ISO 7064 MOD 11-2 as GB 11643-1999 tabulates it: weight of position i is 2^(17-i) mod 11.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const EARLIEST_BIRTH_DATE = '19000101';
// Birth dates are Chinese calendar dates; China keeps UTC+8 all year, so a fixed offset is exact.
const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;

export function validateResidentId(
  input: string,
  options: ResidentIdOptions = {},
): Validation<ResidentIdNumber, ResidentIdRefusal> {
  const candidate = input.trim().toUpperCase();
  if (candidate.length !== LENGTH) {
    return invalid('length', 'A resident identity number has 18 characters.');
  }
  if (!/^\d{17}[\dX]$/.test(candidate)) {
    return invalid('format', 'A resident identity number is 17 digits followed by a digit or X.');
  }
  // Only the shape of the area code is checked: administrative codes change every year and a
  // number keeps the code it was issued under, so a code list would refuse real people.
  if (!/^[1-8]/.test(candidate)) {
    return invalid('area_code', 'A resident identity number starts with an area code whose first digit is 1 to 8.');
  }
  const birthDate = candidate.slice(6, 14);
  const today = chinaToday(options.now ?? new Date());
  if (!isRealCalendarDate(birthDate) || birthDate < EARLIEST_BIRTH_DATE || birthDate > today) {
    return invalid('birth_date', 'The birth date in the resident identity number is not a possible date of birth.');
  }
  if (candidate[17] !== checkCharacter(candidate)) {
    return invalid(
      'check_digit',
      'The resident identity number has a typo: its last character does not match the others.',
    );
  }
  return valid(candidate as ResidentIdNumber);
}

function checkCharacter(digits: string): string {
  let sum = 0;
  WEIGHTS.forEach((weight, index) => {
    sum += weight * Number(digits[index]);
  });
  return CHECK_CHARACTERS.charAt(sum % 11);
}

function isRealCalendarDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 0231 over into March; a real date survives the round trip unchanged.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function chinaToday(now: Date): string {
  const china = new Date(now.getTime() + CHINA_UTC_OFFSET_MS);
  const year = String(china.getUTCFullYear()).padStart(4, '0');
  const month = String(china.getUTCMonth() + 1).padStart(2, '0');
  const day = String(china.getUTCDate()).padStart(2, '0');
  return `${year}${month}${day}`;
}
