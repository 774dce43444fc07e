import { describe, expect, it } from 'vitest';
import {
  adjustmentEntry,
  allocateCharge,
  balancesOf,
  cashRechargeEntry,
  checkLedger,
  customerBalances,
  customerCash,
  customerVoucher,
  entryKeys,
  expiryEntry,
  reversal,
  systemAccount,
  usageChargeEntry,
  voucherRechargeEntry,
  type JournalEntry,
  type LedgerViolation,
  type StoredBalance,
} from '../../../src/domain/ledger/index.js';
import { Money } from '../../../src/domain/money.js';

const cny = (amount: string): Money => Money.parse(amount, 'CNY', { allowNegative: true });
const usd = (amount: string): Money => Money.parse(amount, 'USD', { allowNegative: true });
const APRIL = new Date('2026-04-01T00:00:00Z');

const giveVoucher = (rechargeId: string, voucherId: string, amount: string): JournalEntry =>
  voucherRechargeEntry({ rechargeId, billingAccountId: 'acct', voucherId, amount: cny(amount) });
const debitCash = (adjustmentId: string, amount: string): JournalEntry =>
  adjustmentEntry({ adjustmentId, billingAccountId: 'acct', direction: 'debit', amount: cny(amount) });

// A small healthy history: 100 cash, a 20 voucher, a 30 charge that the voucher pays first.
function history(): JournalEntry[] {
  const recharge = cashRechargeEntry({ rechargeId: 'r1', billingAccountId: 'acct', amount: cny('100.00') });
  const gift = giveVoucher('r2', 'v1', '20.00');
  const created = new Date(0);
  const charge = { amount: cny('30.00'), item: 'logs', chargedAt: new Date('2026-03-10T00:00:00Z') };
  const allocation = allocateCharge(charge, [
    { id: 'cash', kind: 'cash', remaining: cny('100.00'), expiresAt: null, createdAt: created, status: 'active' },
    { id: 'v1', kind: 'voucher', remaining: cny('20.00'), expiresAt: APRIL, createdAt: created, status: 'active' },
  ]);
  const usage = usageChargeEntry({ recordId: 'u1', billingAccountId: 'acct', allocation });
  if (usage === null) throw new Error('a 30.00 charge posts an entry');
  return [recharge, gift, usage];
}

// Corrupted copies of entries, as they could come back from a database no constructor guards.
const tampered = (entry: JournalEntry, change: Partial<JournalEntry>): JournalEntry => ({ ...entry, ...change });
const kinds = (violations: LedgerViolation[]): string[] => violations.map((violation) => violation.kind).sort();

describe('derived balances', () => {
  it('sums postings per account and reads each on its normal side', () => {
    const balances = balancesOf(history());
    const read = (key: string): string | undefined => balances.get(key)?.balance.toDecimalString();
    expect(read('customer/acct/cash')).toBe('90.00');
    expect(read('customer/acct/voucher/v1')).toBe('0.00');
    expect(read('system/usage-revenue/CNY')).toBe('30.00');
    expect(read('system/payments-clearing/CNY')).toBe('100.00');
    expect(read('system/promotional-vouchers/CNY')).toBe('20.00');
  });

  it('keeps debit and credit totals apart, as the trial balance shows them', () => {
    const cash = balancesOf(history()).get('customer/acct/cash');
    expect(cash?.credits).toEqual(cny('100.00'));
    expect(cash?.debits).toEqual(cny('10.00'));
    expect(cash?.net).toEqual(cny('-90.00'));
  });

  it("gives a customer's cash, vouchers, total and arrears", () => {
    const debt = debitCash('a1', '95.00');
    const view = customerBalances(balancesOf([...history(), debt]), 'acct', 'CNY');
    expect(view.cash).toEqual(cny('-5.00'));
    expect(view.arrears).toEqual(cny('5.00'));
    expect([...view.vouchers]).toEqual([['v1', cny('0.00')]]);
    expect(view.total).toEqual(cny('-5.00'));
  });

  it('gives a customer without postings zero everywhere', () => {
    const view = customerBalances(balancesOf(history()), 'someone-else', 'CNY');
    expect(view.total).toEqual(cny('0.00'));
    expect(view.arrears).toEqual(cny('0.00'));
    expect(view.vouchers.size).toBe(0);
  });
});

describe('checkLedger', () => {
  it('finds nothing wrong with a healthy history', () => {
    expect(checkLedger(history())).toEqual([]);
  });

  it('finds nothing wrong with entries of several currencies, each balanced', () => {
    const dollars = cashRechargeEntry({ rechargeId: 'r-usd', billingAccountId: 'acct-usd', amount: usd('5.00') });
    expect(checkLedger([...history(), dollars])).toEqual([]);
  });

  it('reports an entry whose postings do not sum to zero', () => {
    const [recharge] = history();
    if (recharge === undefined) throw new Error('history is empty');
    const [first] = recharge.postings;
    const short = { account: customerCash('acct', 'CNY'), amount: cny('-99.99') };
    const violations = checkLedger([tampered(recharge, { postings: [first!, short] })]);
    expect(violations).toMatchObject([
      { kind: 'unbalanced_entry', entryKey: 'recharge/r1', currency: 'CNY', sum: cny('0.01') },
    ]);
    expect(violations[0]?.message).toContain('0.01');
  });

  it('reports an entry balanced in total but not per currency', () => {
    const broken: JournalEntry = {
      key: 'k',
      kind: 'adjustment',
      currency: 'CNY',
      reverses: null,
      postings: [
        { account: customerCash('acct', 'CNY'), amount: cny('1.00') },
        { account: systemAccount('adjustments', 'USD'), amount: usd('-1.00') },
      ],
    };
    expect(kinds(checkLedger([broken]))).toEqual(['mixed_currency_entry', 'unbalanced_entry', 'unbalanced_entry']);
  });

  it('reports a posting whose amount is in another currency than its account', () => {
    const broken: JournalEntry = {
      key: 'k',
      kind: 'adjustment',
      currency: 'USD',
      reverses: null,
      postings: [
        { account: customerCash('acct', 'CNY'), amount: usd('1.00') },
        { account: systemAccount('adjustments', 'USD'), amount: usd('-1.00') },
      ],
    };
    expect(kinds(checkLedger([broken]))).toEqual(['posting_currency_mismatch']);
  });

  it('reports an account posted in two currencies', () => {
    const cny1 = cashRechargeEntry({ rechargeId: 'r1', billingAccountId: 'acct', amount: cny('1.00') });
    const usd1 = cashRechargeEntry({ rechargeId: 'r2', billingAccountId: 'acct', amount: usd('1.00') });
    expect(checkLedger([cny1, usd1])).toMatchObject([
      { kind: 'account_currency_conflict', account: 'customer/acct/cash', currencies: ['CNY', 'USD'] },
    ]);
  });

  it('reports entries with fewer than two postings or with zero postings', () => {
    const [recharge] = history();
    const lonely = tampered(recharge!, { key: 'lonely', postings: recharge!.postings.slice(0, 1) });
    const zeroed = recharge!.postings.map((posting) => ({ ...posting, amount: cny('0.00') }));
    const zeros = tampered(recharge!, { key: 'zeros', postings: zeroed });
    expect(kinds(checkLedger([lonely, zeros]))).toEqual([
      'too_few_postings',
      'unbalanced_entry',
      'zero_posting',
      'zero_posting',
    ]);
  });

  it('reports a business key used twice', () => {
    const [recharge] = history();
    expect(checkLedger([recharge!, recharge!])).toMatchObject([
      { kind: 'duplicate_key', entryKey: 'recharge/r1', occurrences: 2 },
    ]);
  });

  it('reports a voucher or card driven below zero', () => {
    const gift = giveVoucher('r', 'v', '1.00');
    const source = { kind: 'voucher', id: 'v' } as const;
    const overdrawn = expiryEntry({ billingAccountId: 'acct', source, remaining: cny('2.00') });
    expect(checkLedger([gift, overdrawn!])).toMatchObject([
      { kind: 'negative_source', account: 'customer/acct/voucher/v', balance: cny('-1.00') },
    ]);
  });

  it('allows cash below zero: that is arrears, not an error', () => {
    expect(checkLedger([debitCash('a', '1.00')])).toEqual([]);
  });

  it('accepts a reversal of an entry in the ledger, and reports one whose target is missing', () => {
    const [recharge] = history();
    const undo = reversal(recharge!, entryKeys.reversalOf(recharge!.key));
    expect(checkLedger([recharge!, undo])).toEqual([]);
    expect(checkLedger([undo])).toMatchObject([
      { kind: 'reversal_target_missing', entryKey: 'reversal/recharge/r1', reverses: 'recharge/r1' },
    ]);
  });

  it('reports an entry reversed twice', () => {
    const [recharge] = history();
    const once = reversal(recharge!, 'undo-1');
    const twice = reversal(recharge!, 'undo-2');
    expect(checkLedger([recharge!, once, twice])).toMatchObject([
      { kind: 'reversed_twice', reverses: 'recharge/r1', by: ['undo-1', 'undo-2'] },
    ]);
  });
});

describe('checkLedger against stored balances', () => {
  const stored = (entries: JournalEntry[]): StoredBalance[] =>
    [...balancesOf(entries).values()].map(({ account, net }) => ({ account: account.key, net }));
  const withCash = (rows: StoredBalance[], net: Money): StoredBalance[] =>
    rows.map((row) => (row.account === 'customer/acct/cash' ? { ...row, net } : row));

  it('finds nothing wrong when the stored nets are the sums of the postings', () => {
    expect(checkLedger(history(), stored(history()))).toEqual([]);
  });

  it('reports a stored net that differs from the sum of its postings', () => {
    const rows = withCash(stored(history()), cny('-90.01'));
    expect(checkLedger(history(), rows)).toMatchObject([
      { kind: 'stored_balance_mismatch', account: 'customer/acct/cash', stored: cny('-90.01'), derived: cny('-90.00') },
    ]);
  });

  it('reports a stored net in the wrong currency instead of throwing', () => {
    const rows = withCash(stored(history()), usd('-90.00'));
    expect(kinds(checkLedger(history(), rows))).toEqual(['stored_balance_mismatch']);
  });

  it('reports an account with postings but no stored net', () => {
    const rows = stored(history()).filter((row) => row.account !== 'system/usage-revenue/CNY');
    expect(checkLedger(history(), rows)).toMatchObject([
      { kind: 'stored_balance_mismatch', account: 'system/usage-revenue/CNY', stored: null },
    ]);
  });

  it('reports a stored net for an account that has no postings', () => {
    const rows = [...stored(history()), { account: customerVoucher('acct', 'ghost', 'CNY').key, net: cny('-5.00') }];
    expect(checkLedger(history(), rows)).toMatchObject([
      { kind: 'stored_balance_mismatch', account: 'customer/acct/voucher/ghost', derived: cny('0.00') },
    ]);
  });

  it('does not require a stored net for an account whose postings net to zero', () => {
    const rows = stored(history()).filter((row) => row.account !== 'customer/acct/voucher/v1');
    expect(checkLedger(history(), rows)).toEqual([]);
  });
});
