import { Prisma } from '../../db/generated/client.js';
import type { BalanceSourceKind } from '../../domain/ledger/index.js';
import { Money } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { assertTimeRange, currencyOf, slice, trimDecimal, type Slice, type TimeRange } from './common.js';
import { sourceChangesOf } from './entry-changes.js';

/** Keyset position in (periodStart desc, id desc) order. */
export interface ConsumptionKey {
  periodStart: Date;
  id: string;
}

export interface ConsumptionFilter extends TimeRange {
  workspaceId?: string;
  item?: string;
}

export interface Payment {
  source: BalanceSourceKind;
  sourceId: string | null;
  amount: Money;
}

export interface ChargedUsage {
  id: string;
  workspaceId: string;
  site: string;
  item: string;
  unit: string;
  /** Exact decimal strings; null for records priced by amount. */
  quantity: string | null;
  unitPrice: string | null;
  amount: Money;
  periodStart: Date;
  periodEnd: Date;
  chargedAt: Date;
  /** What paid the charge, in drawing order; empty for a free record (no entry). */
  paidBy: Payment[];
}

interface UsageRow {
  id: string;
  workspace_id: string;
  site: string;
  item: string;
  unit: string;
  quantity: string | null;
  unit_price: string | null;
  amount_minor: bigint | null;
  currency: string | null;
  period_start: Date;
  period_end: Date;
  charged_at: Date | null;
  entry_id: bigint | null;
}

/**
 * The page query, exported so that tests and benchmarks can EXPLAIN exactly what runs: a backward scan of
 * usage_records(account_id, period_start) from the cursor on, ties on period start put in id order by an
 * incremental sort of each tie group (an index on (account_id, period_start, id) would spare that sort; it
 * does not exist). quantity and unit_price come as text: numeric never passes through a JavaScript number.
 */
export function consumptionPageQuery(accountId: string, filter: ConsumptionFilter & { after?: ConsumptionKey }, limit: number): Prisma.Sql {
  const { after } = filter;
  const conditions = [Prisma.sql`account_id = ${accountId}::uuid`, Prisma.sql`status = 'charged'`];
  if (filter.workspaceId !== undefined) conditions.push(Prisma.sql`workspace_id = ${filter.workspaceId}`);
  if (filter.item !== undefined) conditions.push(Prisma.sql`item = ${filter.item}`);
  if (filter.from) conditions.push(Prisma.sql`period_start >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(Prisma.sql`period_start < ${filter.to}::timestamptz`);
  if (after) {
    // The first condition is implied by the second; it is there because only it can bound the scan of
    // usage_records(account_id, period_start), so that a deep page starts at the cursor instead of the top.
    conditions.push(Prisma.sql`period_start <= ${after.periodStart}::timestamptz`);
    conditions.push(Prisma.sql`(period_start, id) < (${after.periodStart}::timestamptz, ${after.id})`);
  }
  return Prisma.sql`
    SELECT id, workspace_id, site, item, unit, quantity::text AS quantity, unit_price::text AS unit_price,
           amount_minor, currency, period_start, period_end, charged_at, entry_id
    FROM usage_records
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY period_start DESC, id DESC
    LIMIT ${limit + 1}`;
}

/**
 * The account's charged usage, newest period first. Two queries per page: the records (consumptionPageQuery)
 * and the postings of their entries. `from`/`to` bound the period start (from inclusive, to exclusive).
 */
export async function listConsumption(
  ctx: ServiceContext,
  accountId: string,
  options: ConsumptionFilter & { limit: number; after?: ConsumptionKey },
): Promise<Slice<ChargedUsage, ConsumptionKey>> {
  assertTimeRange(options);
  const rows = await ctx.prisma.$queryRaw<UsageRow[]>(consumptionPageQuery(accountId, options, options.limit));
  const page = slice(rows, options.limit, (row): ConsumptionKey => ({ periodStart: row.period_start, id: row.id }));
  const entryIds = page.items.flatMap((row) => (row.entry_id === null ? [] : [row.entry_id]));
  const changes = await sourceChangesOf(ctx.prisma, accountId, entryIds);
  return {
    next: page.next,
    items: page.items.map((row) => {
      const currency = currencyOf(row.currency, `usage record ${row.id}`);
      // A charged record is always priced (ingest prices every record of a bound workspace).
      if (row.amount_minor === null || row.charged_at === null) throw new Error(`charged usage record ${row.id} has no amount or charge time`);
      const paidBy = (row.entry_id === null ? [] : (changes.get(row.entry_id) ?? [])).map((c) => ({
        source: c.source,
        sourceId: c.sourceId,
        // A charge takes money from the source: its customer-side change is negative, what it paid is the opposite.
        amount: c.change.negate(),
      }));
      return {
        id: row.id,
        workspaceId: row.workspace_id,
        site: row.site,
        item: row.item,
        unit: row.unit,
        quantity: trimDecimal(row.quantity),
        unitPrice: trimDecimal(row.unit_price),
        amount: Money.ofMinor(row.amount_minor, currency),
        periodStart: row.period_start,
        periodEnd: row.period_end,
        chargedAt: row.charged_at,
        paidBy,
      };
    }),
  };
}
