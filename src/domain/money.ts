// The one money type. Amounts are integer minor units in a bigint, so nothing here ever rounds
// except `priceUsage`, where the API contract names the rounding (half-to-even, per record).
// Pure code: workflows import it, so no I/O and no Node-only APIs.

// The only place a currency is defined; `Currency` is derived from it so that a new currency is one line.
const MINOR_DIGITS = {
  CNY: 2,
  USD: 2,
} as const satisfies Record<string, number>;

export type Currency = keyof typeof MINOR_DIGITS;

export const CURRENCIES: readonly Currency[] = Object.freeze(Object.keys(MINOR_DIGITS) as Currency[]);

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && Object.hasOwn(MINOR_DIGITS, value);
}

export function minorDigitsOf(currency: Currency): number {
  return MINOR_DIGITS[currency];
}

// The ledger stores minor units in a PostgreSQL bigint. Refusing larger amounts where they enter keeps a
// client's typo a 400 instead of an overflow (a 5xx) deep in a transaction.
export const MAX_MINOR = 2n ** 63n - 1n;

// Limits on the usage inputs. 12 decimals lets the platform report e.g. GB-seconds without pre-rounding;
// 8 decimals on unit prices is the API contract.
export const MAX_QUANTITY_DECIMALS = 12;
export const MAX_UNIT_PRICE_DECIMALS = 8;

// No amount with more integer digits fits MAX_MINOR. Quantities and unit prices share the bound (below
// 10^19 is more than any usage record carries), so no input of any length becomes a huge bigint.
const MAX_INTEGER_DIGITS = 19;

export type InvalidAmountReason =
  | 'empty' // ""
  | 'malformed' // not -?digits[.digits] in canonical form: "1e3", " 1.00", "+1.00", "1,000.00", "01.00", "-0.00", "NaN"
  | 'negative_not_allowed' // "-1.00" where only non-negative amounts make sense
  | 'wrong_minor_digits' // "123.4" or "123" for a 2-digit currency: the contract wants exactly the currency's digits
  | 'too_many_decimals' // a quantity or unit price finer than its documented limit
  | 'out_of_range' // does not fit the ledger (see MAX_MINOR)
  | 'unknown_currency';

// Base class so the HTTP error mapper can recognise every refusal from this module with one check.
export abstract class MoneyError extends Error {}

// A client sent something that is not a valid amount. `field` is a JSON Pointer (like Ajv's instancePath)
// so the error handler can put it into problem+json `errors[]` as it does for schema failures.
export class InvalidAmountError extends MoneyError {
  override readonly name = 'InvalidAmountError';

  constructor(
    readonly reason: InvalidAmountReason,
    readonly field: string,
    readonly input: string,
    detail: string,
  ) {
    super(detail);
  }
}

// Always a programming error (a CNY balance charged in USD), never client input: let it become a 500.
export class CurrencyMismatchError extends MoneyError {
  override readonly name = 'CurrencyMismatchError';

  constructor(
    readonly expected: Currency,
    readonly actual: Currency,
  ) {
    super(`currency mismatch: expected ${expected}, got ${actual}`);
  }
}

export interface MoneyJson {
  amount: string;
  currency: Currency;
}

export interface ParseAmountOptions {
  // Off by default: recharges, face values and prices are never negative; only adjustments and
  // balances (arrears) are, and their callers say so.
  allowNegative?: boolean;
  field?: string;
}

export class Money {
  readonly currency: Currency;
  readonly minor: bigint;

  private constructor(currency: Currency, minor: bigint) {
    this.currency = currency;
    this.minor = minor;
    Object.freeze(this);
  }

  // Checked at run time too: rows and JSON reach this untyped, and a `number` slipping in is exactly
  // the float we promised never to have.
  static ofMinor(minor: bigint, currency: Currency): Money {
    if (typeof minor !== 'bigint') {
      throw new TypeError(`minor units must be a bigint, got ${typeof minor}`);
    }
    if (!isCurrency(currency)) {
      throw new TypeError(`unknown currency ${JSON.stringify(currency)}`);
    }
    return new Money(currency, minor);
  }

  static zero(currency: Currency): Money {
    return Money.ofMinor(0n, currency);
  }

  // An API amount: exactly the currency's minor digits, one spelling per value.
  static parse(amount: string, currency: Currency, options: ParseAmountOptions = {}): Money {
    const field = options.field ?? '/amount';
    const { units } = parseDecimal(amount, {
      field,
      what: 'amount',
      allowNegative: options.allowNegative ?? false,
      scale: { exactly: minorDigitsOf(currency), currency },
    });
    if (units > MAX_MINOR || units < -MAX_MINOR) {
      throw new InvalidAmountError('out_of_range', field, amount, 'amount is out of range');
    }
    return new Money(currency, units);
  }

  // The API's money object. `field` is the pointer of the object itself; errors point inside it.
  static fromApi(value: { amount: string; currency: string }, options: ParseAmountOptions = {}): Money {
    const field = options.field ?? '';
    if (!isCurrency(value.currency)) {
      throw new InvalidAmountError(
        'unknown_currency',
        `${field}/currency`,
        String(value.currency),
        `currency must be one of ${CURRENCIES.join(', ')}`,
      );
    }
    return Money.parse(value.amount, value.currency, { ...options, field: `${field}/amount` });
  }

  // Takes the currency because the sum of nothing still has to be money of some currency.
  static sum(items: Iterable<Money>, currency: Currency): Money {
    let total = 0n;
    for (const item of items) {
      assertSameCurrency(currency, item);
      total += item.minor;
    }
    return Money.ofMinor(total, currency);
  }

  static min(first: Money, ...rest: Money[]): Money {
    return rest.reduce((low, next) => (low.compare(next) > 0 ? next : low), first);
  }

  static max(first: Money, ...rest: Money[]): Money {
    return rest.reduce((high, next) => (high.compare(next) < 0 ? next : high), first);
  }

  add(other: Money): Money {
    assertSameCurrency(this.currency, other);
    return new Money(this.currency, this.minor + other.minor);
  }

  subtract(other: Money): Money {
    assertSameCurrency(this.currency, other);
    return new Money(this.currency, this.minor - other.minor);
  }

  negate(): Money {
    return new Money(this.currency, -this.minor);
  }

  // Throws on mixed currencies like every other binary operation: asking whether 1 CNY equals 1 USD
  // is a bug, and answering "no" would hide it.
  compare(other: Money): -1 | 0 | 1 {
    assertSameCurrency(this.currency, other);
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  equals(other: Money): boolean {
    return this.compare(other) === 0;
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  isPositive(): boolean {
    return this.minor > 0n;
  }

  toDecimalString(): string {
    const digits = minorDigitsOf(this.currency);
    const sign = this.minor < 0n ? '-' : '';
    const magnitude = (this.minor < 0n ? -this.minor : this.minor).toString();
    if (digits === 0) {
      return sign + magnitude;
    }
    const padded = magnitude.padStart(digits + 1, '0');
    return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
  }

  toApi(): MoneyJson {
    return { amount: this.toDecimalString(), currency: this.currency };
  }

  // JSON.stringify cannot serialise a bigint; this makes Money cross any JSON boundary (replies,
  // Temporal payloads, logs) in the API's shape. The receiver rebuilds it with `Money.fromApi`.
  toJSON(): MoneyJson {
    return this.toApi();
  }

  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }
}

function assertSameCurrency(expected: Currency, money: Money): void {
  if (money.currency !== expected) {
    throw new CurrencyMismatchError(expected, money.currency);
  }
}

// The price of one usage record: quantity × unitPrice, rounded half-to-even to the currency's minor
// units, computed on scaled integers so the rounding sees the exact product. Both inputs are
// non-negative (credits are ledger adjustments, not negative usage), have at most 19 integer digits,
// and at most MAX_QUANTITY_DECIMALS / MAX_UNIT_PRICE_DECIMALS decimals; the charge must fit MAX_MINOR. `quantityField` and
// `unitPriceField` are the JSON Pointers of the inputs, e.g. "/records/3/quantity".
export function priceUsage(
  quantity: string,
  unitPrice: string,
  currency: Currency,
  options: { quantityField?: string; unitPriceField?: string } = {},
): Money {
  const quantityField = options.quantityField ?? '/quantity';
  const unitPriceField = options.unitPriceField ?? '/unitPrice';
  const q = parseDecimal(quantity, {
    field: quantityField,
    what: 'quantity',
    allowNegative: false,
    scale: { atMost: MAX_QUANTITY_DECIMALS },
  });
  const p = parseDecimal(unitPrice, {
    field: unitPriceField,
    what: 'unit price',
    allowNegative: false,
    scale: { atMost: MAX_UNIT_PRICE_DECIMALS },
  });
  const productScale = q.scale + p.scale;
  const digits = minorDigitsOf(currency);
  const exact = q.units * p.units;
  const minor =
    productScale <= digits
      ? exact * 10n ** BigInt(digits - productScale)
      : divideHalfEven(exact, 10n ** BigInt(productScale - digits));
  if (minor > MAX_MINOR) {
    // Blamed on the quantity: unit prices are catalogue values, quantities are what runs away.
    throw new InvalidAmountError('out_of_range', quantityField, quantity, 'quantity × unit price is too large');
  }
  return Money.ofMinor(minor, currency);
}

// Canonical decimal: an optional "-", no leading zeros, a "." only with digits after it. Strict on
// purpose: every value has one spelling in its sign and integer part, and nothing a locale or a float
// printer would produce ("1,000.00", "1e3", "+1") is quietly read. Trailing fraction zeros count
// towards the scale, since they are how a client says how many decimals it sent.
const DECIMAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

interface Decimal {
  units: bigint; // value × 10^scale
  scale: number;
}

interface DecimalRules {
  field: string;
  what: string; // names the input in messages: "amount", "quantity", "unit price"
  allowNegative: boolean;
  scale: { exactly: number; currency: Currency } | { atMost: number };
}

// Every length is checked before any BigInt is built, so an absurd input costs a regex, not a
// megabyte-wide bigint.
function parseDecimal(text: string, rules: DecimalRules): Decimal {
  const { field, what } = rules;
  if (typeof text !== 'string') {
    throw new InvalidAmountError('malformed', field, String(text), `${what} must be a decimal string`);
  }
  if (text === '') {
    throw new InvalidAmountError('empty', field, text, `${what} must not be empty`);
  }
  const match = DECIMAL.exec(text);
  if (match === null) {
    throw new InvalidAmountError('malformed', field, text, `${what} must be a plain decimal string like "12.30"`);
  }
  const [, sign = '', integer = '', fraction = ''] = match;
  if (sign === '-' && !rules.allowNegative) {
    throw new InvalidAmountError('negative_not_allowed', field, text, `${what} must not be negative`);
  }
  const { scale } = rules;
  if ('exactly' in scale && fraction.length !== scale.exactly) {
    const example = scale.exactly === 0 ? '12' : `12.${'3'.padEnd(scale.exactly, '0')}`;
    throw new InvalidAmountError(
      'wrong_minor_digits',
      field,
      text,
      `${scale.currency} ${what}s have exactly ${scale.exactly} decimal places, like "${example}"`,
    );
  }
  if ('atMost' in scale && fraction.length > scale.atMost) {
    throw new InvalidAmountError(
      'too_many_decimals',
      field,
      text,
      `${what} has at most ${scale.atMost} decimal places`,
    );
  }
  if (integer.length > MAX_INTEGER_DIGITS) {
    throw new InvalidAmountError('out_of_range', field, text, `${what} is too large`);
  }
  const magnitude = BigInt(integer + fraction);
  if (sign === '-' && magnitude === 0n) {
    throw new InvalidAmountError('malformed', field, text, `${what} zero is written without "-"`);
  }
  return { units: sign === '-' ? -magnitude : magnitude, scale: fraction.length };
}

// numerator / denominator to the nearest integer, ties to the even neighbour. Both are non-negative
// here (usage is never negative), which keeps truncation and flooring the same thing.
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  const roundUp = twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n);
  return roundUp ? quotient + 1n : quotient;
}
