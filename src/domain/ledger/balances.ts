// Balances are derived from postings, never kept on their own; `checkLedger` proves that the stored
// ledger still obeys double entry. Finance reads its result as the health line of the trial balance, and
// the tests run it after every scenario.
// Pure code: workflows import it.

import { Money, type Currency } from '../money.js';
import { balanceOnNormalSide, type LedgerAccount, type LedgerAccountKey, type Posting } from './accounts.js';
import type { JournalEntry } from './journal-entry.js';

export interface LedgerBalance {
  readonly account: LedgerAccount;
  readonly debits: Money; // total of the debit postings, ≥ 0
  readonly credits: Money; // total of the credit postings, ≥ 0
  readonly net: Money; // debits − credits: the plain sum of the postings
  readonly balance: Money; // the net on the account's normal side (a customer's money, revenue earned)
}

// Throws CurrencyMismatchError if an account is posted in two currencies: run `checkLedger` on data you
// do not trust.
export function deriveBalances(postings: Iterable<Posting>): Map<LedgerAccountKey, LedgerBalance> {
  const totals = new Map<LedgerAccountKey, { account: LedgerAccount; debits: Money; credits: Money }>();
  for (const { account, amount } of postings) {
    const zero = Money.zero(account.currency);
    const total = totals.get(account.key) ?? { account, debits: zero, credits: zero };
    if (amount.isPositive()) total.debits = total.debits.add(amount);
    else total.credits = total.credits.subtract(amount);
    totals.set(account.key, total);
  }
  const balances = new Map<LedgerAccountKey, LedgerBalance>();
  for (const [key, { account, debits, credits }] of totals) {
    const net = debits.subtract(credits);
    balances.set(key, Object.freeze({ account, debits, credits, net, balance: balanceOnNormalSide(account, net) }));
  }
  return balances;
}

export function balancesOf(entries: Iterable<JournalEntry>): Map<LedgerAccountKey, LedgerBalance> {
  return deriveBalances(postingsOf(entries));
}

function* postingsOf(entries: Iterable<JournalEntry>): Iterable<Posting> {
  for (const entry of entries) yield* entry.postings;
}

// What a customer sees (GET /v1/balances): each source's remaining money, the total, and the arrears,
// which only cash can carry.
export interface CustomerBalances {
  readonly currency: Currency;
  readonly cash: Money;
  readonly vouchers: ReadonlyMap<string, Money>;
  readonly prepaidCards: ReadonlyMap<string, Money>;
  readonly total: Money;
  readonly arrears: Money;
}

export function customerBalances(
  balances: ReadonlyMap<LedgerAccountKey, LedgerBalance>,
  billingAccountId: string,
  currency: Currency,
): CustomerBalances {
  let cash = Money.zero(currency);
  const vouchers = new Map<string, Money>();
  const prepaidCards = new Map<string, Money>();
  for (const { account, balance } of balances.values()) {
    if (account.owner !== 'customer' || account.billingAccountId !== billingAccountId) continue;
    if (account.source === 'cash') cash = cash.add(balance);
    else (account.source === 'voucher' ? vouchers : prepaidCards).set(account.sourceId ?? '', balance);
  }
  const total = Money.sum([cash, ...vouchers.values(), ...prepaidCards.values()], currency);
  const arrears = cash.isNegative() ? cash.negate() : Money.zero(currency);
  return Object.freeze({ currency, cash, vouchers, prepaidCards, total, arrears });
}

// A balance as persistence keeps it next to the postings, on the account's normal side like
// `LedgerBalance.balance`.
export interface StoredBalance {
  readonly account: LedgerAccountKey;
  readonly balance: Money;
}

export type LedgerViolation = { readonly message: string } & (
  | { readonly kind: 'duplicate_key'; readonly entryKey: string; readonly occurrences: number }
  | { readonly kind: 'too_few_postings'; readonly entryKey: string; readonly postings: number }
  | { readonly kind: 'zero_posting'; readonly entryKey: string; readonly account: LedgerAccountKey }
  | { readonly kind: 'mixed_currency_entry'; readonly entryKey: string; readonly currencies: readonly Currency[] }
  | { readonly kind: 'unbalanced_entry'; readonly entryKey: string; readonly currency: Currency; readonly sum: Money }
  | { readonly kind: 'posting_currency_mismatch'; readonly entryKey: string; readonly account: LedgerAccountKey }
  | { readonly kind: 'account_currency_conflict'; readonly account: LedgerAccountKey; readonly currencies: readonly Currency[] }
  | {
      readonly kind: 'stored_balance_mismatch';
      readonly account: LedgerAccountKey;
      readonly stored: Money | null; // null: no stored balance for an account whose postings do not sum to zero
      readonly derived: Money;
    }
  | { readonly kind: 'negative_source'; readonly account: LedgerAccountKey; readonly balance: Money }
  | { readonly kind: 'reversal_target_missing'; readonly entryKey: string; readonly reverses: string }
  | { readonly kind: 'reversed_twice'; readonly reverses: string; readonly by: readonly string[] }
);

// Empty means healthy. Never throws on bad data: entries may come from the database, where nothing but
// this check stands between a bug and a wrong balance. Pass `storedBalances` to prove that the kept
// balances are the sum of the postings; an account with postings and no stored balance must net to zero.
export function checkLedger(
  entries: Iterable<JournalEntry>,
  storedBalances?: Iterable<StoredBalance>,
): LedgerViolation[] {
  const violations: LedgerViolation[] = [];
  const list = [...entries];
  const occurrences = new Map<string, number>();
  const reversedBy = new Map<string, string[]>();
  const accountCurrency = new Map<LedgerAccountKey, Currency>();
  const conflicting = new Map<LedgerAccountKey, Set<Currency>>();
  const trusted: Posting[] = [];

  for (const entry of list) {
    const { key } = entry;
    occurrences.set(key, (occurrences.get(key) ?? 0) + 1);
    if (entry.reverses !== null) reversedBy.set(entry.reverses, [...(reversedBy.get(entry.reverses) ?? []), key]);
    if (entry.postings.length < 2) {
      violations.push({
        kind: 'too_few_postings',
        entryKey: key,
        postings: entry.postings.length,
        message: `entry ${key} has ${entry.postings.length} posting(s); double entry needs two or more`,
      });
    }
    const sums = new Map<Currency, bigint>();
    for (const posting of entry.postings) {
      const { account, amount } = posting;
      sums.set(amount.currency, (sums.get(amount.currency) ?? 0n) + amount.minor);
      if (amount.isZero()) {
        violations.push({ kind: 'zero_posting', entryKey: key, account: account.key, message: `entry ${key} posts zero to ${account.key}` });
      }
      if (amount.currency !== account.currency) {
        violations.push({
          kind: 'posting_currency_mismatch',
          entryKey: key,
          account: account.key,
          message: `entry ${key} posts ${amount.currency} to ${account.key}, a ${account.currency} account`,
        });
        continue;
      }
      const known = accountCurrency.get(account.key);
      if (known === undefined) accountCurrency.set(account.key, account.currency);
      if (known !== undefined && known !== account.currency) {
        conflicting.set(account.key, (conflicting.get(account.key) ?? new Set([known])).add(account.currency));
        continue;
      }
      trusted.push(posting);
    }
    const currencies = [...sums.keys()];
    if (currencies.length > 1 || (currencies.length === 1 && currencies[0] !== entry.currency)) {
      violations.push({
        kind: 'mixed_currency_entry',
        entryKey: key,
        currencies,
        message: `entry ${key} (${entry.currency}) has postings in ${currencies.join(', ')}`,
      });
    }
    for (const [currency, sum] of sums) {
      if (sum !== 0n) {
        const total = Money.ofMinor(sum, currency);
        violations.push({
          kind: 'unbalanced_entry',
          entryKey: key,
          currency,
          sum: total,
          message: `entry ${key} does not balance: its ${currency} postings sum to ${total.toDecimalString()}`,
        });
      }
    }
  }

  for (const [key, count] of occurrences) {
    if (count > 1) {
      violations.push({ kind: 'duplicate_key', entryKey: key, occurrences: count, message: `business key ${key} is used by ${count} entries` });
    }
  }
  for (const [reverses, by] of reversedBy) {
    if (!occurrences.has(reverses)) {
      for (const entryKey of by) {
        violations.push({ kind: 'reversal_target_missing', entryKey, reverses, message: `entry ${entryKey} reverses ${reverses}, which is not in the ledger` });
      }
    }
    if (by.length > 1) {
      violations.push({ kind: 'reversed_twice', reverses, by, message: `entry ${reverses} is reversed by ${by.length} entries: ${by.join(', ')}` });
    }
  }
  for (const [account, currencies] of conflicting) {
    violations.push({
      kind: 'account_currency_conflict',
      account,
      currencies: [...currencies],
      message: `account ${account} is posted in ${[...currencies].join(' and ')}`,
    });
  }

  const derived = deriveBalances(trusted);
  for (const { account, balance } of derived.values()) {
    if (account.owner === 'customer' && account.source !== 'cash' && balance.isNegative()) {
      violations.push({
        kind: 'negative_source',
        account: account.key,
        balance,
        message: `${account.key} is ${balance.toDecimalString()} ${balance.currency}; only cash may be in arrears`,
      });
    }
  }
  if (storedBalances !== undefined) violations.push(...compareStored(derived, storedBalances));
  return violations;
}

function compareStored(
  derived: ReadonlyMap<LedgerAccountKey, LedgerBalance>,
  storedBalances: Iterable<StoredBalance>,
): LedgerViolation[] {
  const violations: LedgerViolation[] = [];
  const mismatch = (account: LedgerAccountKey, stored: Money | null, expected: Money): void => {
    const shown = stored === null ? 'nothing' : stored.toString();
    violations.push({
      kind: 'stored_balance_mismatch',
      account,
      stored,
      derived: expected,
      message: `stored balance of ${account} is ${shown}, its postings say ${expected.toString()}`,
    });
  };
  const seen = new Set<LedgerAccountKey>();
  for (const { account, balance } of storedBalances) {
    seen.add(account);
    const expected = derived.get(account)?.balance ?? Money.zero(balance.currency);
    // Compared by currency and minor units so that a stored balance in the wrong currency is a finding,
    // not a CurrencyMismatchError.
    if (balance.currency !== expected.currency || balance.minor !== expected.minor) mismatch(account, balance, expected);
  }
  for (const [account, { balance }] of derived) {
    if (!seen.has(account) && !balance.isZero()) mismatch(account, null, balance);
  }
  return violations;
}
