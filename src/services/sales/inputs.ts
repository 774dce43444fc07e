import { DomainError } from '../../domain/errors.js';
import { InvalidAmountError, isCurrency, Money, type Currency } from '../../domain/money.js';

/** Checks on what sales sends that a JSON schema cannot say. Each refusal names its field (`/body/...`). */

export const MAX_ISSUE_COUNT = 10_000;
/** Ten years: the longest validity sales may give (validDays' maximum, and the horizon of any end date). */
export const MAX_VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;

export const invalidField = (path: string, message: string, detail = `${path.split('/').at(-1)} ${message}.`) =>
  new DomainError('invalid', 'validation', detail, { fields: [{ path, message }] });

/** A face value: money in a known currency with its exact minor digits, more than nothing. */
export function parseFaceValue(value: { amount: string; currency: string }, path: string): Money {
  const money = parseMoney(value, path);
  if (!money.isPositive()) throw invalidField(`${path}/amount`, 'must be more than zero', 'A face value must be more than zero.');
  return money;
}

/** Money that may be zero (a minimum spend of nothing is allowed, if pointless), never negative. */
export function parseMoney(value: { amount: string; currency: string }, path: string): Money {
  try {
    return Money.fromApi(value, { field: path });
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    throw invalidField(error.field, error.message, error.message);
  }
}

/** An RFC 3339 instant (the schema checked its form) strictly after `now` and at most ten years ahead. */
export function futureInstant(text: string, path: string, now: Date): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw invalidField(path, 'is not a valid time');
  if (at.getTime() <= now.getTime()) throw invalidField(path, 'must be in the future', `${path.split('/').at(-1)} must be in the future.`);
  if (at.getTime() > now.getTime() + MAX_VALIDITY_DAYS * DAY_MS) {
    throw invalidField(path, `must be at most ${MAX_VALIDITY_DAYS} days ahead`);
  }
  return at;
}

/** A currency read back from a row: the database only holds currencies this code knows. */
export function storedCurrency(currency: string): Currency {
  if (!isCurrency(currency)) throw new Error(`stored currency ${JSON.stringify(currency)} is unknown`);
  return currency;
}
