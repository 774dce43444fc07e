import { describe, expect, it } from 'vitest';
import {
  InvalidJournalEntryError,
  InvalidPostingError,
  adjustmentEntry,
  cashRechargeEntry,
  credit,
  customerCash,
  customerPrepaidCard,
  customerVoucher,
  debit,
  entryKeys,
  expiryEntry,
  journalEntry,
  prepaidCardRechargeEntry,
  reversal,
  systemAccount,
  voucherRechargeEntry,
  type JournalEntry,
  type JournalEntryRefusal,
  type Posting,
} from '../../../src/domain/ledger/index.js';
import { Money } from '../../../src/domain/money.js';

const cny = (amount: string): Money => Money.parse(amount, 'CNY', { allowNegative: true });
const usd = (amount: string): Money => Money.parse(amount, 'USD', { allowNegative: true });
const cash = customerCash('acct', 'CNY');
const revenue = systemAccount('usage-revenue', 'CNY');
// A usage charge of `amount` against cash, the simplest balanced entry.
const charged = (amount: string): Posting[] => [debit(cash, cny(amount)), credit(revenue, cny(amount))];

// The signed view of an entry, easy to compare: account key → amount.
const lines = (entry: JournalEntry): Array<[string, string]> =>
  entry.postings.map((posting) => [posting.account.key, posting.amount.toDecimalString()]);

function refusal(action: () => unknown): JournalEntryRefusal {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidJournalEntryError);
    return (error as InvalidJournalEntryError).reason;
  }
  throw new Error('expected an InvalidJournalEntryError, but nothing was thrown');
}

describe('journal entry', () => {
  it('accepts balanced postings and takes their currency', () => {
    const entry = journalEntry({ key: 'usage/r1', kind: 'usage_charge', postings: charged('3.00') });
    expect(entry).toMatchObject({ key: 'usage/r1', kind: 'usage_charge', currency: 'CNY', reverses: null });
    expect(lines(entry)).toEqual([
      ['customer/acct/cash', '3.00'],
      ['system/usage-revenue/CNY', '-3.00'],
    ]);
  });

  it('accepts more than two postings when they balance', () => {
    const voucher = customerVoucher('acct', 'v', 'CNY');
    const entry = journalEntry({
      key: 'usage/r2',
      kind: 'usage_charge',
      postings: [debit(voucher, cny('1.00')), debit(cash, cny('2.00')), credit(revenue, cny('3.00'))],
    });
    expect(entry.postings).toHaveLength(3);
  });

  it('is frozen, so a posted entry cannot be edited afterwards', () => {
    const postings = charged('1.00');
    const entry = journalEntry({ key: 'k', kind: 'usage_charge', postings });
    postings.push(debit(cash, cny('9.00')));
    expect(entry.postings).toHaveLength(2);
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.postings)).toBe(true);
  });

  it('refuses an entry whose postings do not sum to zero', () => {
    const postings = [debit(cash, cny('3.00')), credit(revenue, cny('2.99'))];
    expect(refusal(() => journalEntry({ key: 'k', kind: 'usage_charge', postings }))).toBe('unbalanced');
  });

  it('refuses an entry without postings', () => {
    expect(refusal(() => journalEntry({ key: 'k', kind: 'adjustment', postings: [] }))).toBe('no_postings');
  });

  it('refuses a single posting', () => {
    const postings = [debit(cash, cny('1.00'))];
    expect(refusal(() => journalEntry({ key: 'k', kind: 'adjustment', postings }))).toBe('single_posting');
  });

  it('refuses an entry of zero amounts only, and any zero posting', () => {
    const zero = { account: cash, amount: cny('0.00') };
    const zeroRevenue = { account: revenue, amount: cny('0.00') };
    const zeroOnly = [zero, zeroRevenue];
    const oneZero = [...charged('1.00'), zero];
    expect(refusal(() => journalEntry({ key: 'k', kind: 'adjustment', postings: zeroOnly }))).toBe('zero_posting');
    expect(refusal(() => journalEntry({ key: 'k', kind: 'adjustment', postings: oneZero }))).toBe('zero_posting');
  });

  it('refuses postings in two currencies even when each side balances', () => {
    const usdRevenue = systemAccount('usage-revenue', 'USD');
    const usdCash = customerCash('acct', 'USD');
    const postings = [...charged('1.00'), debit(usdCash, usd('1.00')), credit(usdRevenue, usd('1.00'))];
    expect(refusal(() => journalEntry({ key: 'k', kind: 'adjustment', postings }))).toBe('mixed_currency');
  });

  it('refuses a posting whose amount is not in its account currency', () => {
    const postings = [{ account: cash, amount: usd('1.00') }, credit(systemAccount('adjustments', 'USD'), usd('1.00'))];
    expect(refusal(() => journalEntry({ key: 'k', kind: 'adjustment', postings }))).toBe('account_currency_mismatch');
  });

  it('refuses an empty business key', () => {
    const blank = { key: ' ', kind: 'usage_charge', postings: charged('1.00') } as const;
    expect(refusal(() => journalEntry(blank))).toBe('empty_key');
  });

  it('refuses a reversal that does not say what it reverses, or that reverses itself', () => {
    const postings = charged('1.00');
    expect(refusal(() => journalEntry({ key: 'k', kind: 'reversal', postings }))).toBe('reversal_without_target');
    expect(refusal(() => journalEntry({ key: 'k', kind: 'reversal', reverses: 'k', postings }))).toBe(
      'reverses_itself',
    );
  });
});

describe('reversal', () => {
  const charge = journalEntry({ key: 'usage/r1', kind: 'usage_charge', postings: charged('3.00') });

  it('negates every posting and names the entry it reverses', () => {
    const undo = reversal(charge, entryKeys.reversalOf(charge.key));
    expect(undo).toMatchObject({ key: 'reversal/usage/r1', kind: 'reversal', reverses: 'usage/r1', currency: 'CNY' });
    expect(lines(undo)).toEqual([
      ['customer/acct/cash', '-3.00'],
      ['system/usage-revenue/CNY', '3.00'],
    ]);
  });

  it('leaves the original entry untouched', () => {
    reversal(charge, 'reversal/usage/r1');
    expect(lines(charge)).toEqual([
      ['customer/acct/cash', '3.00'],
      ['system/usage-revenue/CNY', '-3.00'],
    ]);
  });

  it('refuses to reuse the key of the entry it reverses', () => {
    expect(refusal(() => reversal(charge, charge.key))).toBe('reverses_itself');
  });
});

describe('entry keys', () => {
  it('gives each movement a permanent key from its business id', () => {
    expect(entryKeys.usage('rec-1')).toBe('usage/rec-1');
    expect(entryKeys.recharge('r-1')).toBe('recharge/r-1');
    expect(entryKeys.adjustment('adj-1')).toBe('adjustment/adj-1');
    expect(entryKeys.voucherExpiry('v-1')).toBe('voucher/v-1/expiry');
    expect(entryKeys.prepaidCardExpiry('c-1')).toBe('prepaid-card/c-1/expiry');
  });

  it('keeps a usage record id containing "/" from colliding with a reversal key', () => {
    expect(entryKeys.usage('a/reversal')).not.toBe(entryKeys.reversalOf(entryKeys.usage('a')));
  });

  it('refuses an empty id', () => {
    expect(refusal(() => entryKeys.usage(''))).toBe('empty_key');
  });
});

describe('the entries the business posts', () => {
  const expire = (kind: 'voucher' | 'prepaid_card', remaining: string): JournalEntry | null =>
    expiryEntry({
      billingAccountId: 'acct',
      source: { kind, id: kind === 'voucher' ? 'v1' : 'c1' },
      remaining: cny(remaining),
    });

  it('a cash recharge credits cash and debits payments clearing', () => {
    const entry = cashRechargeEntry({ rechargeId: 'r1', billingAccountId: 'acct', amount: cny('100.00') });
    expect(entry).toMatchObject({ key: 'recharge/r1', kind: 'recharge_cash' });
    expect(lines(entry)).toEqual([
      ['system/payments-clearing/CNY', '100.00'],
      ['customer/acct/cash', '-100.00'],
    ]);
  });

  it('a voucher recharge credits the voucher account at the cost of promotions', () => {
    const entry = voucherRechargeEntry({
      rechargeId: 'r2',
      billingAccountId: 'acct',
      voucherId: 'v1',
      amount: cny('20.00'),
    });
    expect(entry).toMatchObject({ key: 'recharge/r2', kind: 'recharge_voucher' });
    expect(lines(entry)).toEqual([
      ['system/promotional-vouchers/CNY', '20.00'],
      ['customer/acct/voucher/v1', '-20.00'],
    ]);
  });

  it('a prepaid-card recharge credits the card account against card clearing', () => {
    const entry = prepaidCardRechargeEntry({
      rechargeId: 'r3',
      billingAccountId: 'acct',
      cardId: 'c1',
      amount: cny('50.00'),
    });
    expect(entry).toMatchObject({ key: 'recharge/r3', kind: 'recharge_prepaid_card' });
    expect(lines(entry)).toEqual([
      ['system/prepaid-card-clearing/CNY', '50.00'],
      ['customer/acct/prepaid-card/c1', '-50.00'],
    ]);
  });

  it("an adjustment credit adds to the customer's cash and a debit takes from it", () => {
    const adjust = (direction: 'credit' | 'debit'): JournalEntry =>
      adjustmentEntry({ adjustmentId: direction, billingAccountId: 'acct', direction, amount: cny('5.00') });
    const [credited, debited] = [adjust('credit'), adjust('debit')];
    expect(lines(credited)).toEqual([
      ['system/adjustments/CNY', '5.00'],
      ['customer/acct/cash', '-5.00'],
    ]);
    expect(lines(debited)).toEqual([
      ['customer/acct/cash', '5.00'],
      ['system/adjustments/CNY', '-5.00'],
    ]);
  });

  it('an expiry clears what is left on a card or voucher into expired balances', () => {
    const card = expire('prepaid_card', '12.34');
    const voucher = expire('voucher', '0.01');
    expect(card).toMatchObject({ key: 'prepaid-card/c1/expiry', kind: 'expiry' });
    expect(card && lines(card)).toEqual([
      [customerPrepaidCard('acct', 'c1', 'CNY').key, '12.34'],
      ['system/expired-balances/CNY', '-12.34'],
    ]);
    expect(voucher).toMatchObject({ key: 'voucher/v1/expiry' });
  });

  it('an expiry of a spent card posts nothing', () => {
    expect(expire('prepaid_card', '0.00')).toBeNull();
  });

  it('an expiry refuses a negative remainder, which only cash may have', () => {
    expect(() => expire('voucher', '-1.00')).toThrow(InvalidPostingError);
  });

  it('a recharge of nothing is refused', () => {
    const nothing = { rechargeId: 'r', billingAccountId: 'acct', amount: cny('0.00') };
    expect(() => cashRechargeEntry(nothing)).toThrow(InvalidPostingError);
  });
});
