import { notFound } from '../../domain/errors.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { accountCurrency, asSourceStatus, currencyOf, customerSide, type SourceStatus } from './common.js';

export interface HeldSource {
  /** The voucher id, or (for now) the prepaid card's id as its card number: see `cardNo` in the route. */
  id: string;
  remaining: Money;
  expiresAt: Date | null;
  status: SourceStatus;
}

export interface Balances {
  currency: Currency;
  cash: Money;
  /** Active ones with money left, soonest expiry first: the order charges draw them in. */
  vouchers: HeldSource[];
  prepaidCards: HeldSource[];
  /** Every source of the account, listed or not: the running balance of the income-expenditure statement. */
  total: Money;
  /** The negative part of cash, as a positive amount: only cash can go below zero. */
  arrears: Money;
}

/**
 * The account's balances, read from the stored nets of its ledger accounts (kept equal to the sum of their
 * postings in the same transaction as every posting, so no postings need summing here). One indexed query on
 * ledger_accounts(account_id), plus the account's currency for an account that has never been posted to.
 */
export async function getBalances(ctx: ServiceContext, accountId: string): Promise<Balances> {
  const currency = await accountCurrency(ctx.prisma, accountId);
  if (currency === null) throw notFound('Account');
  const rows = await ctx.prisma.ledgerAccount.findMany({
    where: { accountId },
    select: { source: true, sourceId: true, currency: true, netMinor: true, status: true, expiresAt: true },
  });
  let cash = Money.zero(currency);
  let total = Money.zero(currency);
  const vouchers: HeldSource[] = [];
  const prepaidCards: HeldSource[] = [];
  for (const row of rows) {
    // Customer accounts are all in the account's currency; Money.add throws if one is not.
    const remaining = customerSide(row.netMinor, currencyOf(row.currency, `ledger account of ${accountId}`));
    total = total.add(remaining);
    if (row.source === 'cash') {
      cash = cash.add(remaining);
      continue;
    }
    if (row.status !== 'active' || !remaining.isPositive() || row.sourceId === null) continue;
    const held = { id: row.sourceId, remaining, expiresAt: row.expiresAt, status: asSourceStatus(row.status) };
    if (row.source === 'voucher') vouchers.push(held);
    else if (row.source === 'prepaid_card') prepaidCards.push(held);
  }
  vouchers.sort(soonestExpiryFirst);
  prepaidCards.sort(soonestExpiryFirst);
  return { currency, cash, vouchers, prepaidCards, total, arrears: cash.isNegative() ? cash.negate() : Money.zero(currency) };
}

function soonestExpiryFirst(a: HeldSource, b: HeldSource): number {
  const at = (source: HeldSource) => source.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return at(a) - at(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
