import { describe, expect, it } from 'vitest';
import { validateCreditCode } from '../../../src/domain/identity/credit-code.js';

// The example code of GB 32100-2015, also the fixture of hutool's CreditCodeUtil and most public
// validators. By hand: values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4 times weights
// 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 sum to 1640; 1640 mod 31 = 28; 31 - 28 = 3.
const STANDARD_EXAMPLE = '91350100M000100Y43';
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('unified social credit code', () => {
  it('accepts the example code from GB 32100-2015', () => {
    expect(validateCreditCode(STANDARD_EXAMPLE)).toEqual({ ok: true, value: STANDARD_EXAMPLE });
  });

  it.each([
    ['an enterprise (hutool CreditCodeUtilTest)', '91310110666007217T'],
    ['an enterprise in Shenzhen', '91440300708461136T'],
    ['an enterprise in Beijing', '91110108551385082Q'],
    ['an individual business (92)', '92510100MA61WJ3204'],
    ['a social organisation (51)', '51610700305332460K'],
    ['a government organ (11)', '11610923MB2900168E'],
    ['a public institution (12)', '121526004609138637'],
    // its weighted sum is a multiple of 31, so it proves (31 - 0) mod 31 wraps to check character 0
    ['a private non-enterprise unit (52)', '52440111MJK9980480'],
  ])('accepts a published code of %s', (_case, code) => {
    expect(validateCreditCode(code)).toEqual({ ok: true, value: code });
  });

  it('accepts lower-case input and returns the code upper-case', () => {
    expect(validateCreditCode(' 91350100m000100y43 ')).toEqual({ ok: true, value: STANDARD_EXAMPLE });
  });

  it.each([
    ['empty', ''],
    ['17 characters', '91350100M000100Y4'],
    ['19 characters', '91350100M000100Y430'],
    ['the 15-character business registration number it replaced', '350100400001234'],
  ])('refuses %s as length', (_case, input) => {
    expect(validateCreditCode(input)).toMatchObject({ ok: false, reason: 'length' });
  });

  it.each(['I', 'O', 'Z', 'S', 'V', '-'])('refuses the character %s, which the code never uses', (character) => {
    const withCharacter = `${STANDARD_EXAMPLE.slice(0, 8)}${character}${STANDARD_EXAMPLE.slice(9)}`;
    expect(validateCreditCode(withCharacter)).toMatchObject({ ok: false, reason: 'format' });
  });

  // The cases below carry a correct check character (computed separately), so the refusal can only
  // come from the rule named.
  it('refuses a first character that is no registration authority', () => {
    expect(validateCreditCode('B1350100M000100Y41')).toMatchObject({ ok: false, reason: 'registration_authority' });
  });

  it.each([
    ['market regulation (9) has no entity type 6', '96350100M000100Y4K'],
    ['other authorities (Y) use only entity type 1', 'Y2350100M000100Y4A'],
  ])('refuses an entity type its authority does not use: %s', (_case, code) => {
    expect(validateCreditCode(code)).toMatchObject({ ok: false, reason: 'entity_type' });
  });

  it.each([
    ['agriculture (N1)', 'N1350100M000100Y4M'],
    ['the CMC establishment office (A1)', 'A1350100M000100Y42'],
    ['other authorities (Y1)', 'Y1350100M000100Y4D'],
  ])('accepts the letter authority of %s', (_case, code) => {
    expect(validateCreditCode(code).ok).toBe(true);
  });

  it('refuses a region code containing a letter', () => {
    expect(validateCreditCode('9135A100M000100Y4Y')).toMatchObject({ ok: false, reason: 'region_code' });
  });

  it('refuses a code whose check character does not match', () => {
    expect(validateCreditCode('91350100M000100Y44')).toMatchObject({ ok: false, reason: 'check_digit' });
  });

  it('refuses every single-character typo of the standard example', () => {
    const accepted: string[] = [];
    for (let position = 0; position < 18; position += 1) {
      for (const replacement of ALPHABET) {
        if (replacement === STANDARD_EXAMPLE[position]) continue;
        const typo = STANDARD_EXAMPLE.slice(0, position) + replacement + STANDARD_EXAMPLE.slice(position + 1);
        if (validateCreditCode(typo).ok) accepted.push(typo);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses two adjacent characters swapped', () => {
    // '100Y43' -> '10Y043'
    expect(validateCreditCode('91350100M00010Y043')).toMatchObject({ ok: false, reason: 'check_digit' });
  });
});
