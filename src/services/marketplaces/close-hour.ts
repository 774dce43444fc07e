import { inTransaction } from '../../db/transaction.js';
import type { CloudProvider } from '../../domain/identity/cloud-account-id.js';
import { CLOSE_DELAY_MS, deadlineOf, HOUR_MS, hourlyRecords, hourOf, reportedQuantity, timeliness } from '../../domain/marketplaces/rules.js';
import { isZeroQuantity } from '../../domain/marketplaces/quantity.js';
import type { ServiceContext } from '../context.js';
import { meteredQuantity } from './metered-quantity.js';

/**
 * Closing an hour of a cloud account: the usage of every workspace settled to it (whatever its site) that
 * is not reported yet and began before the hour's end is summed per billing item into one report row per
 * (cloud account, hour, item), and each record is linked to the row that carries it. Records of earlier
 * hours that arrived after their own hour was closed are carried into this one (counted in `carried_over`):
 * late usage is reported late, never dropped.
 */

interface Totals {
  item: string;
  quantity: string;
  records: number;
  carried: number;
}

export interface MeteringState {
  /** A workspace settles to the cloud account now. */
  inUse: boolean;
  /** Usage of it is stored and not yet in a report. */
  unreportedUsage: boolean;
  /**
   * Where metering starts: the hour after the last closed one, or, after a pause with nothing settled here,
   * the hour of the oldest unreported usage; null when there is nothing to meter.
   */
  firstHour: number | null;
}

export async function meteringState(ctx: ServiceContext, cloudAccountId: string): Promise<MeteringState> {
  const [row] = await ctx.prisma.$queryRaw<{ last_closed: Date | null; oldest_usage: Date | null; in_use: boolean }[]>`
    SELECT (SELECT max(hour_start) FROM marketplace_reports WHERE cloud_account_id = ${cloudAccountId}::uuid) AS last_closed,
           (SELECT min(period_start) FROM usage_records
             WHERE cloud_account_id = ${cloudAccountId}::uuid AND status = 'cloud' AND marketplace_report_id IS NULL) AS oldest_usage,
           EXISTS (SELECT 1 FROM workspaces WHERE cloud_account_id = ${cloudAccountId}::uuid AND settlement = 'cloud_account') AS in_use`;
  const afterLast = row?.last_closed ? row.last_closed.getTime() + HOUR_MS : null;
  const oldest = row?.oldest_usage ? hourOf(row.oldest_usage.getTime()) : null;
  const inUse = row?.in_use ?? false;
  let firstHour: number | null = null;
  if (oldest !== null) firstHour = afterLast === null ? oldest : Math.max(afterLast, oldest);
  else if (inUse) firstHour = afterLast;
  return { inUse, unreportedUsage: oldest !== null, firstHour };
}

/** Closes one hour at `now` (the workflow's time); idempotent (a report row is made once per hour and item). Returns the rows made now. */
export async function closeHour(ctx: ServiceContext, cloudAccountId: string, hourStart: number, now: Date): Promise<{ created: number }> {
  const hourEnd = new Date(hourStart + HOUR_MS);
  // Serializable: the sum and the linking below see the same records; one that arrives meanwhile stays
  // unlinked and is carried into the next hour.
  return inTransaction(ctx.prisma, async (tx) => {
    const cloud = await tx.cloudAccount.findUnique({ where: { id: cloudAccountId } });
    if (!cloud) return { created: 0 };
    const provider = cloud.provider as CloudProvider;
    const totals = await tx.$queryRaw<Totals[]>`
      SELECT u.item,
             sum(${meteredQuantity})::text AS quantity,
             count(*)::int AS records,
             count(*) FILTER (WHERE u.period_start < ${new Date(hourStart)})::int AS carried
      FROM usage_records u
      WHERE u.cloud_account_id = ${cloudAccountId}::uuid AND u.status = 'cloud' AND u.marketplace_report_id IS NULL
        AND u.period_start < ${hourEnd}
      GROUP BY u.item`;
    const known = await tx.$queryRaw<{ item: string }[]>`
      SELECT DISTINCT item FROM marketplace_reports WHERE cloud_account_id = ${cloudAccountId}::uuid`;
    // An hour closed after its deadline (the worker was down for hours) is recorded as late, not sent.
    const status = timeliness(provider, hourStart, now.getTime()) === 'refused_late' ? 'late' : 'pending';
    const records = hourlyRecords(
      provider,
      totals.map((t) => ({ item: t.item, quantity: t.quantity })),
      known.map((k) => k.item),
    ).filter((r) => status === 'pending' || !isZeroQuantity(r.quantity)); // a late zero tells finance nothing
    if (records.length === 0) return { created: 0 };
    const byItem = new Map(totals.map((t) => [t.item, t]));
    const created = await tx.$queryRaw<{ id: bigint; item: string }[]>`
      INSERT INTO marketplace_reports (cloud_account_id, account_id, provider, external_account_id, hour_start, item, quantity,
                                       reported_quantity, record_count, carried_over, status, deadline, created_at, last_error)
      SELECT ${cloudAccountId}::uuid, ${cloud.accountId}::uuid, ${provider}, ${cloud.externalAccountId}, ${new Date(hourStart)},
             item, q::numeric, rq, n, c, ${status}, ${new Date(deadlineOf(provider, hourStart))}, ${now},
             ${status === 'late' ? 'closed after the marketplace deadline: not sent' : null}
      FROM unnest(${records.map((r) => r.item)}::text[], ${records.map((r) => r.quantity)}::text[],
                  ${records.map((r) => reportedQuantity(provider, r.quantity))}::text[],
                  ${records.map((r) => byItem.get(r.item)?.records ?? 0)}::int[], ${records.map((r) => byItem.get(r.item)?.carried ?? 0)}::int[])
           AS x(item, q, rq, n, c)
      ON CONFLICT (cloud_account_id, hour_start, item) DO NOTHING
      RETURNING id, item`;
    if (created.length > 0) {
      await tx.$executeRaw`
        UPDATE usage_records u SET marketplace_report_id = r.id
        FROM unnest(${created.map((c) => c.id)}::bigint[], ${created.map((c) => c.item)}::text[]) AS r(id, item)
        WHERE u.cloud_account_id = ${cloudAccountId}::uuid AND u.status = 'cloud' AND u.marketplace_report_id IS NULL
          AND u.period_start < ${hourEnd} AND u.item = r.item`;
    }
    return { created: created.length };
  });
}


/**
 * Cloud accounts with usage that should have been closed into a report by now (its hour closed over a minute
 * ago) but was not: their metering workflow never started or was lost. The usage sweeper wakes them.
 */
export async function cloudAccountsWithStalledUsage(ctx: ServiceContext, now: Date): Promise<string[]> {
  // An hour closed over a minute ago when its end + CLOSE_DELAY_MS + 1 min has passed: such hours start before this.
  const closedBefore = new Date(hourOf(now.getTime() - HOUR_MS - CLOSE_DELAY_MS - 60_000) + HOUR_MS);
  // Per cloud account (a small table), so each probe is one range of the (cloud account, report, period) index.
  const rows = await ctx.prisma.$queryRaw<{ id: string }[]>`
    SELECT c.id::text FROM cloud_accounts c
    WHERE EXISTS (SELECT 1 FROM usage_records u
                  WHERE u.cloud_account_id = c.id AND u.marketplace_report_id IS NULL AND u.period_start < ${closedBefore}
                    AND u.status = 'cloud')`;
  return rows.map((r) => r.id);
}
