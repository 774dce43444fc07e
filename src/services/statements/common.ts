import { DomainError } from '../../domain/errors.js';
import type { BalanceSourceKind, JournalEntryKind } from '../../domain/ledger/index.js';
import { isCurrency, Money, type Currency } from '../../domain/money.js';
import type { PrismaClient } from '../../db/client.js';

/**
 * What the statement services share: the page shape, the time-range rule, and reading the ledger's rows back
 * into Money. Statements only read; nothing here writes.
 */

/** A page of rows and, when more follow, the sort key of its last row (the route turns it into a cursor). */
export interface Slice<T, K> {
  items: T[];
  next: K | null;
}

/** `rows` were fetched with `limit + 1`: the extra row only says that another page exists. */
export function slice<T, K>(rows: T[], limit: number, key: (row: T) => K): Slice<T, K> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? key(last) : null };
}

/** Every kind an entry can have; `satisfies` plus the check below keep it equal to the ledger's own type. */
export const ENTRY_KINDS = [
  'recharge_cash',
  'recharge_voucher',
  'recharge_prepaid_card',
  'usage_charge',
  'adjustment',
  'expiry',
  'reversal',
] as const satisfies readonly JournalEntryKind[];
type MissingKind = Exclude<JournalEntryKind, (typeof ENTRY_KINDS)[number]>;
// A compile error here means a new entry kind was added to the ledger and not to the statement filter.
const everyKindListed: MissingKind extends never ? true : never = true;
void everyKindListed;

export interface TimeRange {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** An unreadable, empty or inverted window is a client mistake, said at the field that makes it so. */
export function assertTimeRange(range: TimeRange): void {
  // RFC 3339 allows what Date cannot read (a leap second, "23:59:60Z"): refused here, not turned into a 500.
  for (const field of ['from', 'to'] as const) {
    if (range[field] !== undefined && Number.isNaN(range[field].getTime())) {
      throw new DomainError('invalid', 'validation', `\`${field}\` is not a time this service can read.`, {
        fields: [{ path: `/query/${field}`, message: 'is not a readable date-time' }],
      });
    }
  }
  if (range.from && range.to && range.to.getTime() <= range.from.getTime()) {
    throw new DomainError('invalid', 'validation', '`to` must be later than `from`.', {
      fields: [{ path: '/query/to', message: 'must be later than from' }],
    });
  }
}

/**
 * Currencies come from our own rows; an unknown one is corrupt data, not a client error. `what` names the row
 * in the error: a function when naming it costs something (a page maps thousands).
 */
export function currencyOf(value: string | null, what: string | (() => string)): Currency {
  if (!isCurrency(value)) throw new Error(`${typeof what === 'string' ? what : what()} has an unknown currency ${JSON.stringify(value)}`);
  return value;
}

export async function accountCurrency(prisma: PrismaClient, accountId: string): Promise<Currency | null> {
  const account = await prisma.account.findUnique({ where: { id: accountId }, select: { currency: true } });
  return account ? currencyOf(account.currency, `account ${accountId}`) : null;
}

/**
 * What a customer's balance source gained (+) or lost (−) in one entry. Postings are signed debit-positive and
 * a customer's balance is −net (src/domain/ledger/accounts.ts), so the customer-side change is −amount.
 */
export interface SourceChange {
  source: BalanceSourceKind;
  /** The voucher or card id; null for cash. */
  sourceId: string | null;
  change: Money;
}

export function customerSide(amountMinor: bigint, currency: Currency): Money {
  return Money.ofMinor(-amountMinor, currency);
}

/**
 * Stored decimals keep their column's scale (numeric(38,12) prints 2.5 as "2.500000000000"); clients get the
 * shortest exact spelling. Works on PostgreSQL's text form, so no float ever touches the value.
 */
export function trimDecimal(text: string | null): string | null {
  if (text === null || !text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

export const SOURCE_STATUSES = ['active', 'expired', 'revoked'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

/** Rows carry these as plain text; a value outside the list is corrupt data, not a client error. */
export function asSourceStatus(value: string): SourceStatus {
  if (!(SOURCE_STATUSES as readonly string[]).includes(value)) throw new Error(`unknown balance source status ${JSON.stringify(value)}`);
  return value as SourceStatus;
}

export function asEntryKind(value: string): JournalEntryKind {
  if (!(ENTRY_KINDS as readonly string[]).includes(value)) throw new Error(`unknown journal entry kind ${JSON.stringify(value)}`);
  return value as JournalEntryKind;
}
