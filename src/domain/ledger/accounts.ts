// The chart of ledger accounts, and the one sign convention of the ledger.
//
// SIGN CONVENTION (the only place it is defined):
//   A posting's amount is a signed Money: positive = debit, negative = credit. The postings of an entry
//   sum to zero. An account's *net* is the plain sum of its postings; its *balance* is the net read on the
//   account's normal side: debit-normal accounts (assets, expenses) balance = net, credit-normal accounts
//   (liabilities, revenue) balance = −net.
//   A customer's balance accounts are liabilities of the business (money we owe the customer), so a
//   customer's balance = −(sum of postings on its accounts): a recharge *credits* cash (posting −100,
//   balance +100); a usage charge *debits* it (posting +30, balance +70); arrears are a negative balance.
// Call sites never write a sign: they say `debit(account, amount)` or `credit(account, amount)` with a
// positive amount, and read `balanceOnNormalSide`.
//
// Pure code: workflows import it.

import type { Currency, Money } from '../money.js';

// Base class so the HTTP error mapper can recognise every refusal from the ledger with one check. They
// are programming errors (the ledger is never fed raw client input), so they map to a 500.
export abstract class LedgerError extends Error {}

export type AccountType = 'asset' | 'liability' | 'revenue' | 'expense';
export type Side = 'debit' | 'credit';

export function normalSideOf(type: AccountType): Side {
  return type === 'asset' || type === 'expense' ? 'debit' : 'credit';
}

// The three kinds of customer balance (DESIGN capability 3), spelled as in the API (`method: prepaid_card`).
export type BalanceSourceKind = 'cash' | 'voucher' | 'prepaid_card';

export type SystemAccountName =
  // Asset: what the payment gateway has collected for cash recharges and owes us until it settles.
  | 'payments-clearing'
  // Revenue: usage charged to customers.
  | 'usage-revenue'
  // Revenue (breakage): voucher and prepaid-card balances that expired unspent.
  | 'expired-balances'
  // Expense: the face value of vouchers we gave away; a voucher is a marketing cost, not money received.
  | 'promotional-vouchers'
  // Expense: finance's goodwill credits to customers' cash, net of its debits; every line is an audited entry.
  | 'adjustments'
  // Asset, debit-normal: the face value of prepaid cards bound into customer balances, funded by card sales
  // that sales collects outside the billing center. Not named `prepaid-card-sales` and not a liability:
  // the liability for a bound card is the customer's own `prepaid-card/<cardId>` account, and an unbound
  // card is not money in this ledger (it can still be revoked), so nothing is posted at issue. Finance
  // reconciles this account against card-sale proceeds exactly as it reconciles `payments-clearing`
  // against gateway settlements.
  | 'prepaid-card-clearing';

const SYSTEM_ACCOUNT_TYPES: Readonly<Record<SystemAccountName, AccountType>> = {
  'payments-clearing': 'asset',
  'usage-revenue': 'revenue',
  'expired-balances': 'revenue',
  'promotional-vouchers': 'expense',
  adjustments: 'expense',
  'prepaid-card-clearing': 'asset',
};

export const SYSTEM_ACCOUNT_NAMES: readonly SystemAccountName[] = Object.freeze(
  Object.keys(SYSTEM_ACCOUNT_TYPES) as SystemAccountName[],
);

// A key names one account for ever; it is what the database stores and what finance reads:
//   customer/<billingAccountId>/cash
//   customer/<billingAccountId>/voucher/<voucherId>
//   customer/<billingAccountId>/prepaid-card/<cardId>
//   system/<name>/<currency>
// System keys carry the currency because every currency needs its own revenue, clearing, ... account;
// a customer's accounts are in the billing-center account's one currency, so theirs do not.
export type LedgerAccountKey = string;

interface AccountBase {
  readonly key: LedgerAccountKey;
  readonly currency: Currency;
  readonly type: AccountType;
  readonly normalSide: Side;
}

export interface CustomerAccount extends AccountBase {
  readonly owner: 'customer';
  readonly billingAccountId: string;
  readonly source: BalanceSourceKind;
  // The voucher or card id; null for cash, which is one per billing-center account.
  readonly sourceId: string | null;
}

export interface SystemAccount extends AccountBase {
  readonly owner: 'system';
  readonly name: SystemAccountName;
}

export type LedgerAccount = CustomerAccount | SystemAccount;

export class InvalidLedgerAccountError extends LedgerError {
  override readonly name = 'InvalidLedgerAccountError';

  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(detail);
  }
}

export function customerCash(billingAccountId: string, currency: Currency): CustomerAccount {
  return customerAccount(billingAccountId, 'cash', null, currency);
}

export function customerVoucher(billingAccountId: string, voucherId: string, currency: Currency): CustomerAccount {
  return customerAccount(billingAccountId, 'voucher', voucherId, currency);
}

export function customerPrepaidCard(billingAccountId: string, cardId: string, currency: Currency): CustomerAccount {
  return customerAccount(billingAccountId, 'prepaid_card', cardId, currency);
}

// The account of one balance source, for code that holds a source rather than knowing its kind.
export function customerSourceAccount(
  billingAccountId: string,
  source: { kind: BalanceSourceKind; id: string },
  currency: Currency,
): CustomerAccount {
  return customerAccount(billingAccountId, source.kind, source.kind === 'cash' ? null : source.id, currency);
}

export function systemAccount(name: SystemAccountName, currency: Currency): SystemAccount {
  const type = SYSTEM_ACCOUNT_TYPES[name];
  if (type === undefined) {
    throw new InvalidLedgerAccountError(String(name), `unknown system account ${JSON.stringify(name)}`);
  }
  return Object.freeze({
    owner: 'system',
    name,
    key: `system/${name}/${currency}`,
    currency,
    type,
    normalSide: normalSideOf(type),
  });
}

const KEY_SEGMENT_OF: Readonly<Record<BalanceSourceKind, string>> = {
  cash: 'cash',
  voucher: 'voucher',
  prepaid_card: 'prepaid-card',
};

// Rebuilds an account from its stored key and currency (how persistence turns rows back into values).
export function parseLedgerAccountKey(key: string, currency: Currency): LedgerAccount {
  const parts = key.split('/');
  const [root, first, second, third] = parts;
  if (root === 'system' && parts.length === 3 && first !== undefined && Object.hasOwn(SYSTEM_ACCOUNT_TYPES, first)) {
    if (second !== currency) {
      throw new InvalidLedgerAccountError(key, `system account ${key} is not in ${currency}`);
    }
    return systemAccount(first as SystemAccountName, currency);
  }
  if (root === 'customer' && first !== undefined) {
    if (parts.length === 3 && second === 'cash') return customerCash(first, currency);
    if (parts.length === 4 && third !== undefined) {
      if (second === 'voucher') return customerVoucher(first, third, currency);
      if (second === 'prepaid-card') return customerPrepaidCard(first, third, currency);
    }
  }
  throw new InvalidLedgerAccountError(key, `${JSON.stringify(key)} is not a ledger account key`);
}

function customerAccount(
  billingAccountId: string,
  source: BalanceSourceKind,
  sourceId: string | null,
  currency: Currency,
): CustomerAccount {
  assertKeySegment(billingAccountId, 'billing account id');
  const sourcePath = sourceId === null ? KEY_SEGMENT_OF[source] : `${KEY_SEGMENT_OF[source]}/${sourceId}`;
  if (sourceId !== null) assertKeySegment(sourceId, `${source} id`);
  return Object.freeze({
    owner: 'customer',
    billingAccountId,
    source,
    sourceId,
    key: `customer/${billingAccountId}/${sourcePath}`,
    currency,
    type: 'liability',
    normalSide: 'credit',
  });
}

// A "/" inside an id would make two different accounts share a key.
function assertKeySegment(value: string, what: string): void {
  if (typeof value !== 'string' || value === '' || value.includes('/') || value.trim() !== value) {
    const detail = `${what} must be a non-empty string without "/" or surrounding spaces`;
    throw new InvalidLedgerAccountError(String(value), detail);
  }
}

// One line of a journal entry. `amount` is signed as the header says; build it with `debit`/`credit`.
export interface Posting {
  readonly account: LedgerAccount;
  readonly amount: Money;
}

export class InvalidPostingError extends LedgerError {
  override readonly name = 'InvalidPostingError';

  constructor(
    readonly account: LedgerAccountKey,
    readonly amount: Money,
  ) {
    super(`a posting to ${account} needs a positive amount in the account's currency, got ${amount.toString()}`);
  }
}

export function debit(account: LedgerAccount, amount: Money): Posting {
  assertPostable(account, amount);
  return Object.freeze({ account, amount });
}

export function credit(account: LedgerAccount, amount: Money): Posting {
  assertPostable(account, amount);
  return Object.freeze({ account, amount: amount.negate() });
}

// The net of an account (sum of its postings) read the way its owner reads it: a customer's money, the
// revenue earned, the cash the gateway owes.
export function balanceOnNormalSide(account: LedgerAccount, net: Money): Money {
  return account.normalSide === 'debit' ? net : net.negate();
}

function assertPostable(account: LedgerAccount, amount: Money): void {
  if (amount.currency !== account.currency || !amount.isPositive()) {
    throw new InvalidPostingError(account.key, amount);
  }
}

