import { Context } from '@temporalio/activity';
import type { LifetimeStartsInput } from '../workflows/balance-source-contract.js';
import type { ServiceContext } from '../src/services/context.js';
import { startLifetimesResuming } from '../src/services/sales/lifetimes.js';
import type { Workflows } from '../src/temporal/workflows.js';
import { microBatch } from '../src/services/micro-batch.js';
import {
  expireBoundSources,
  expireUnusedSource,
  queueExpiryWarning,
  voucherHolder,
  warnVoucherHolder,
  sweepExpiredSources,
  type BoundSource,
  type SourceKind,
} from '../src/services/recharges/balance-source-lifetime.js';

/** Clearings that arrive within this long of each other (up to this many) share one transaction. */
const EXPIRY_BATCH = { windowMs: 10, maxItems: 200 };

export function balanceSourceActivities(services: ServiceContext, workflows: Workflows) {
  // Cards sold in one batch tend to expire in the same minute, and their lifetimes all clear at once.
  const expireBoundSource = microBatch((inputs: BoundSource[]) => expireBoundSources(services, inputs), EXPIRY_BATCH);
  return {
    /** Queues (once per expiry date) the warning email for a card or voucher with money left. */
    async warnBalanceSourceExpiry(input: { kind: SourceKind; sourceId: string; reference: string; accountId: string; expiresAt: number }) {
      return queueExpiryWarning(services, input);
    },
    /** Clears the remaining balance at expiry (idempotent: the expiry entry's key is permanent). */
    expireBalanceSource: (input: BoundSource) => expireBoundSource(input),
    endUnusedBalanceSource: (input: { kind: SourceKind; sourceId: string }) => expireUnusedSource(services, input),
    /** A voucher's lifetime, 3 days before its end: who holds it, and the warning queued for them if money remains. */
    warnVoucherExpiry: (input: { sourceId: string; reference: string; expiresAt: number }) => warnVoucherHolder(services, input),
    /** A voucher's lifetime at its end: clears what its holder has left, or ends it unused. */
    async expireVoucher(input: { sourceId: string }): Promise<{ accountId: string | null }> {
      const accountId = await voucherHolder(services, input.sourceId);
      if (accountId === null) await expireUnusedSource(services, { kind: 'voucher', sourceId: input.sourceId });
      else await expireBoundSource({ kind: 'voucher', sourceId: input.sourceId, accountId });
      return { accountId };
    },
    /** Clears every expired voucher and card still active (the schedule's sweep); heartbeats how many so far. */
    sweepExpiredBalanceSources: () => sweepExpiredSources(services, { onBatch: (swept) => Context.current().heartbeat(swept) }),
    /** Starts lifetimes an issuing request handed over; the heartbeat says how many are started, for a retry to skip. */
    async startBalanceSourceLifetimes(input: LifetimeStartsInput): Promise<void> {
      const context = Context.current();
      const from = typeof context.info.heartbeatDetails === 'number' ? context.info.heartbeatDetails : 0;
      await startLifetimesResuming(workflows, input.items, { from, reached: (done) => context.heartbeat(done) });
    },
  };
}
