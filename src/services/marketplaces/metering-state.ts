import { CLOSE_DELAY_MS, HOUR_MS, hourOf } from '../../domain/marketplaces/rules.js';
import type { ServiceContext } from '../context.js';

/** Where a cloud account's metering stands: what the workflow needs to start, go on or end, and the sweeper to wake it. */

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
