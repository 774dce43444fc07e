import type { BalanceSourceKind, JournalEntryKind } from '../../domain/ledger/index.js';
import { ENTRY_KINDS } from '../statements/common.js';

/**
 * What a bill says, as stored in `bills.content` and read back by the API. Amounts are minor units as decimal
 * strings (JSON has no exact big integers), on the customer's side: positive is money the customer has or
 * gained, negative what they owe or spent. Composing it from ledger sums is pure, so the reconciliation rules
 * (opening + movements = closing, line items add up to the usage charged) are tested without a database.
 */

/** An amount split over the account's balance sources, with their total. */
export interface SourceSplit {
  cash: string;
  vouchers: string;
  prepaidCards: string;
  total: string;
}

export interface BillLine {
  workspaceId: string | null;
  site: string | null;
  item: string | null;
  unit: string | null;
  /** Sum of the records' quantities (null when the platform priced every record itself). */
  quantity: string | null;
  /** What was charged (positive), from the ledger's postings. */
  amount: string;
  records: number;
}

export interface AccountBillContent {
  kind: 'account';
  opening: SourceSplit;
  /** One row per kind of entry posted in the period: recharges by method, usage, adjustments, expiries, reversals. */
  movements: Array<{ kind: JournalEntryKind; change: SourceSplit }>;
  /** What each balance source paid for usage in the period (positive). */
  paidBy: SourceSplit;
  closing: SourceSplit;
  /** Negative cash owed at the start and carried at the end of the period (positive, or zero). */
  arrears: { opening: string; closing: string };
  lines: BillLine[];
  /** Cloud accounts the account's cloud-settled usage of the month was reported to; each has a statement of its own. */
  cloudAccountIds: string[];
}

export interface StatementLine {
  item: string;
  /** Hours reported for this item. */
  hours: number;
  /** Exact metered quantity of those hours. */
  quantity: string;
  /** What the marketplace took, in its own terms, over the hours it took. */
  reportedQuantity: string;
  records: number;
  reports: { reported: number; late: number; refused: number; pending: number };
  /** The workspaces and sites whose usage the item consolidates. */
  sources: Array<{ workspaceId: string; site: string; quantity: string; records: number }>;
}

export interface CloudStatementContent {
  kind: 'cloud_account';
  cloudAccountId: string;
  provider: string;
  externalAccountId: string;
  lines: StatementLine[];
}

export type BillContent = AccountBillContent | CloudStatementContent;

/** Sums of postings (debit-positive, as stored) on one account's sources: opening ones, and per entry kind. */
export interface PostingSum {
  source: BalanceSourceKind;
  /** `opening`: entries before the period; otherwise the kind of entries within it. */
  bucket: 'opening' | JournalEntryKind;
  net: bigint;
}

export interface ChargeLineSum {
  workspaceId: string | null;
  site: string | null;
  item: string | null;
  unit: string | null;
  quantity: string | null;
  /** Sum of the charge entries' postings on the account's sources (debit-positive: a charge is positive). */
  net: bigint;
  records: number;
}

type Split = Record<BalanceSourceKind, bigint>;
const zero = (): Split => ({ cash: 0n, voucher: 0n, prepaid_card: 0n });
const add = (a: Split, b: Split): Split => ({ cash: a.cash + b.cash, voucher: a.voucher + b.voucher, prepaid_card: a.prepaid_card + b.prepaid_card });
const written = (split: Split): SourceSplit => ({
  cash: split.cash.toString(),
  vouchers: split.voucher.toString(),
  prepaidCards: split.prepaid_card.toString(),
  total: (split.cash + split.voucher + split.prepaid_card).toString(),
});
const owed = (cash: bigint) => (cash < 0n ? -cash : 0n).toString();

/** An account's bill from the ledger's sums for its period. */
export function composeAccountBill(sums: readonly PostingSum[], charges: readonly ChargeLineSum[], cloudAccountIds: readonly string[] = []): AccountBillContent {
  const opening = zero();
  const byKind = new Map<JournalEntryKind, Split>();
  for (const sum of sums) {
    // Customer balances are liabilities: the customer's side of a posting is its negation.
    const side = -sum.net;
    if (sum.bucket === 'opening') opening[sum.source] += side;
    else {
      const split = byKind.get(sum.bucket) ?? zero();
      split[sum.source] += side;
      byKind.set(sum.bucket, split);
    }
  }
  const movements = ENTRY_KINDS.filter((kind) => byKind.has(kind)).map((kind) => ({ kind, split: byKind.get(kind)! }));
  const closing = movements.reduce((total, movement) => add(total, movement.split), opening);
  const usage = byKind.get('usage_charge') ?? zero();
  return {
    kind: 'account',
    opening: written(opening),
    movements: movements.map(({ kind, split }) => ({ kind, change: written(split) })),
    paidBy: written({ cash: -usage.cash, voucher: -usage.voucher, prepaid_card: -usage.prepaid_card }),
    closing: written(closing),
    arrears: { opening: owed(opening.cash), closing: owed(closing.cash) },
    lines: charges.map((line) => ({
      workspaceId: line.workspaceId,
      site: line.site,
      item: line.item,
      unit: line.unit,
      quantity: line.quantity,
      amount: line.net.toString(),
      records: line.records,
    })),
    cloudAccountIds: [...cloudAccountIds],
  };
}
