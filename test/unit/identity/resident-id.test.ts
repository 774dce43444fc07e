import { describe, expect, it } from 'vitest';
import { validateResidentId } from '../../../src/domain/identity/resident-id.js';

// A fixed "now" keeps every birth-date case independent of the day the suite runs.
const now = new Date('2025-06-01T00:00:00Z');
const validate = (input: string) => validateResidentId(input, { now });

// The sample number printed in GB 11643-1999. By hand: digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2
// times weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 sum to 167; 167 mod 11 = 2, which maps to X.
const STANDARD_SAMPLE = '11010519491231002X';

describe('resident identity number', () => {
  it('accepts the sample number from GB 11643-1999', () => {
    expect(validate(STANDARD_SAMPLE)).toEqual({ ok: true, value: STANDARD_SAMPLE });
  });

  it.each([
    // weighted sum 204, mod 11 = 6 -> '6'; born on the leap day of 2000
    ['440304200002291236'],
    // weighted sum 176, mod 11 = 0 -> '1'; born on the leap day of 2024
    ['310115202402290011'],
    // weighted sum 127, mod 11 = 6 -> '6'; born on the earliest accepted day, 1900-01-01
    ['650102190001010016'],
    // weighted sum 317, mod 11 = 9 -> '3'
    ['440304199912315553'],
  ])('accepts the hand-computed number %s', (number) => {
    expect(validate(number)).toEqual({ ok: true, value: number });
  });

  it('accepts a lower-case x as the check character and returns it upper-case', () => {
    expect(validate('11010519491231002x')).toEqual({ ok: true, value: STANDARD_SAMPLE });
  });

  it('ignores whitespace around a pasted number', () => {
    expect(validate(`  ${STANDARD_SAMPLE}\n`)).toEqual({ ok: true, value: STANDARD_SAMPLE });
  });

  it.each([
    ['empty', ''],
    ['17 characters', '11010519491231002'],
    ['19 characters', '11010519491231002X0'],
    ['a legacy 15-digit number', '110105491231002'],
  ])('refuses %s as length', (_case, input) => {
    expect(validate(input)).toMatchObject({ ok: false, reason: 'length' });
  });

  it.each([
    ['an X before the last position', '1101051949123100X2'],
    ['a letter other than X', '11010519491231002A'],
    ['a space inside', '110105 9491231002X'],
  ])('refuses %s as format', (_case, input) => {
    expect(validate(input)).toMatchObject({ ok: false, reason: 'format' });
  });

  it.each([
    // both carry a correct check character, so only the area code is wrong
    ['0', '010105194912310026'],
    ['9', '910105194912310029'],
  ])('refuses an area code starting with %s', (_digit, number) => {
    expect(validate(number)).toMatchObject({ ok: false, reason: 'area_code' });
  });

  it.each([
    // each carries a correct check character, so only the birth date is wrong
    ['born before 1900', '110105189912310015'],
    ['born in 1880', '440524188001010014'],
    ['29 February of a common year', '110105202302290014'],
    ['31 April', '11010519490431002X'],
    ['month 13', '110105194913310021'],
    ['born in 2099', '510107209912310018'],
  ])('refuses a birth date %s', (_case, number) => {
    expect(validate(number)).toMatchObject({ ok: false, reason: 'birth_date' });
  });

  it('judges "not in the future" by the calendar date in China, which is UTC+8', () => {
    const bornOnNewYearsDay2024 = '110105202401010014';
    const midnightInBeijing = new Date('2023-12-31T16:00:00.000Z');
    const justBefore = new Date('2023-12-31T15:59:59.999Z');

    expect(validateResidentId(bornOnNewYearsDay2024, { now: midnightInBeijing }).ok).toBe(true);
    expect(validateResidentId(bornOnNewYearsDay2024, { now: justBefore })).toMatchObject({
      ok: false,
      reason: 'birth_date',
    });
  });

  it('refuses a number whose check character does not match', () => {
    expect(validate('110105194912310021')).toMatchObject({ ok: false, reason: 'check_digit' });
  });

  it('refuses every single-character typo of the standard sample', () => {
    const accepted: string[] = [];
    for (let position = 0; position < 18; position += 1) {
      const alphabet = position === 17 ? '0123456789X' : '0123456789';
      for (const replacement of alphabet) {
        if (replacement === STANDARD_SAMPLE[position]) continue;
        const typo = STANDARD_SAMPLE.slice(0, position) + replacement + STANDARD_SAMPLE.slice(position + 1);
        if (validate(typo).ok) accepted.push(typo);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('explains each refusal in words, not only a code', () => {
    const refusal = validate('110105194912310021');
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(refusal.message).toMatch(/last character/);
  });
});
