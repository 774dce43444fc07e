// A journal entry, the only way money moves, and the entries the business posts. Each builder decides
// which accounts a movement debits and credits; persistence only stores what it is given.
// Pure code: workflows import it.

import type { Currency, Money } from '../money.js';
import {
  LedgerError,
  credit,
  customerCash,
  customerPrepaidCard,
  customerSourceAccount,
  customerVoucher,
  debit,
  systemAccount,
  type Posting,
} from './accounts.js';

export type JournalEntryKind =
  | 'recharge_cash'
  | 'recharge_voucher'
  | 'recharge_prepaid_card'
  | 'usage_charge'
  | 'adjustment'
  | 'expiry'
  | 'reversal';

export interface JournalEntry {
  // The business key: permanent and unique, so that posting the same movement twice is a no-op found by
  // the database's unique constraint, never a second movement.
  readonly key: string;
  readonly kind: JournalEntryKind;
  readonly currency: Currency;
  readonly postings: readonly Posting[];
  // The key of the entry this one corrects, for reversals.
  readonly reverses: string | null;
}

// Keys of the form <prefix>/<id>[/<suffix>] with a fixed prefix per kind: ids come from clients (usage
// record ids) and may contain "/", and a fixed prefix and suffix keep two kinds from ever sharing a key.
export const entryKeys = {
  usage: (recordId: string): string => `usage/${nonEmpty(recordId, 'usage record id')}`,
  recharge: (rechargeId: string): string => `recharge/${nonEmpty(rechargeId, 'recharge id')}`,
  adjustment: (adjustmentId: string): string => `adjustment/${nonEmpty(adjustmentId, 'adjustment id')}`,
  voucherExpiry: (voucherId: string): string => `voucher/${nonEmpty(voucherId, 'voucher id')}/expiry`,
  prepaidCardExpiry: (cardId: string): string => `prepaid-card/${nonEmpty(cardId, 'card id')}/expiry`,
  // One reversal per entry: reversing twice reuses the key and is refused by the unique constraint.
  reversalOf: (key: string): string => `reversal/${nonEmpty(key, 'entry key')}`,
} as const;

export type JournalEntryRefusal =
  | 'empty_key'
  | 'no_postings'
  | 'single_posting' // one posting cannot balance unless it is zero
  | 'zero_posting' // a posting of nothing records nothing; an entry of only zeros moves nothing
  | 'mixed_currency' // postings in two currencies: a conversion is two entries through an FX account
  | 'account_currency_mismatch' // a posting's amount is not in its account's currency
  | 'unbalanced' // postings do not sum to zero
  | 'reversal_without_target'
  | 'reverses_itself';

export class InvalidJournalEntryError extends LedgerError {
  override readonly name = 'InvalidJournalEntryError';

  constructor(
    readonly reason: JournalEntryRefusal,
    readonly entryKey: string,
    detail: string,
  ) {
    super(`journal entry ${JSON.stringify(entryKey)}: ${detail}`);
  }
}

export interface JournalEntryInput {
  key: string;
  kind: JournalEntryKind;
  postings: readonly Posting[];
  reverses?: string | null;
}

// The one constructor: an entry that exists is balanced, in one currency and has at least two
// non-zero postings. Entries read back from the database are checked by `checkLedger` instead.
export function journalEntry(input: JournalEntryInput): JournalEntry {
  const { key, kind, postings } = input;
  const reverses = input.reverses ?? null;
  const refuse = (reason: JournalEntryRefusal, detail: string): never => {
    throw new InvalidJournalEntryError(reason, key, detail);
  };
  if (typeof key !== 'string' || key.trim() === '') refuse('empty_key', 'the business key is empty');
  const [first] = postings;
  if (first === undefined) return refuse('no_postings', 'an entry needs postings');
  if (postings.length < 2) refuse('single_posting', 'an entry needs at least two postings');
  const currency = first.amount.currency;
  let sum = 0n;
  for (const posting of postings) {
    if (posting.amount.currency !== currency) {
      refuse('mixed_currency', `postings in ${currency} and ${posting.amount.currency}`);
    }
    if (posting.account.currency !== currency) {
      refuse('account_currency_mismatch', `${posting.account.key} is a ${posting.account.currency} account`);
    }
    if (posting.amount.isZero()) refuse('zero_posting', `the posting to ${posting.account.key} is zero`);
    sum += posting.amount.minor;
  }
  if (sum !== 0n) refuse('unbalanced', `postings sum to ${sum} minor units of ${currency}, not zero`);
  if (kind === 'reversal' && reverses === null) {
    refuse('reversal_without_target', 'a reversal names the entry it reverses');
  }
  if (reverses === key) refuse('reverses_itself', 'an entry cannot reverse itself');
  return Object.freeze({ key, kind, currency, postings: Object.freeze([...postings]), reverses });
}

// Undoes an entry exactly: every posting negated. The original stays; history is never edited.
export function reversal(entry: JournalEntry, newKey: string): JournalEntry {
  return journalEntry({
    key: newKey,
    kind: 'reversal',
    reverses: entry.key,
    postings: entry.postings.map(({ account, amount }) => Object.freeze({ account, amount: amount.negate() })),
  });
}

// Cash paid through the gateway: the gateway owes us what the customer now has.
export function cashRechargeEntry(input: {
  rechargeId: string;
  billingAccountId: string;
  amount: Money;
}): JournalEntry {
  const { amount } = input;
  return journalEntry({
    key: entryKeys.recharge(input.rechargeId),
    kind: 'recharge_cash',
    postings: [
      debit(systemAccount('payments-clearing', amount.currency), amount),
      credit(customerCash(input.billingAccountId, amount.currency), amount),
    ],
  });
}

// A voucher is credited into its own account so that its expiry, scope and minimum follow its money.
export function voucherRechargeEntry(input: {
  rechargeId: string;
  billingAccountId: string;
  voucherId: string;
  amount: Money;
}): JournalEntry {
  const { amount } = input;
  return journalEntry({
    key: entryKeys.recharge(input.rechargeId),
    kind: 'recharge_voucher',
    postings: [
      debit(systemAccount('promotional-vouchers', amount.currency), amount),
      credit(customerVoucher(input.billingAccountId, input.voucherId, amount.currency), amount),
    ],
  });
}

export function prepaidCardRechargeEntry(input: {
  rechargeId: string;
  billingAccountId: string;
  cardId: string;
  amount: Money;
}): JournalEntry {
  const { amount } = input;
  return journalEntry({
    key: entryKeys.recharge(input.rechargeId),
    kind: 'recharge_prepaid_card',
    postings: [
      debit(systemAccount('prepaid-card-clearing', amount.currency), amount),
      credit(customerPrepaidCard(input.billingAccountId, input.cardId, amount.currency), amount),
    ],
  });
}

// `direction` is the customer's side, as finance's API says it: a credit adds to the customer's cash, a
// debit takes from it (and may leave it in arrears: finance decides, the ledger records).
export function adjustmentEntry(input: {
  adjustmentId: string;
  billingAccountId: string;
  direction: 'credit' | 'debit';
  amount: Money;
}): JournalEntry {
  const { amount } = input;
  const cash = customerCash(input.billingAccountId, amount.currency);
  const adjustments = systemAccount('adjustments', amount.currency);
  return journalEntry({
    key: entryKeys.adjustment(input.adjustmentId),
    kind: 'adjustment',
    postings:
      input.direction === 'credit'
        ? [debit(adjustments, amount), credit(cash, amount)]
        : [debit(cash, amount), credit(adjustments, amount)],
  });
}

// Clears what is left on an expired voucher or card. Null when nothing is left: a spent card expires
// without an entry. A negative remainder is refused (only cash can be in arrears).
export function expiryEntry(input: {
  billingAccountId: string;
  source: { kind: 'voucher' | 'prepaid_card'; id: string };
  remaining: Money;
}): JournalEntry | null {
  const { source, remaining } = input;
  if (remaining.isZero()) return null;
  return journalEntry({
    key: source.kind === 'voucher' ? entryKeys.voucherExpiry(source.id) : entryKeys.prepaidCardExpiry(source.id),
    kind: 'expiry',
    postings: [
      debit(customerSourceAccount(input.billingAccountId, source, remaining.currency), remaining),
      credit(systemAccount('expired-balances', remaining.currency), remaining),
    ],
  });
}

function nonEmpty(id: string, what: string): string {
  if (typeof id !== 'string' || id === '') {
    throw new InvalidJournalEntryError('empty_key', String(id), `the ${what} is empty`);
  }
  return id;
}
