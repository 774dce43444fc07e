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
 * The account's charged usage, newest period first. Two queries per page: the records (keyset on
 * usage_records(account_id, period_start), ties broken by id) and the postings of their entries.
 * `from`/`to` bound the period start (from inclusive, to exclusive).
 */
export async function listConsumption(
  ctx: ServiceContext,
  accountId: string,
  options: ConsumptionFilter & { limit: number; after?: ConsumptionKey },
): Promise<Slice<ChargedUsage, ConsumptionKey>> {
  assertTimeRange(options);
  const { after } = options;
  const conditions = [Prisma.sql`account_id = ${accountId}::uuid`, Prisma.sql`status = 'charged'`];
  if (options.workspaceId !== undefined) conditions.push(Prisma.sql`workspace_id = ${options.workspaceId}`);
  if (options.item !== undefined) conditions.push(Prisma.sql`item = ${options.item}`);
  if (options.from) conditions.push(Prisma.sql`period_start >= ${options.from}::timestamptz`);
  if (options.to) conditions.push(Prisma.sql`period_start < ${options.to}::timestamptz`);
  if (after) conditions.push(Prisma.sql`(period_start, id) < (${after.periodStart}::timestamptz, ${after.id})`);
  // quantity and unit_price as text: numeric never passes through a JavaScript number.
  const rows = await ctx.prisma.$queryRaw<UsageRow[]>`
    SELECT id, workspace_id, site, item, unit, quantity::text AS quantity, unit_price::text AS unit_price,
           amount_minor, currency, period_start, period_end, charged_at, entry_id
    FROM usage_records
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY period_start DESC, id DESC
    LIMIT ${options.limit + 1}`;
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
