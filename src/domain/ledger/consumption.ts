// Which balances pay for one usage charge (DESIGN capability 4): soonest-expiring voucher or card first,
// cash last, and cash into arrears for whatever nothing else could pay. The record is still charged in
// full: usage already happened, and refusing it would lose revenue, not save the customer money.
// Pure and deterministic: workflows import it, and the same inputs always give the same draws.

import { CurrencyMismatchError, Money } from '../money.js';
import {
  LedgerError,
  credit,
  customerSourceAccount,
  debit,
  systemAccount,
  type BalanceSourceKind,
  type Posting,
} from './accounts.js';
import { entryKeys, journalEntry, type JournalEntry } from './journal-entry.js';

export interface UsageCharge {
  readonly amount: Money; // already priced (see `priceUsage`), never negative
  readonly item: string; // the billing item, matched against voucher scopes
  readonly chargedAt: Date; // decides which vouchers and cards are still valid
}

// Only `active` sources pay; the others are kept in the input so callers need not filter.
export type BalanceSourceStatus = 'active' | 'expired' | 'revoked';

interface SourceBase {
  readonly id: string;
  readonly remaining: Money; // the source's balance, on the customer's side (see accounts.ts)
  readonly createdAt: Date;
  readonly status: BalanceSourceStatus;
}

export interface VoucherSource extends SourceBase {
  readonly kind: 'voucher';
  readonly expiresAt: Date;
  readonly validFrom?: Date | null;
  // Billing items the voucher may pay for; absent or empty means every item.
  readonly scope?: readonly string[] | null;
  // The voucher pays only for a charge of at least this much (one usage record is one charge).
  readonly minSpend?: Money | null;
}

export interface PrepaidCardSource extends SourceBase {
  readonly kind: 'prepaid_card';
  readonly expiresAt: Date;
}

// One per billing-center account. It always pays, whatever its status: arrears must be recorded.
export interface CashSource extends SourceBase {
  readonly kind: 'cash';
  readonly expiresAt: null;
}

export type BalanceSource = VoucherSource | PrepaidCardSource | CashSource;

export interface Draw {
  readonly sourceId: string;
  readonly kind: BalanceSourceKind;
  readonly amount: Money; // positive
}

export interface ChargeAllocation {
  readonly charge: UsageCharge;
  // In drawing order, at most one per source, cash (if drawn) last; the amounts sum to the charge.
  readonly draws: readonly Draw[];
  // The part of the charge that nothing could pay, i.e. how much deeper into arrears cash went. The
  // account is alerted when it is positive.
  readonly arrears: Money;
}

export type InvalidChargeReason =
  | 'negative_charge'
  | 'invalid_time'
  | 'no_cash_source'
  | 'several_cash_sources'
  | 'duplicate_source';

export class InvalidChargeError extends LedgerError {
  override readonly name = 'InvalidChargeError';

  constructor(
    readonly reason: InvalidChargeReason,
    detail: string,
  ) {
    super(detail);
  }
}

export function allocateCharge(charge: UsageCharge, sources: readonly BalanceSource[]): ChargeAllocation {
  const currency = charge.amount.currency;
  if (charge.amount.isNegative()) {
    throw new InvalidChargeError('negative_charge', `a usage charge is never negative, got ${charge.amount}`);
  }
  if (Number.isNaN(charge.chargedAt.getTime())) {
    throw new InvalidChargeError('invalid_time', 'the charge time is not a valid date');
  }
  const seen = new Set<string>();
  for (const source of sources) {
    if (source.remaining.currency !== currency) throw new CurrencyMismatchError(currency, source.remaining.currency);
    const identity = `${source.kind}/${source.id}`;
    if (seen.has(identity)) throw new InvalidChargeError('duplicate_source', `${identity} is listed twice`);
    seen.add(identity);
  }
  const cashSources = sources.filter((source): source is CashSource => source.kind === 'cash');
  const [cash] = cashSources;
  if (cash === undefined) throw new InvalidChargeError('no_cash_source', 'the account has no cash balance to charge');
  if (cashSources.length > 1) throw new InvalidChargeError('several_cash_sources', 'an account has one cash balance');

  const draws: Draw[] = [];
  let left = charge.amount;
  const payers = sources
    .filter((source): source is VoucherSource | PrepaidCardSource => source.kind !== 'cash' && canPay(source, charge))
    .sort(drawOrder);
  for (const source of payers) {
    if (left.isZero()) break;
    const amount = Money.min(left, source.remaining);
    draws.push(Object.freeze({ sourceId: source.id, kind: source.kind, amount }));
    left = left.subtract(amount);
  }
  const funded = Money.max(Money.zero(currency), Money.min(left, cash.remaining));
  if (left.isPositive()) draws.push(Object.freeze({ sourceId: cash.id, kind: 'cash', amount: left }));
  return Object.freeze({ charge, draws: Object.freeze(draws), arrears: left.subtract(funded) });
}

// Customer balance accounts debited by their draws, usage revenue credited with the whole charge.
export function usageChargePostings(billingAccountId: string, allocation: ChargeAllocation): Posting[] {
  const { amount } = allocation.charge;
  if (amount.isZero()) return [];
  const sourceAccount = (draw: Draw) =>
    customerSourceAccount(billingAccountId, { kind: draw.kind, id: draw.sourceId }, amount.currency);
  return [
    ...allocation.draws.map((draw) => debit(sourceAccount(draw), draw.amount)),
    credit(systemAccount('usage-revenue', amount.currency), amount),
  ];
}

// Null for a free record (quantity 0): it is still accepted, once, but moves no money.
export function usageChargeEntry(input: {
  recordId: string;
  billingAccountId: string;
  allocation: ChargeAllocation;
}): JournalEntry | null {
  if (input.allocation.charge.amount.isZero()) return null;
  return journalEntry({
    key: entryKeys.usage(input.recordId),
    kind: 'usage_charge',
    postings: usageChargePostings(input.billingAccountId, input.allocation),
  });
}

function canPay(source: VoucherSource | PrepaidCardSource, charge: UsageCharge): boolean {
  const at = charge.chargedAt.getTime();
  // A card is cleared exactly at its expiry instant, so at that instant it no longer pays.
  if (source.status !== 'active' || !source.remaining.isPositive() || source.expiresAt.getTime() <= at) return false;
  if (source.kind === 'prepaid_card') return true;
  if (source.validFrom != null && source.validFrom.getTime() > at) return false;
  if (source.scope != null && source.scope.length > 0 && !source.scope.includes(charge.item)) return false;
  if (source.minSpend != null && charge.amount.compare(source.minSpend) < 0) return false;
  return true;
}

// Soonest expiry first, so the money that would be lost first is spent first; then oldest first; then by
// id (and kind) so that the order never depends on how the caller happened to list the sources.
function drawOrder(a: VoucherSource | PrepaidCardSource, b: VoucherSource | PrepaidCardSource): number {
  return (
    a.expiresAt.getTime() - b.expiresAt.getTime() ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    compareCodeUnits(a.id, b.id) ||
    compareCodeUnits(a.kind, b.kind)
  );
}

// Not localeCompare: the order must not change with the machine's locale.
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
