import { Prisma } from '../../db/generated/client.js';
import type { BalanceSourceKind, JournalEntryKind } from '../../domain/ledger/index.js';
import { Money } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { asEntryKind, assertTimeRange, currencyOf, slice, type Slice, type SourceChange, type TimeRange } from './common.js';
import { describeEntry } from './describe-entry.js';
import { sourceChange } from './entry-changes.js';

export interface EntryFilter extends TimeRange {
  kind?: JournalEntryKind;
}

export interface StatementLine {
  id: bigint;
  kind: JournalEntryKind;
  occurredAt: Date;
  /** The change of the account's total: positive is income, negative expenditure. */
  amount: Money;
  /** The account's total right after this entry. */
  balanceAfter: Money;
  description: string;
  details: Record<string, unknown>;
  /** The same change, per balance source of the account. */
  sources: SourceChange[];
}

interface EntryRow {
  id: bigint;
  kind: string;
  currency: string;
  occurred_at: Date;
  balance_after_minor: bigint | null;
  details: unknown;
  /** journal_entries.account_changes: the entry's postings on the account's own sources, in posting order. */
  changes: Array<[BalanceSourceKind, string | null, string, string]>;
}

/** Serial ids start at 1, and no id exceeds a bigint: the bounds of "every entry of the account". */
const NO_ENTRY_BELOW = 0n;
const PAST_EVERY_ENTRY = 2n ** 63n - 1n;

/**
 * The page query, exported so that tests and benchmarks can EXPLAIN exactly what runs: a backward range scan
 * of journal_entries(account_id, id) that stops after `limit + 1` rows, however long the account's history.
 * Each row carries its changes per balance source (account_changes, written with the postings), so no
 * posting is read.
 *
 * The account and the keyset position are one row comparison on (account_id, id), not `account_id = $1 AND
 * id < $2`, on purpose. With a plain equality the planner may instead walk the primary key backwards and
 * filter by account, which it thinks cheaper for an account holding a large share of the ledger; when that
 * account's entries are old (others have posted since), the walk reads every newer entry of the whole ledger
 * first (measured: 400,000 rows, 90 ms, for a page). Bounds on (account_id, id) can only be an index condition
 * of that index, so each page reads the page.
 *
 * `kind`, `from` and `to` are filters within the scan: cheap when matches are common. A rare kind is found
 * through journal_entries(kind, occurred_at) instead; a kind that is rare for this account but common in the
 * ledger, or a `to` far in the past, reads more of the account's history (an index on (account_id, kind, id),
 * resp. (account_id, occurred_at), would bound them; neither exists).
 */
export function entryPageQuery(accountId: string, filter: EntryFilter & { after?: bigint }, limit: number): Prisma.Sql {
  const conditions = [
    Prisma.sql`(account_id, id) > (${accountId}::uuid, ${NO_ENTRY_BELOW}::bigint)`,
    Prisma.sql`(account_id, id) < (${accountId}::uuid, ${filter.after ?? PAST_EVERY_ENTRY}::bigint)`,
  ];
  if (filter.kind !== undefined) conditions.push(Prisma.sql`kind = ${filter.kind}`);
  if (filter.from) conditions.push(Prisma.sql`occurred_at >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(Prisma.sql`occurred_at < ${filter.to}::timestamptz`);
  return Prisma.sql`
    SELECT id, kind, currency, occurred_at, balance_after_minor, details, account_changes AS changes
    FROM journal_entries
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY account_id DESC, id DESC
    LIMIT ${limit + 1}`;
}

/** Every movement of the account's money, newest first, with the running balance: one index range scan per page. */
export async function listIncomeExpenditure(
  ctx: ServiceContext,
  accountId: string,
  options: EntryFilter & { limit: number; after?: bigint },
): Promise<Slice<StatementLine, { id: bigint; occurredAt: Date }>> {
  assertTimeRange(options);
  const rows = await ctx.prisma.$queryRaw<EntryRow[]>(entryPageQuery(accountId, options, options.limit));
  const page = slice(rows, options.limit, (row) => ({ id: row.id, occurredAt: row.occurred_at }));
  return { next: page.next, items: page.items.map(statementLine) };
}

/** One stored entry as a statement line. */
function statementLine(row: EntryRow): StatementLine {
  const currency = currencyOf(row.currency, () => `journal entry ${row.id}`);
  // postEntries writes it on every entry that names an account; checkStoredLedger watches it.
  if (row.balance_after_minor === null) throw new Error(`journal entry ${row.id} has no running balance`);
  const kind = asEntryKind(row.kind);
  const sources = row.changes.map(([source, source_id, sourceCurrency, amount]) =>
    sourceChange(row.id, { source, source_id, currency: sourceCurrency, amount_minor: BigInt(amount) }),
  );
  // Details that are not an object (never written so) read as none: a statement line must always render.
  const details = typeof row.details === 'object' && row.details !== null && !Array.isArray(row.details) ? (row.details as Record<string, unknown>) : {};
  return {
    id: row.id,
    kind,
    occurredAt: row.occurred_at,
    amount: Money.sum(sources.map((s) => s.change), currency),
    balanceAfter: Money.ofMinor(row.balance_after_minor, currency),
    description: describeEntry({ kind, details, sources }),
    details,
    sources,
  };
}
