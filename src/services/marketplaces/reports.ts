import { Prisma } from '../../db/generated/client.js';
import { canonicalQuantity } from '../../domain/marketplaces/quantity.js';
import { notFound } from '../../domain/errors.js';
import type { ServiceContext } from '../context.js';
import { meteredQuantity } from './metered-quantity.js';

export type ReportStatus = 'pending' | 'reported' | 'late' | 'refused';

export interface ReportSource {
  workspaceId: string;
  site: string;
  quantity: string;
  records: number;
}

export interface MarketplaceReportLine {
  id: bigint;
  cloudAccountId: string;
  accountId: string;
  provider: string;
  externalAccountId: string;
  hourStart: Date;
  item: string;
  quantity: string;
  reportedQuantity: string;
  recordCount: number;
  carriedOver: number;
  status: ReportStatus;
  deadline: Date;
  attempts: number;
  lastError: string | null;
  marketplaceRecordId: string | null;
  reportedAt: Date | null;
  /** The workspaces and sites whose usage the report consolidates. */
  sources: ReportSource[];
}

/**
 * Hourly marketplace reports, newest hour first, each with the workspaces and sites it consolidates (traced
 * through the usage records it carries). Finance lists `late` and `refused` ones to follow up.
 */
export async function listMarketplaceReports(
  ctx: ServiceContext,
  filter: { status?: ReportStatus; cloudAccountId?: string; accountId?: string; limit: number; after?: { at: Date; id: bigint } },
): Promise<MarketplaceReportLine[]> {
  const { after } = filter;
  const rows = await ctx.prisma.marketplaceReport.findMany({
    where: {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.cloudAccountId ? { cloudAccountId: filter.cloudAccountId } : {}),
      ...(filter.accountId ? { accountId: filter.accountId } : {}),
      ...(after ? { OR: [{ hourStart: { lt: after.at } }, { hourStart: after.at, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ hourStart: 'desc' }, { id: 'desc' }],
    take: filter.limit + 1,
  });
  const ids = rows.map((r) => r.id);
  const sources = ids.length
    ? await ctx.prisma.$queryRaw<(ReportSource & { report_id: bigint; workspace_id: string })[]>`
        SELECT u.marketplace_report_id AS report_id, u.workspace_id, u.site,
               sum(${meteredQuantity})::text AS quantity, count(*)::int AS records
        FROM usage_records u WHERE u.marketplace_report_id IN (${Prisma.join(ids)})
        GROUP BY u.marketplace_report_id, u.workspace_id, u.site ORDER BY u.workspace_id, u.site`
    : [];
  return rows.map((row) => ({
    id: row.id,
    cloudAccountId: row.cloudAccountId,
    accountId: row.accountId,
    provider: row.provider,
    externalAccountId: row.externalAccountId,
    hourStart: row.hourStart,
    item: row.item,
    quantity: canonicalQuantity(row.quantity.toFixed()),
    reportedQuantity: row.reportedQuantity,
    recordCount: row.recordCount,
    carriedOver: row.carriedOver,
    status: row.status as ReportStatus,
    deadline: row.deadline,
    attempts: row.attempts,
    lastError: row.lastError,
    marketplaceRecordId: row.marketplaceRecordId,
    reportedAt: row.reportedAt,
    sources: sources
      .filter((s) => s.report_id === row.id)
      .map((s) => ({ workspaceId: s.workspace_id, site: s.site, quantity: canonicalQuantity(s.quantity), records: s.records })),
  }));
}

/** The reports of one of the customer's own cloud accounts; another account's (or an unknown) one is not found. */
export async function listOwnMarketplaceReports(
  ctx: ServiceContext,
  accountId: string,
  cloudAccountId: string,
  options: { status?: ReportStatus; limit: number; after?: { at: Date; id: bigint } },
): Promise<MarketplaceReportLine[]> {
  const owned = await ctx.prisma.cloudAccount.findFirst({ where: { id: cloudAccountId, accountId }, select: { id: true } });
  if (!owned) throw notFound('Cloud account');
  return listMarketplaceReports(ctx, { ...options, accountId, cloudAccountId });
}
