import type { ServiceContext } from '../src/services/context.js';
import { abandonRecharge, creditRecharge } from '../src/services/recharges/credit.js';
import type { Workflows } from '../src/temporal/workflows.js';

export function rechargeActivities(services: ServiceContext, workflows: Workflows) {
  return {
    /** Credits the recharge (idempotent by its business key) and completes it. */
    async creditRechargeStep(rechargeId: string) {
      const credited = await creditRecharge(services, rechargeId);
      // Dates do not survive the trip through Temporal's JSON: hand the workflow milliseconds.
      return { source: credited.source ? { ...credited.source, expiresAt: credited.source.expiresAt.getTime() } : null };
    },
    /** Compensation: gives the voucher or card back and ends the recharge as failed or cancelled. */
    abandonRechargeStep: (rechargeId: string, outcome: { status: 'failed' | 'cancelled'; code: string; reason: string }) =>
      abandonRecharge(services, rechargeId, outcome),
    /** Tells a card's or voucher's lifetime that it now carries a balance in this account. */
    async tellBalanceSourceBound(accountId: string, source: { kind: 'prepaid_card' | 'voucher'; reference: string; sourceId: string; expiresAt: number }) {
      const { kind, reference, sourceId } = source;
      await workflows.balanceSourceBound({ kind, reference, sourceId, expiresAt: null, accountId, boundExpiresAt: new Date(source.expiresAt) });
    },
  };
}
