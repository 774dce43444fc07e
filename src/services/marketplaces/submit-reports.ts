import type { CloudProvider } from '../../domain/identity/cloud-account-id.js';
import { batches, MARKETPLACE_RULES, timeliness } from '../../domain/marketplaces/rules.js';
import { MarketplaceRefused, MarketplaceThrottled, MarketplaceUnavailable, type MarketplaceCustomer, type RecordOutcome } from '../../marketplaces/marketplace.js';
import type { Marketplaces } from '../../marketplaces/marketplaces.js';
import type { ServiceContext } from '../context.js';

/**
 * Sends a cloud account's pending hourly reports to its marketplace, planned by the provider's rules:
 * batches of its size, AWS's entitlement check first, Alibaba's one push a minute. Every outcome is written
 * on the report row before this returns, so a retry sends only what is still pending, and what a retry does
 * send again is recognised by the marketplace (same hour and item, same quantity): nothing is reported twice.
 * Reports past their deadline become `late` and refused ones `refused`, with the reason: finance lists both.
 */

export interface SubmitResult {
  reported: number;
  late: number;
  refused: number;
  /** Reports still pending (a marketplace outage or pacing). */
  pending: number;
  /** When to try again (ms from now), if anything is pending. */
  retryInMs: number | null;
}

/** How long to wait after an outage before trying again; deadlines are hours away, so a minute costs nothing. */
export const RETRY_AFTER_OUTAGE_MS = 60_000;

interface PendingReport {
  id: bigint;
  hourStart: Date;
  item: string;
  reportedQuantity: string;
  provider: string;
  externalAccountId: string;
}

export async function submitPendingReports(ctx: ServiceContext, marketplaces: Marketplaces, cloudAccountId: string, now: Date): Promise<SubmitResult> {
  const result: SubmitResult = { reported: 0, late: 0, refused: 0, pending: 0, retryInMs: null };
  const pending: PendingReport[] = await ctx.prisma.marketplaceReport.findMany({
    where: { cloudAccountId, status: 'pending' },
    orderBy: [{ hourStart: 'asc' }, { item: 'asc' }],
    select: { id: true, hourStart: true, item: true, reportedQuantity: true, provider: true, externalAccountId: true },
  });
  if (pending.length === 0) return result;
  const provider = pending[0]!.provider as CloudProvider;
  const customer: MarketplaceCustomer = { provider, externalAccountId: pending[0]!.externalAccountId };
  const marketplace = marketplaces[provider];

  const mark = async (ids: bigint[], status: 'late' | 'refused', reason: string) => {
    await ctx.prisma.marketplaceReport.updateMany({ where: { id: { in: ids }, status: 'pending' }, data: { status, lastError: reason.slice(0, 500) } });
    result[status] += ids.length;
  };
  const failed = async (ids: bigint[], reason: string) => {
    await ctx.prisma.marketplaceReport.updateMany({ where: { id: { in: ids }, status: 'pending' }, data: { attempts: { increment: 1 }, lastError: reason.slice(0, 500) } });
  };

  // Past the deadline by our clock: the marketplace would refuse it; say so rather than send it.
  const expired = pending.filter((r) => timeliness(provider, r.hourStart.getTime(), now.getTime()) === 'refused_late');
  if (expired.length > 0) await mark(expired.map((r) => r.id), 'late', `not taken by the ${provider} marketplace before its deadline`);
  let sendable = pending.filter((r) => !expired.includes(r));

  try {
    if (sendable.length > 0 && MARKETPLACE_RULES[provider].checksEntitlement) {
      const entitlement = await marketplace.checkEntitlement(customer);
      if (!entitlement.entitled) {
        await mark(sendable.map((r) => r.id), 'refused', entitlement.reason);
        sendable = [];
      }
    }
    const calls = batches(provider, sendable);
    for (const [index, batch] of calls.entries()) {
      // One call per account per interval where the provider limits it: the rest waits for the next round.
      if (index > 0 && MARKETPLACE_RULES[provider].minIntervalPerAccountMs > 0) {
        result.retryInMs = MARKETPLACE_RULES[provider].minIntervalPerAccountMs;
        break;
      }
      let outcomes: RecordOutcome[];
      try {
        outcomes = await marketplace.meter(
          customer,
          batch.map((r) => ({ ref: r.id.toString(), hourStart: r.hourStart.getTime(), item: r.item, quantity: r.reportedQuantity })),
        );
      } catch (error) {
        if (!(error instanceof MarketplaceRefused)) throw error;
        // Not configured is the operator's to fix, not the customer's: kept pending and retried.
        if (error.code === 'not_configured') throw new MarketplaceUnavailable(error.message);
        await mark(batch.map((r) => r.id), error.code === 'too_late' ? 'late' : 'refused', error.message);
        continue;
      }
      for (const outcome of outcomes) {
        const id = BigInt(outcome.ref);
        if (outcome.status === 'accepted') {
          await ctx.prisma.marketplaceReport.updateMany({
            where: { id, status: 'pending' },
            data: { status: 'reported', reportedAt: now, marketplaceRecordId: outcome.marketplaceRecordId, attempts: { increment: 1 }, lastError: null },
          });
          result.reported += 1;
        } else {
          await mark([id], 'refused', outcome.reason);
        }
      }
    }
  } catch (error) {
    if (error instanceof MarketplaceThrottled) {
      result.retryInMs = error.retryAfterMs;
    } else if (error instanceof MarketplaceUnavailable) {
      await failed(sendable.map((r) => r.id), error.message);
      result.retryInMs = RETRY_AFTER_OUTAGE_MS;
    } else if (error instanceof MarketplaceRefused && error.code === 'not_configured') {
      await failed(sendable.map((r) => r.id), error.message);
      result.retryInMs = RETRY_AFTER_OUTAGE_MS;
    } else if (error instanceof MarketplaceRefused) {
      // The entitlement check itself refused (the account is refused): nothing of it can be reported.
      await mark(sendable.map((r) => r.id), 'refused', error.message);
    } else {
      throw error;
    }
  }
  result.pending = await ctx.prisma.marketplaceReport.count({ where: { cloudAccountId, status: 'pending' } });
  if (result.pending === 0) result.retryInMs = null;
  else result.retryInMs ??= RETRY_AFTER_OUTAGE_MS;
  return result;
}
