import { Prisma } from '../../db/generated/client.js';
import type { Tx } from '../../db/transaction.js';
import type { BalanceSourceKind, JournalEntryKind } from '../../domain/ledger/index.js';
import { canonicalQuantity } from '../../domain/marketplaces/quantity.js';
import type { BillingMonth } from '../../domain/billing/period.js';
import { meteredQuantity } from '../marketplaces/metered-quantity.js';
import { groupBy } from './group-by.js';
import { composeAccountBill, type AccountBillContent, type CloudStatementContent, type StatementLine } from './content.js';

/**
 * Reads what the bills of several accounts (or cloud accounts) sharing one period say, a few set-based queries
 * for all of them. Run inside one REPEATABLE READ transaction, so totals and line items come from one snapshot.
 */

export async function accountBillContents(tx: Tx, accountIds: readonly string[], period: BillingMonth): Promise<Map<string, AccountBillContent>> {
  const ids = [...accountIds];
  // Sums as text: a sum of bigints is a numeric that may outgrow a bigint; BigInt reads it exactly.
  const sums = await tx.$queryRaw<{ account_id: string; source: BalanceSourceKind; bucket: 'opening' | JournalEntryKind; net: string }[]>`
    SELECT la.account_id::text AS account_id, la.source,
           CASE WHEN e.occurred_at < ${period.start}::timestamptz THEN 'opening' ELSE e.kind END AS bucket,
           sum(p.amount_minor)::text AS net
    FROM ledger_accounts la
    JOIN postings p ON p.ledger_account_id = la.id
    JOIN journal_entries e ON e.id = p.entry_id
    WHERE la.account_id = ANY(${ids}::uuid[]) AND e.occurred_at < ${period.end}::timestamptz
    GROUP BY 1, 2, 3`;
  // Each charge's amount is what its postings took from the account's sources; its record (found through the
  // entry's own details, a primary-key lookup, and checked against the record's entry) names workspace and item.
  const charges = await tx.$queryRaw<
    { account_id: string; workspace_id: string | null; site: string | null; item: string | null; unit: string | null; quantity: string | null; net: string; records: number }[]
  >`
    WITH charges AS (
      SELECT e.id, e.account_id, e.details->>'usageRecordId' AS record_id, sum(p.amount_minor) AS net
      FROM journal_entries e
      JOIN postings p ON p.entry_id = e.id
      JOIN ledger_accounts la ON la.id = p.ledger_account_id AND la.account_id = e.account_id
      WHERE e.account_id = ANY(${ids}::uuid[]) AND e.kind = 'usage_charge'
        AND e.occurred_at >= ${period.start}::timestamptz AND e.occurred_at < ${period.end}::timestamptz
      GROUP BY e.id, e.account_id
    )
    SELECT c.account_id::text AS account_id, u.workspace_id, u.site, u.item, u.unit,
           sum(u.quantity)::text AS quantity, sum(c.net)::text AS net, count(*)::int AS records
    FROM charges c LEFT JOIN usage_records u ON u.id = c.record_id AND u.entry_id = c.id
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5`;

  // Once a month per account, through marketplace_reports(account_id, hour_start): which cloud accounts its statements
  // are due for, including one unbound since (the statement run only finds bound ones in cloud_accounts).
  const reportedTo = await tx.$queryRaw<{ account_id: string; cloud_account_id: string }[]>`
    SELECT DISTINCT account_id::text AS account_id, cloud_account_id::text AS cloud_account_id
    FROM marketplace_reports
    WHERE account_id = ANY(${ids}::uuid[]) AND hour_start >= ${period.start}::timestamptz AND hour_start < ${period.end}::timestamptz
    ORDER BY 1, 2`;

  const sumsOf = groupBy(sums, (row) => row.account_id);
  const chargesOf = groupBy(charges, (row) => row.account_id);
  const reportedToOf = groupBy(reportedTo, (row) => row.account_id);
  const contents = new Map<string, AccountBillContent>();
  for (const accountId of ids) {
    contents.set(
      accountId,
      composeAccountBill(
        (sumsOf.get(accountId) ?? []).map((row) => ({ source: row.source, bucket: row.bucket, net: BigInt(row.net) })),
        (chargesOf.get(accountId) ?? []).map((row) => ({
          workspaceId: row.workspace_id,
          site: row.site,
          item: row.item,
          unit: row.unit,
          quantity: row.quantity === null ? null : canonicalQuantity(row.quantity),
          net: BigInt(row.net),
          records: row.records,
        })),
        (reportedToOf.get(accountId) ?? []).map((row) => row.cloud_account_id),
      ),
    );
  }
  return contents;
}


/**
 * Consolidated statements of cloud accounts for one period: per billing item, the hours reported, what they
 * metered and what the marketplace took, how many ended reported, late or refused, and the workspaces and sites
 * they came from. Cloud accounts without reports in the period get none.
 */
export async function cloudStatementContents(tx: Tx, cloudAccountIds: readonly string[], period: BillingMonth): Promise<Map<string, CloudStatementContent>> {
  const ids = [...cloudAccountIds];
  const items = await tx.$queryRaw<
    { cloud_account_id: string; provider: string; external_account_id: string; item: string; hours: number; quantity: string; reported_quantity: string; records: number; reported: number; late: number; refused: number; pending: number }[]
  >`
    SELECT r.cloud_account_id::text AS cloud_account_id, r.provider, r.external_account_id, r.item, count(*)::int AS hours, sum(r.quantity)::text AS quantity,
           coalesce(sum(r.reported_quantity::numeric) FILTER (WHERE r.status = 'reported'), 0)::text AS reported_quantity,
           sum(r.record_count)::int AS records,
           count(*) FILTER (WHERE r.status = 'reported')::int AS reported,
           count(*) FILTER (WHERE r.status = 'late')::int AS late,
           count(*) FILTER (WHERE r.status = 'refused')::int AS refused,
           count(*) FILTER (WHERE r.status = 'pending')::int AS pending
    FROM marketplace_reports r
    WHERE r.cloud_account_id = ANY(${ids}::uuid[]) AND r.hour_start >= ${period.start}::timestamptz AND r.hour_start < ${period.end}::timestamptz
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 4`;
  const sources = items.length
    ? await tx.$queryRaw<{ cloud_account_id: string; item: string; workspace_id: string; site: string; quantity: string; records: number }[]>`
        SELECT r.cloud_account_id::text AS cloud_account_id, r.item, u.workspace_id, u.site,
               sum(${meteredQuantity})::text AS quantity, count(*)::int AS records
        FROM marketplace_reports r JOIN usage_records u ON u.marketplace_report_id = r.id
        WHERE r.cloud_account_id = ANY(${ids}::uuid[]) AND r.hour_start >= ${period.start}::timestamptz AND r.hour_start < ${period.end}::timestamptz
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4`
    : [];

  const itemsOf = groupBy(items, (row) => row.cloud_account_id);
  const sourcesOf = groupBy(sources, (source) => `${source.cloud_account_id}/${source.item}`);
  const contents = new Map<string, CloudStatementContent>();
  for (const id of ids) {
    const rows = itemsOf.get(id) ?? [];
    // What a statement names the cloud account by comes from its reports: it outlives an unbinding.
    const first = rows[0];
    if (!first) continue;
    const lines: StatementLine[] = rows.map((row) => ({
      item: row.item,
      hours: row.hours,
      quantity: canonicalQuantity(row.quantity),
      reportedQuantity: canonicalQuantity(row.reported_quantity),
      records: row.records,
      reports: { reported: row.reported, late: row.late, refused: row.refused, pending: row.pending },
      sources: (sourcesOf.get(`${id}/${row.item}`) ?? []).map((source) => ({ workspaceId: source.workspace_id, site: source.site, quantity: canonicalQuantity(source.quantity), records: source.records })),
    }));
    contents.set(id, { kind: 'cloud_account', cloudAccountId: id, provider: first.provider, externalAccountId: first.external_account_id, lines });
  }
  return contents;
}

export const snapshot = { isolation: Prisma.TransactionIsolationLevel.RepeatableRead };
