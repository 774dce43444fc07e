import { inTransaction } from '../../db/transaction.js';
import type { CloudProvider } from '../../domain/identity/cloud-account-id.js';
import { deadlineOf, HOUR_MS, hourlyRecords, reportedQuantity, timeliness } from '../../domain/marketplaces/rules.js';
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
