import { invalid, valid, type Validation } from './validation.js';

export type PasswordRefusal = 'too_short' | 'too_long' | 'common' | 'same_as_email';

export interface PasswordContext {
  /** The account's email; a password equal to it or to its local part is refused. */
  readonly email?: string;
}

export const PASSWORD_MIN_LENGTH = 10;
// Bounds the work argon2id does for a single login attempt; no person types more than this.
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Passwords that attackers try first, stored lower-case. Anything shorter than the minimum
 * length is already refused, so this holds only the most frequent entries of 10 or more
 * characters, in frequency order, from the NCSC top-100k list and the Chinese top-1000 list
 * (danielmiessler/SecLists, Passwords/Common-Credentials/). Vulgar entries and random-looking
 * strings (single-site leak artefacts) were left out.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  // NCSC 100k-most-used-passwords
  '1234567890', '1q2w3e4r5t', 'qwertyuiop', '123456789a', '0123456789', '0987654321',
  'q1w2e3r4t5y6', '1111111111', 'basketball', '1234567891', '12345qwert', 'q1w2e3r4t5',
  'a123456789', '12345678910', '1qaz2wsx3edc', '0000000000', 'qwerty12345', '1234554321',
  'password123', '1q2w3e4r5t6y', 'hellokitty', '4815162342', '123456789q', 'qwerty123456',
  '1122334455', '1029384756', '9876543210', 'iloveyou12', 'alexander1', 'strawberry',
  'qwerty1234', 'christopher', 'sweetheart', 'qwert12345', 'california', '5555555555',
  '1123581321', '123qweasdzxc', '1234512345', '12345qwerty', 'zxcvbnm123', 'password11',
  'asdfghjkl1', 'butterfly1', 'chocolate1', 'elizabeth1', 'liverpool1', 'spiderman1',
  'babygirl12', '123456789m', '123456789z', '123456654321', '7894561230', 'welcome123',
  'aaaaaaaaaa', 'harrypotter', 'poiuytrewq', 'password01', 'princess12', 'football12',
  'jesuschrist', 'superstar1', 'terminator', 'volleyball', 'christina1', 'bestfriend',
  'tinkerbell', 'manchester',
  // Chinese-common-password-list-top-1000
  'woaini1314', '5845211314', '5201314520', '5845201314', 'beijing2008', '5841314520',
  '1357924680', '1233211234567', '123456123456', '1234567890123', 'qq123456789',
  '123456789123', '5841314521', '7708801314520', '2008520085', '7758521521', '112233445566',
  '1314520520', '12345678900', '123456789abc', '3141592653', '1472583690', '9638527410',
  '1234567899', '5201314123', 'zhimakaimen', 'woaini5201314', 'meiyoumima', 'wobuzhidao',
  'abc123456789', '52013145201314', '1231512315', 'woainimama', 'zhendeaini',
]);

export function validatePassword(
  password: string,
  context: PasswordContext = {},
): Validation<string, PasswordRefusal> {
  // Length in code points, so a password of Chinese characters or emoji is measured as typed.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return invalid('too_short', `Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return invalid('too_long', `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  const folded = password.toLowerCase();
  if (context.email !== undefined && emailGuesses(context.email).includes(folded)) {
    return invalid('same_as_email', 'Do not use your email address, or the part before the @, as your password.');
  }
  if (COMMON_PASSWORDS.has(folded)) {
    return invalid(
      'common',
      'This password is one of the most common and is tried first by attackers; choose another.',
    );
  }
  return valid(password);
}

function emailGuesses(email: string): string[] {
  const address = email.trim().toLowerCase();
  if (address === '') {
    return [];
  }
  const at = address.lastIndexOf('@');
  return at > 0 ? [address, address.slice(0, at)] : [address];
}
