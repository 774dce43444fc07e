import { describe, expect, it } from 'vitest';
import {
  CURRENCIES,
  CurrencyMismatchError,
  InvalidAmountError,
  MAX_MINOR,
  Money,
  MoneyError,
  isCurrency,
  minorDigitsOf,
  priceUsage,
  type InvalidAmountReason,
} from '../../src/domain/money.js';

const cny = (amount: string): Money => Money.parse(amount, 'CNY', { allowNegative: true });
const usd = (amount: string): Money => Money.parse(amount, 'USD', { allowNegative: true });

// Runs `action` and returns the InvalidAmountError it threw, failing the test if it threw anything else.
function refusal(action: () => unknown): InvalidAmountError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAmountError);
    return error as InvalidAmountError;
  }
  throw new Error('expected an InvalidAmountError, but nothing was thrown');
}

function mismatch(action: () => unknown): CurrencyMismatchError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CurrencyMismatchError);
    return error as CurrencyMismatchError;
  }
  throw new Error('expected a CurrencyMismatchError, but nothing was thrown');
}

// mulberry32: small, seeded and good enough to spread test inputs; the seed is in the test name so a
// failure can be replayed.
function prng(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * below;
  };
}

function randomDigits(random: (below: number) => number, length: number): string {
  let digits = '';
  for (let i = 0; i < length; i++) digits += String(Math.floor(random(10)));
  return digits;
}

// A canonical non-negative integer part of 1..maxLength digits, built without the code under test.
function randomInteger(random: (below: number) => number, maxLength: number): string {
  const length = 1 + Math.floor(random(maxLength));
  if (length === 1) return randomDigits(random, 1);
  return String(1 + Math.floor(random(9))) + randomDigits(random, length - 1);
}

// A canonical API amount with exactly two minor digits, sometimes negative, never "-0.00".
function randomAmount(random: (below: number) => number): string {
  const unsigned = `${randomInteger(random, 16)}.${randomDigits(random, 2)}`;
  const isZero = /^0\.00$/.test(unsigned);
  return !isZero && random(2) < 1 ? `-${unsigned}` : unsigned;
}

describe('currencies', () => {
  it('lists CNY and USD, both with two minor digits', () => {
    expect([...CURRENCIES].sort()).toEqual(['CNY', 'USD']);
    expect(minorDigitsOf('CNY')).toBe(2);
    expect(minorDigitsOf('USD')).toBe(2);
  });

  it.each([
    ['CNY', true],
    ['USD', true],
    ['EUR', false],
    ['cny', false],
    ['toString', false],
    [42, false],
  ])('recognises %j as a currency: %s', (value, expected) => {
    expect(isCurrency(value)).toBe(expected);
  });
});

describe('parsing an API amount', () => {
  it.each([
    ['0.00', 0n],
    ['0.05', 5n],
    ['0.50', 50n],
    ['1.00', 100n],
    ['123.45', 12345n],
    ['1000000.00', 100000000n],
    ['90071992547409.93', 9007199254740993n],
    ['92233720368547758.07', MAX_MINOR],
  ])('reads "%s" as %s minor units', (amount, minor) => {
    const money = Money.parse(amount, 'CNY');
    expect(money.minor).toBe(minor);
    expect(money.currency).toBe('CNY');
  });

  it.each([
    ['-0.05', -5n],
    ['-123.45', -12345n],
    ['-92233720368547758.07', -MAX_MINOR],
  ])('reads negative "%s" as %s minor units when the caller allows negatives', (amount, minor) => {
    expect(Money.parse(amount, 'USD', { allowNegative: true }).minor).toBe(minor);
  });

  it.each<[string, InvalidAmountReason]>([
    ['', 'empty'],
    ['123.4', 'wrong_minor_digits'],
    ['123', 'wrong_minor_digits'],
    ['123.456', 'wrong_minor_digits'],
    ['0.5', 'wrong_minor_digits'],
    ['1e3', 'malformed'],
    ['1.00e0', 'malformed'],
    [' 1.00', 'malformed'],
    ['1.00 ', 'malformed'],
    ['1.00\n', 'malformed'],
    ['+1.00', 'malformed'],
    ['1,000.00', 'malformed'],
    ['1_000.00', 'malformed'],
    ['1.000,00', 'malformed'],
    ['0x10', 'malformed'],
    ['0x10.00', 'malformed'],
    ['NaN', 'malformed'],
    ['Infinity', 'malformed'],
    ['.50', 'malformed'],
    ['1.', 'malformed'],
    ['01.00', 'malformed'],
    ['00.00', 'malformed'],
    ['1..00', 'malformed'],
    ['--1.00', 'malformed'],
    ['\uff11.\uff10\uff10', 'malformed'], // full-width digits
    ['\u0661.\u0660\u0660', 'malformed'], // Arabic-Indic digits
    ['-1.00', 'negative_not_allowed'],
    ['-0.05', 'negative_not_allowed'],
    ['92233720368547758.08', 'out_of_range'],
    ['100000000000000000000.00', 'out_of_range'],
    [`${'9'.repeat(10_000)}.00`, 'out_of_range'],
  ])('refuses %j because it is %s', (amount, reason) => {
    expect(refusal(() => Money.parse(amount, 'CNY')).reason).toBe(reason);
  });

  it('refuses negative zero even where negatives are allowed, so zero has one spelling', () => {
    expect(refusal(() => Money.parse('-0.00', 'CNY', { allowNegative: true })).reason).toBe('malformed');
  });

  it('refuses a negative amount beyond what the ledger can store', () => {
    const error = refusal(() => Money.parse('-92233720368547758.08', 'CNY', { allowNegative: true }));
    expect(error.reason).toBe('out_of_range');
  });

  it('refuses a JSON number that reached it untyped instead of reading it as a float', () => {
    expect(refusal(() => Money.parse(12.5 as unknown as string, 'CNY')).reason).toBe('malformed');
  });

  it('says where and what went wrong, so the HTTP layer can answer 400 with a field path', () => {
    const error = refusal(() => Money.parse('12.3', 'CNY', { field: '/faceValue' }));
    expect(error).toBeInstanceOf(MoneyError);
    expect(error.name).toBe('InvalidAmountError');
    expect(error.field).toBe('/faceValue');
    expect(error.input).toBe('12.3');
    expect(error.message).toBe('CNY amounts have exactly 2 decimal places, like "12.30"');
  });

  it('points at /amount when the caller names no field', () => {
    expect(refusal(() => Money.parse('x', 'USD')).field).toBe('/amount');
  });
});

describe('reading and writing the API money object', () => {
  it('reads { amount, currency } into money of that currency', () => {
    const money = Money.fromApi({ amount: '19.99', currency: 'USD' });
    expect(money.currency).toBe('USD');
    expect(money.minor).toBe(1999n);
  });

  it('refuses an unknown currency at the currency field of the object', () => {
    const error = refusal(() => Money.fromApi({ amount: '1.00', currency: 'EUR' }, { field: '/faceValue' }));
    expect(error.reason).toBe('unknown_currency');
    expect(error.field).toBe('/faceValue/currency');
  });

  it('refuses a bad amount at the amount field of the object', () => {
    const error = refusal(() => Money.fromApi({ amount: '1.0', currency: 'CNY' }, { field: '/minSpend' }));
    expect(error.reason).toBe('wrong_minor_digits');
    expect(error.field).toBe('/minSpend/amount');
  });

  it('refuses a negative amount unless the caller allows it', () => {
    expect(refusal(() => Money.fromApi({ amount: '-1.00', currency: 'CNY' })).reason).toBe('negative_not_allowed');
    expect(Money.fromApi({ amount: '-1.00', currency: 'CNY' }, { allowNegative: true }).minor).toBe(-100n);
  });

  it('writes the API object with the amount as a decimal string', () => {
    expect(cny('-0.05').toApi()).toEqual({ amount: '-0.05', currency: 'CNY' });
  });

  it('serialises through JSON.stringify in the API shape and comes back equal', () => {
    const money = usd('90071992547409.93');
    const json = JSON.stringify({ charge: money });
    expect(json).toBe('{"charge":{"amount":"90071992547409.93","currency":"USD"}}');
    const back = Money.fromApi((JSON.parse(json) as { charge: { amount: string; currency: string } }).charge);
    expect(back.equals(money)).toBe(true);
  });
});

describe('formatting', () => {
  it.each([
    [0n, '0.00'],
    [5n, '0.05'],
    [-5n, '-0.05'],
    [50n, '0.50'],
    [-99n, '-0.99'],
    [100n, '1.00'],
    [-100n, '-1.00'],
    [12345n, '123.45'],
    [100000000n, '1000000.00'],
    [9007199254740993n, '90071992547409.93'],
    [-MAX_MINOR, '-92233720368547758.07'],
  ])('writes %s minor units as "%s"', (minor, text) => {
    expect(Money.ofMinor(minor, 'CNY').toDecimalString()).toBe(text);
  });

  it('reads back exactly what it writes, one spelling per value', () => {
    for (const text of ['0.00', '0.01', '-0.01', '10.10', '-123456789012345.67']) {
      expect(cny(text).toDecimalString()).toBe(text);
    }
  });

  it('names the currency in logs and messages', () => {
    expect(`${cny('12.30')}`).toBe('12.30 CNY');
  });
});

describe('constructing from minor units', () => {
  it('refuses a number, so a float can never become money', () => {
    expect(() => Money.ofMinor(100 as unknown as bigint, 'CNY')).toThrow(TypeError);
  });

  it('refuses an unknown currency that arrived untyped', () => {
    expect(() => Money.ofMinor(100n, 'EUR' as unknown as 'CNY')).toThrow(TypeError);
  });

  it('gives zero of the requested currency', () => {
    const zero = Money.zero('USD');
    expect(zero.minor).toBe(0n);
    expect(zero.currency).toBe('USD');
  });

  it('cannot be changed after it is made', () => {
    const money = Money.ofMinor(100n, 'CNY');
    expect(Object.isFrozen(money)).toBe(true);
    expect(() => {
      (money as { minor: bigint }).minor = 1n;
    }).toThrow(TypeError);
    expect(money.minor).toBe(100n);
  });
});

describe('arithmetic', () => {
  it.each([
    ['1.00', '2.50', '3.50'],
    ['1.00', '-2.50', '-1.50'],
    ['-0.05', '-0.05', '-0.10'],
    ['-0.05', '0.05', '0.00'],
    ['90071992547409.91', '0.02', '90071992547409.93'],
  ])('adds %s and %s to %s', (a, b, total) => {
    expect(cny(a).add(cny(b)).toDecimalString()).toBe(total);
  });

  it.each([
    ['0.05', '0.10', '-0.05'],
    ['10.00', '0.01', '9.99'],
    ['-1.00', '-3.00', '2.00'],
    ['0.00', '92233720368547758.07', '-92233720368547758.07'],
  ])('subtracts %s minus %s to %s', (a, b, difference) => {
    expect(cny(a).subtract(cny(b)).toDecimalString()).toBe(difference);
  });

  it('leaves both operands unchanged', () => {
    const a = cny('1.00');
    const b = cny('2.00');
    a.add(b);
    a.subtract(b);
    expect(a.minor).toBe(100n);
    expect(b.minor).toBe(200n);
  });

  it('negates to the opposite sign and back, with zero staying zero', () => {
    expect(cny('12.34').negate().toDecimalString()).toBe('-12.34');
    expect(cny('-12.34').negate().toDecimalString()).toBe('12.34');
    expect(cny('12.34').negate().negate().equals(cny('12.34'))).toBe(true);
    expect(cny('0.00').negate().toDecimalString()).toBe('0.00');
  });

  it('adds and subtracts exactly far beyond Number.MAX_SAFE_INTEGER', () => {
    const big = Money.ofMinor(BigInt(Number.MAX_SAFE_INTEGER), 'USD');
    const sum = big.add(Money.ofMinor(2n, 'USD'));
    expect(sum.minor).toBe(9007199254740993n);
    expect(sum.toDecimalString()).toBe('90071992547409.93');
    const huge = Money.ofMinor(10n ** 30n + 1n, 'USD');
    expect(huge.subtract(Money.ofMinor(10n ** 30n, 'USD')).minor).toBe(1n);
  });

  it.each([
    ['1.00', '2.00', -1],
    ['2.00', '1.00', 1],
    ['1.00', '1.00', 0],
    ['-2.00', '-1.00', -1],
    ['-0.01', '0.00', -1],
  ])('compares %s with %s as %i', (a, b, expected) => {
    expect(cny(a).compare(cny(b))).toBe(expected);
  });

  it('sorts a list of money with compare', () => {
    const sorted = ['3.00', '-1.00', '0.00', '2.50'].map(cny).sort((a, b) => a.compare(b));
    expect(sorted.map((m) => m.toDecimalString())).toEqual(['-1.00', '0.00', '2.50', '3.00']);
  });

  it('holds equal the same amount in the same currency, and only that', () => {
    expect(cny('1.00').equals(cny('1.00'))).toBe(true);
    expect(cny('1.00').equals(cny('1.01'))).toBe(false);
    expect(cny('-1.00').equals(cny('1.00'))).toBe(false);
  });

  it.each([
    ['0.00', true, false, false],
    ['0.01', false, false, true],
    ['-0.01', false, true, false],
    ['92233720368547758.07', false, false, true],
  ])('classifies %s as zero=%s negative=%s positive=%s', (amount, zero, negative, positive) => {
    const money = cny(amount);
    expect(money.isZero()).toBe(zero);
    expect(money.isNegative()).toBe(negative);
    expect(money.isPositive()).toBe(positive);
  });

  it('picks the smallest and the largest of several amounts', () => {
    const amounts = ['5.00', '-2.00', '3.00'].map(cny);
    const [first, ...rest] = amounts as [Money, ...Money[]];
    expect(Money.min(first, ...rest).toDecimalString()).toBe('-2.00');
    expect(Money.max(first, ...rest).toDecimalString()).toBe('5.00');
    expect(Money.min(cny('7.00')).toDecimalString()).toBe('7.00');
  });

  it('sums a list exactly, negatives included', () => {
    const total = Money.sum(['0.10', '0.20', '-0.05', '90071992547409.93'].map(usd), 'USD');
    expect(total.toDecimalString()).toBe('90071992547410.18');
  });

  it('sums an empty list to zero of the given currency', () => {
    const total = Money.sum([], 'CNY');
    expect(total.isZero()).toBe(true);
    expect(total.currency).toBe('CNY');
  });
});

describe('mixing currencies', () => {
  const yuan = cny('1.00');
  const dollar = usd('1.00');

  it.each<[string, () => unknown]>([
    ['add', () => yuan.add(dollar)],
    ['subtract', () => yuan.subtract(dollar)],
    ['compare', () => yuan.compare(dollar)],
    ['equals', () => yuan.equals(dollar)],
    ['min', () => Money.min(yuan, dollar)],
    ['max', () => Money.max(yuan, dollar)],
  ])('%s throws a CurrencyMismatchError naming both currencies', (_operation, action) => {
    const error = mismatch(action);
    expect(error).toBeInstanceOf(MoneyError);
    expect(error.name).toBe('CurrencyMismatchError');
    expect(error.expected).toBe('CNY');
    expect(error.actual).toBe('USD');
  });

  it('sum throws when an item is not in the requested currency', () => {
    const error = mismatch(() => Money.sum([yuan, yuan, dollar], 'CNY'));
    expect(error.actual).toBe('USD');
  });
});

describe('pricing usage', () => {
  it.each([
    // ties go to the even neighbour
    ['0.125', '1', '0.12'],
    ['0.135', '1', '0.14'],
    ['0.005', '1', '0.00'],
    ['0.015', '1', '0.02'],
    ['0.025', '1', '0.02'],
    ['1', '0.125', '0.12'],
    ['2.5', '0.01', '0.02'],
    ['3.5', '0.01', '0.04'],
    ['3', '0.005', '0.02'],
    ['0.5', '0.01', '0.00'],
    // anything off the tie goes to the nearer neighbour, however small the difference
    ['1', '0.00500001', '0.01'],
    ['1', '0.00499999', '0.00'],
    ['0.125000000001', '1', '0.13'],
    ['0.124999999999', '1', '0.12'],
    ['0.000000000001', '0.00000001', '0.00'],
    // exact products are not rounded at all
    ['10', '1.5', '15.00'],
    ['3', '2', '6.00'],
    ['0', '123.45678901', '0.00'],
    ['1.000000000000', '0.10000000', '0.10'],
  ])('charges %s × %s as %s', (quantity, unitPrice, charge) => {
    expect(priceUsage(quantity, unitPrice, 'CNY').toDecimalString()).toBe(charge);
  });

  it('prices in the currency it is asked for', () => {
    expect(priceUsage('2', '0.5', 'USD').toApi()).toEqual({ amount: '1.00', currency: 'USD' });
  });

  it('stays exact on products far beyond Number.MAX_SAFE_INTEGER', () => {
    expect(priceUsage('123456789012.345678901234', '12345.67891234', 'CNY').toDecimalString()).toBe(
      '1524157876694924.66',
    );
    expect(priceUsage('98765432109876', '0.00000001', 'CNY').toDecimalString()).toBe('987654.32');
  });

  it('accepts the documented limits: 12 decimals of quantity, 8 of unit price', () => {
    expect(priceUsage('1000000.000000000001', '99.99999999', 'CNY').toDecimalString()).toBe('99999999.99');
  });

  it.each<[string, string, InvalidAmountReason, string]>([
    ['1.0000000000001', '1', 'too_many_decimals', '/quantity'],
    ['1', '0.000000001', 'too_many_decimals', '/unitPrice'],
    ['-1', '1', 'negative_not_allowed', '/quantity'],
    ['1', '-0.5', 'negative_not_allowed', '/unitPrice'],
    ['', '1', 'empty', '/quantity'],
    ['1', '', 'empty', '/unitPrice'],
    ['1e3', '1', 'malformed', '/quantity'],
    ['1', '.5', 'malformed', '/unitPrice'],
    ['1', '0,5', 'malformed', '/unitPrice'],
    ['01', '1', 'malformed', '/quantity'],
    ['NaN', '1', 'malformed', '/quantity'],
    ['1', ' 1', 'malformed', '/unitPrice'],
    ['100000000000000000000', '0.00000001', 'out_of_range', '/quantity'], // 20 integer digits: past the documented limit
    ['1', '100000000000000000000', 'out_of_range', '/unitPrice'],
    ['1000000000000', '99999.99999999', 'out_of_range', '/quantity'],
  ])('refuses quantity %j × unit price %j as %s at %s', (quantity, unitPrice, reason, field) => {
    const error = refusal(() => priceUsage(quantity, unitPrice, 'CNY'));
    expect(error.reason).toBe(reason);
    expect(error.field).toBe(field);
  });

  it('reports refusals at the field paths the caller gives', () => {
    const options = { quantityField: '/records/3/quantity', unitPriceField: '/records/3/unitPrice' };
    expect(refusal(() => priceUsage('x', '1', 'CNY', options)).field).toBe('/records/3/quantity');
    expect(refusal(() => priceUsage('1', 'x', 'CNY', options)).field).toBe('/records/3/unitPrice');
  });
});

describe('randomized checks (seeded, reproducible)', () => {
  const seed = 20240601;

  it(`writes back every canonical amount it reads, with the value its digits say (seed ${seed})`, () => {
    const random = prng(seed);
    for (let i = 0; i < 2000; i++) {
      const text = randomAmount(random);
      const money = Money.parse(text, 'CNY', { allowNegative: true });
      expect(money.minor, text).toBe(BigInt(text.replace('.', '')));
      expect(money.toDecimalString()).toBe(text);
    }
  });

  it(`refuses every amount with one stray separator, sign or letter inserted (seed ${seed + 1})`, () => {
    const random = prng(seed + 1);
    const strays = [' ', '+', ',', '_', 'e', 'x', '.'];
    for (let i = 0; i < 2000; i++) {
      const text = randomAmount(random);
      const at = Math.floor(random(text.length + 1));
      const stray = strays[Math.floor(random(strays.length))] ?? ' ';
      const corrupted = text.slice(0, at) + stray + text.slice(at);
      expect(() => Money.parse(corrupted, 'CNY', { allowNegative: true }), corrupted).toThrow(InvalidAmountError);
    }
  });

  it(`undoes a sum by subtracting its parts, in any currency (seed ${seed + 2})`, () => {
    const random = prng(seed + 2);
    for (let i = 0; i < 1000; i++) {
      const [a, b, c] = [randomAmount(random), randomAmount(random), randomAmount(random)].map(usd) as [
        Money,
        Money,
        Money,
      ];
      const total = Money.sum([a, b, c], 'USD');
      expect(total.equals(a.add(b).add(c))).toBe(true);
      expect(total.subtract(c).subtract(b).equals(a), `${a} ${b} ${c}`).toBe(true);
      expect(a.subtract(b).add(b).equals(a)).toBe(true);
      expect(a.add(b.negate()).equals(a.subtract(b))).toBe(true);
    }
  });

  it(`charges the nearest minor unit to the exact product, ties to even (seed ${seed + 3})`, () => {
    const random = prng(seed + 3);
    let ties = 0;
    for (let i = 0; i < 2000; i++) {
      // Every fourth case is built to land exactly on a half minor unit, which random digits rarely do.
      const forceTie = i % 4 === 0;
      const quantityDecimals = forceTie ? 3 : Math.floor(random(13));
      const priceDecimals = forceTie ? 0 : Math.floor(random(9));
      const quantity = forceTie
        ? `${randomInteger(random, 7)}.${randomDigits(random, 2)}5`
        : randomInteger(random, 7) + (quantityDecimals > 0 ? `.${randomDigits(random, quantityDecimals)}` : '');
      const unitPrice = forceTie
        ? '1'
        : randomInteger(random, 5) + (priceDecimals > 0 ? `.${randomDigits(random, priceDecimals)}` : '');
      const charge = priceUsage(quantity, unitPrice, 'CNY').minor;

      // Compare on the finer of the two scales: the exact product's or the charge's (minor units).
      const exact = BigInt(quantity.replace('.', '')) * BigInt(unitPrice.replace('.', ''));
      const scale = quantityDecimals + priceDecimals;
      const minorUnit = scale >= 2 ? 10n ** BigInt(scale - 2) : 1n;
      const exactScaled = scale >= 2 ? exact : exact * 10n ** BigInt(2 - scale);
      const chargeScaled = charge * minorUnit;
      const gap = chargeScaled > exactScaled ? chargeScaled - exactScaled : exactScaled - chargeScaled;
      const context = `${quantity} × ${unitPrice} charged ${charge}`;

      expect(2n * gap <= minorUnit, context).toBe(true);
      if (2n * gap === minorUnit) {
        ties++;
        expect(charge % 2n, context).toBe(0n);
      }
    }
    expect(ties).toBeGreaterThanOrEqual(500);
  });
});
