import { describe, expect, it } from 'vitest';
import {
  InvalidLedgerAccountError,
  InvalidPostingError,
  LedgerError,
  SYSTEM_ACCOUNT_NAMES,
  balanceOnNormalSide,
  credit,
  customerCash,
  customerPrepaidCard,
  customerSourceAccount,
  customerVoucher,
  debit,
  parseLedgerAccountKey,
  systemAccount,
} from '../../../src/domain/ledger/index.js';
import { Money } from '../../../src/domain/money.js';

const cny = (amount: string): Money => Money.parse(amount, 'CNY', { allowNegative: true });

describe('chart of accounts', () => {
  it('keys a customer balance by billing account and source', () => {
    expect(customerCash('acct-1', 'CNY').key).toBe('customer/acct-1/cash');
    expect(customerVoucher('acct-1', 'v-9', 'CNY').key).toBe('customer/acct-1/voucher/v-9');
    expect(customerPrepaidCard('acct-1', 'card-7', 'CNY').key).toBe('customer/acct-1/prepaid-card/card-7');
  });

  it('keys a system account per currency, so CNY and USD revenue never share an account', () => {
    expect(systemAccount('usage-revenue', 'CNY').key).toBe('system/usage-revenue/CNY');
    expect(systemAccount('usage-revenue', 'USD').key).toBe('system/usage-revenue/USD');
  });

  it('makes every customer balance a credit-normal liability of the business', () => {
    const balances = [customerCash('a', 'CNY'), customerVoucher('a', 'v', 'CNY'), customerPrepaidCard('a', 'c', 'CNY')];
    for (const account of balances) {
      expect(account).toMatchObject({ type: 'liability', normalSide: 'credit', currency: 'CNY' });
    }
  });

  it('gives each system account the normal side of its type', () => {
    const sides = Object.fromEntries(SYSTEM_ACCOUNT_NAMES.map((name) => [name, systemAccount(name, 'CNY').normalSide]));
    expect(sides).toEqual({
      'payments-clearing': 'debit',
      'usage-revenue': 'credit',
      'expired-balances': 'credit',
      'promotional-vouchers': 'debit',
      adjustments: 'debit',
      'prepaid-card-clearing': 'debit',
    });
  });

  it('picks the account of a balance source by its kind', () => {
    expect(customerSourceAccount('a', { kind: 'cash', id: 'ignored' }, 'CNY').key).toBe('customer/a/cash');
    expect(customerSourceAccount('a', { kind: 'voucher', id: 'v' }, 'CNY').key).toBe('customer/a/voucher/v');
    expect(customerSourceAccount('a', { kind: 'prepaid_card', id: 'c' }, 'CNY').key).toBe('customer/a/prepaid-card/c');
  });

  it.each([
    ['an empty billing account id', () => customerCash('', 'CNY')],
    ['a "/" in a billing account id', () => customerCash('a/b', 'CNY')],
    ['a "/" in a voucher id, which would alias another account', () => customerVoucher('a', 'v/1', 'CNY')],
    ['surrounding spaces in a card id', () => customerPrepaidCard('a', ' c', 'CNY')],
  ])('refuses %s', (_case, build) => {
    expect(build).toThrow(InvalidLedgerAccountError);
    expect(build).toThrow(LedgerError);
  });

  it('rebuilds every kind of account from its stored key and currency', () => {
    const accounts = [
      customerCash('a', 'USD'),
      customerVoucher('a', 'v', 'USD'),
      customerPrepaidCard('a', 'c', 'USD'),
      ...SYSTEM_ACCOUNT_NAMES.map((name) => systemAccount(name, 'USD')),
    ];
    for (const account of accounts) expect(parseLedgerAccountKey(account.key, 'USD')).toEqual(account);
  });

  it.each([
    ['an unknown root', 'vendor/a/cash'],
    ['an unknown system account', 'system/marketing/CNY'],
    ['a system key of another currency', 'system/usage-revenue/USD'],
    ['a customer key without a source', 'customer/a'],
    ['a voucher key without an id', 'customer/a/voucher'],
    ['extra segments', 'customer/a/cash/x'],
  ])('refuses to parse %s', (_case, key) => {
    expect(() => parseLedgerAccountKey(key, 'CNY')).toThrow(InvalidLedgerAccountError);
  });
});

describe('sign convention', () => {
  it('posts a debit as a positive amount and a credit as a negative one', () => {
    expect(debit(customerCash('a', 'CNY'), cny('1.00')).amount).toEqual(cny('1.00'));
    expect(credit(customerCash('a', 'CNY'), cny('1.00')).amount).toEqual(cny('-1.00'));
  });

  it("reads a credit to a customer's cash as money the customer has", () => {
    const cash = customerCash('a', 'CNY');
    const net = credit(cash, cny('100.00')).amount.add(debit(cash, cny('30.00')).amount);
    expect(balanceOnNormalSide(cash, net)).toEqual(cny('70.00'));
  });

  it('reads a debit-normal account as its plain net', () => {
    const clearing = systemAccount('payments-clearing', 'CNY');
    expect(balanceOnNormalSide(clearing, debit(clearing, cny('5.00')).amount)).toEqual(cny('5.00'));
  });

  it.each([
    ['zero', cny('0.00')],
    ['a negative amount, which would silently flip the side', cny('-1.00')],
    ['an amount in another currency than the account', Money.parse('1.00', 'USD')],
  ])('refuses to post %s', (_case, amount) => {
    expect(() => debit(customerCash('a', 'CNY'), amount)).toThrow(InvalidPostingError);
    expect(() => credit(customerCash('a', 'CNY'), amount)).toThrow(InvalidPostingError);
  });
});
