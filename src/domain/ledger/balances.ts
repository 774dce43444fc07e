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

// A balance as persistence keeps it next to the postings: the account's net (sum of its postings, debits
// positive, like `LedgerBalance.net`), which needs no knowledge of the account's normal side to maintain.
export interface StoredBalance {
  readonly account: LedgerAccountKey;
  readonly net: Money;
}

export type LedgerViolation = { readonly message: string } & (
  | { readonly kind: 'duplicate_key'; readonly entryKey: string; readonly occurrences: number }
  | { readonly kind: 'too_few_postings'; readonly entryKey: string; readonly postings: number }
  | { readonly kind: 'zero_posting'; readonly entryKey: string; readonly account: LedgerAccountKey }
  | { readonly kind: 'mixed_currency_entry'; readonly entryKey: string; readonly currencies: readonly Currency[] }
  | { readonly kind: 'unbalanced_entry'; readonly entryKey: string; readonly currency: Currency; readonly sum: Money }
  | { readonly kind: 'posting_currency_mismatch'; readonly entryKey: string; readonly account: LedgerAccountKey }
  | {
      readonly kind: 'account_currency_conflict';
      readonly account: LedgerAccountKey;
      readonly currencies: readonly Currency[];
    }
  | {
      readonly kind: 'stored_balance_mismatch';
      readonly account: LedgerAccountKey;
      readonly stored: Money | null; // the stored net; null: none for an account whose postings do not sum to zero
      readonly derived: Money; // the net the postings give
    }
  | { readonly kind: 'negative_source'; readonly account: LedgerAccountKey; readonly balance: Money }
  | { readonly kind: 'reversal_target_missing'; readonly entryKey: string; readonly reverses: string }
  | { readonly kind: 'reversed_twice'; readonly reverses: string; readonly by: readonly string[] }
);

// Empty means healthy. Never throws on bad data: entries may come from the database, where nothing but
// this check stands between a bug and a wrong balance. Pass `storedBalances` to prove that the kept nets
// are the sums of the postings; an account with postings and no stored net must net to zero.
export function checkLedger(
  entries: Iterable<JournalEntry>,
  storedBalances?: Iterable<StoredBalance>,
): LedgerViolation[] {
  const list = [...entries];
  const { postings, violations: currencyViolations } = postingsInTheirAccountCurrency(list);
  const derived = deriveBalances(postings);
  return [
    ...list.flatMap(checkEntry),
    ...checkKeys(list),
    ...currencyViolations,
    ...checkSources(derived),
    ...(storedBalances === undefined ? [] : compareStored(derived, storedBalances)),
  ];
}

// What the journal-entry constructor guarantees, checked again on data that did not go through it.
function checkEntry(entry: JournalEntry): LedgerViolation[] {
  const { key, postings } = entry;
  const violations: LedgerViolation[] = [];
  if (postings.length < 2) {
    const message = `entry ${key} has ${postings.length} posting(s); double entry needs two or more`;
    violations.push({ kind: 'too_few_postings', entryKey: key, postings: postings.length, message });
  }
  const sums = new Map<Currency, bigint>();
  for (const { account, amount } of postings) {
    sums.set(amount.currency, (sums.get(amount.currency) ?? 0n) + amount.minor);
    if (amount.isZero()) {
      const message = `entry ${key} posts zero to ${account.key}`;
      violations.push({ kind: 'zero_posting', entryKey: key, account: account.key, message });
    }
  }
  const currencies = [...sums.keys()];
  if (currencies.some((currency) => currency !== entry.currency)) {
    const message = `entry ${key} (${entry.currency}) has postings in ${currencies.join(', ')}`;
    violations.push({ kind: 'mixed_currency_entry', entryKey: key, currencies, message });
  }
  for (const [currency, minor] of sums) {
    if (minor === 0n) continue;
    const sum = Money.ofMinor(minor, currency);
    const message = `entry ${key} does not balance: its ${currency} postings sum to ${sum.toDecimalString()}`;
    violations.push({ kind: 'unbalanced_entry', entryKey: key, currency, sum, message });
  }
  return violations;
}

function checkKeys(entries: readonly JournalEntry[]): LedgerViolation[] {
  const violations: LedgerViolation[] = [];
  const occurrences = new Map<string, number>();
  const reversedBy = new Map<string, string[]>();
  for (const { key, reverses } of entries) {
    occurrences.set(key, (occurrences.get(key) ?? 0) + 1);
    if (reverses !== null) reversedBy.set(reverses, [...(reversedBy.get(reverses) ?? []), key]);
  }
  for (const [key, count] of occurrences) {
    if (count > 1) {
      const message = `business key ${key} is used by ${count} entries`;
      violations.push({ kind: 'duplicate_key', entryKey: key, occurrences: count, message });
    }
  }
  for (const [reverses, by] of reversedBy) {
    if (!occurrences.has(reverses)) {
      for (const entryKey of by) {
        const message = `entry ${entryKey} reverses ${reverses}, which is not in the ledger`;
        violations.push({ kind: 'reversal_target_missing', entryKey, reverses, message });
      }
    }
    if (by.length > 1) {
      const message = `entry ${reverses} is reversed by ${by.length} entries: ${by.join(', ')}`;
      violations.push({ kind: 'reversed_twice', reverses, by, message });
    }
  }
  return violations;
}

// The postings that can be summed per account: in their account's currency, and in the currency the
// account was first posted in. The others are reported instead of summed, which would throw.
function postingsInTheirAccountCurrency(entries: readonly JournalEntry[]): {
  postings: Posting[];
  violations: LedgerViolation[];
} {
  const postings: Posting[] = [];
  const violations: LedgerViolation[] = [];
  const firstCurrency = new Map<LedgerAccountKey, Currency>();
  const conflicting = new Map<LedgerAccountKey, Set<Currency>>();
  for (const entry of entries) {
    for (const posting of entry.postings) {
      const { account, amount } = posting;
      if (amount.currency !== account.currency) {
        const message = `entry ${entry.key} posts ${amount.currency} to ${account.key}, a ${account.currency} account`;
        violations.push({ kind: 'posting_currency_mismatch', entryKey: entry.key, account: account.key, message });
        continue;
      }
      const first = firstCurrency.get(account.key) ?? account.currency;
      firstCurrency.set(account.key, first);
      if (first !== account.currency) {
        conflicting.set(account.key, (conflicting.get(account.key) ?? new Set([first])).add(account.currency));
        continue;
      }
      postings.push(posting);
    }
  }
  for (const [account, set] of conflicting) {
    const currencies = [...set];
    const message = `account ${account} is posted in ${currencies.join(' and ')}`;
    violations.push({ kind: 'account_currency_conflict', account, currencies, message });
  }
  return { postings, violations };
}

// Only cash may be in arrears; a voucher or card below zero means it paid more than it held.
function checkSources(derived: ReadonlyMap<LedgerAccountKey, LedgerBalance>): LedgerViolation[] {
  const violations: LedgerViolation[] = [];
  for (const { account, balance } of derived.values()) {
    if (account.owner === 'customer' && account.source !== 'cash' && balance.isNegative()) {
      const message = `${account.key} is ${balance.toString()}; only cash may be in arrears`;
      violations.push({ kind: 'negative_source', account: account.key, balance, message });
    }
  }
  return violations;
}

function compareStored(
  derived: ReadonlyMap<LedgerAccountKey, LedgerBalance>,
  storedBalances: Iterable<StoredBalance>,
): LedgerViolation[] {
  const violations: LedgerViolation[] = [];
  const mismatch = (account: LedgerAccountKey, stored: Money | null, expected: Money): void => {
    const shown = stored === null ? 'nothing' : stored.toString();
    const message = `stored net of ${account} is ${shown}, its postings sum to ${expected.toString()}`;
    violations.push({ kind: 'stored_balance_mismatch', account, stored, derived: expected, message });
  };
  const seen = new Set<LedgerAccountKey>();
  for (const { account, net } of storedBalances) {
    seen.add(account);
    const expected = derived.get(account)?.net ?? Money.zero(net.currency);
    // Compared by currency and minor units so that a stored net in the wrong currency is a finding, not a
    // CurrencyMismatchError.
    if (net.currency !== expected.currency || net.minor !== expected.minor) mismatch(account, net, expected);
  }
  for (const [account, { net }] of derived) {
    if (!seen.has(account) && !net.isZero()) mismatch(account, null, net);
  }
  return violations;
}
