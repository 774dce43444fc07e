import { invalid, valid, type Validation } from './validation.js';

/**
 * An 18-character Unified Social Credit Code (GB 32100-2015), upper case.
 * Branded so that only `validateCreditCode` can produce one.
 */
export type CreditCode = string & { readonly __brand: 'CreditCode' };

export type CreditCodeRefusal =
  | 'length'
  | 'format'
  | 'registration_authority'
  | 'entity_type'
  | 'region_code'
  | 'check_digit';

const LENGTH = 18;
// The standard drops I, O, Z, S and V because they are easily read as 1, 0, 2, 5 and U.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
// GB 32100-2015: weight of position i is 3^i mod 31 (GB/T 17710 MOD 31-3).
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Position 1 (registration authority) and the position-2 entity types each authority may use.
 * GB 32100-2015 lists 1 (establishment office), 5 (civil affairs), 9 (market regulation) and
 * Y (other); the other authorities were assigned codes afterwards. Table as republished in
 * "统一社会信用代码解析登记管理部门和机构类别"
 * (blog.csdn.net/lh1424573495/article/details/108776492, same text at osuse.cn/post/10002590.html). An authority added after that table will be refused
 * as 'registration_authority' until it is added here.
 */
const ENTITY_TYPES_BY_AUTHORITY: Readonly<Record<string, string>> = {
  '1': '1239', // establishment office: organs, public institutions, mass organisations, other
  '2': '19', // foreign affairs: resident foreign news agencies, other
  '3': '123459', // justice: law firms, notaries, legal service offices, forensics, arbitration, other
  '4': '19', // culture: foreign cultural centres, other
  '5': '1239', // civil affairs: social organisations, private non-enterprise units, foundations, other
  '6': '129', // tourism: foreign and HK/Macao/Taiwan tourism offices, other
  '7': '129', // religious affairs: venues, colleges, other
  '8': '19', // trade unions: grassroots unions, other
  '9': '123', // market regulation: enterprises, individual businesses, farmers' cooperatives
  A: '19', // CMC reform and establishment office: military public institutions, other
  N: '1239', // agriculture: group, village and township collective economic organisations, other
  Y: '1', // other authorities: not subdivided
};

export function validateCreditCode(input: string): Validation<CreditCode, CreditCodeRefusal> {
  const candidate = input.trim().toUpperCase();
  if (candidate.length !== LENGTH) {
    return invalid('length', 'A unified social credit code has 18 characters.');
  }
  if (![...candidate].every((character) => ALPHABET.includes(character))) {
    return invalid(
      'format',
      'A unified social credit code uses only digits and capital letters other than I, O, S, V and Z.',
    );
  }
  const entityTypes = ENTITY_TYPES_BY_AUTHORITY[candidate.charAt(0)];
  if (entityTypes === undefined) {
    return invalid('registration_authority', 'The first character of the credit code is not a registration authority.');
  }
  if (!entityTypes.includes(candidate.charAt(1))) {
    return invalid(
      'entity_type',
      'The second character of the credit code is not an entity type of its registration authority.',
    );
  }
  // Positions 3-8 are the registering office's administrative division code (GB/T 2260), digits only.
  if (!/^\d{6}$/.test(candidate.slice(2, 8))) {
    return invalid('region_code', 'Characters 3 to 8 of the credit code must be the digits of a region code.');
  }
  if (candidate.charAt(17) !== checkCharacter(candidate)) {
    return invalid('check_digit', 'The credit code has a typo: its last character does not match the others.');
  }
  return valid(candidate as CreditCode);
}

function checkCharacter(code: string): string {
  let sum = 0;
  WEIGHTS.forEach((weight, index) => {
    sum += weight * ALPHABET.indexOf(code.charAt(index));
  });
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}
