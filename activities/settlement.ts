import { ApplicationFailure } from '@temporalio/activity';
import type { ServiceContext } from '../src/services/context.js';
import {
  billingCenterCanPay,
  failSettlementChange,
  markSettlementChange,
  releaseStrayHeldUsage,
  switchSettlement,
  type Released,
} from '../src/services/settlement/progress.js';
import type { Workflows } from '../src/temporal/workflows.js';
import type { MeteringClosure } from '../workflows/marketplace-metering-contract.js';

/** What the workflow needs to know of how a change ended. */
export interface SettlementEnd {
  status: 'completed' | 'failed';
  emailKey: string;
}

export function settlementActivities(services: ServiceContext, workflows: Workflows) {
  /** Wakes whoever now has usage to charge or report, so released usage does not wait for the sweeper. */
  const wake = async (released: Released) => {
    await workflows.chargeUsage(released.accountsToCharge);
    await workflows.meterMarketplace(released.cloudAccountsToMeter);
  };
  return {
    markSettlementChange: (changeId: string, status: 'waiting' | 'closing') => markSettlementChange(services, changeId, status),
    billingCenterCanPay: (accountId: string) => billingCenterCanPay(services, accountId),
    /**
     * Closes the cloud side up to the cut-over: the cloud account's metering reports every hour before it and
     * answers what the marketplace did with them.
     */
    async closeCloudSettlement(cloudAccountId: string, cutoverAt: number): Promise<MeteringClosure> {
      try {
        return await workflows.reportMarketplaceHoursBefore(cloudAccountId, new Date(cutoverAt));
      } catch (error) {
        // The metering refused the request itself (the cut-over has not come by its clock): try again later.
        throw ApplicationFailure.retryable(`Metering of ${cloudAccountId} did not close the hours before ${new Date(cutoverAt).toISOString()}: ${(error as Error).message}`);
      }
    },
    async switchSettlement(changeId: string): Promise<SettlementEnd> {
      const outcome = await switchSettlement(services, changeId);
      await wake(outcome);
      return { status: outcome.change.status === 'failed' ? 'failed' : 'completed', emailKey: outcome.emailKey };
    },
    async failSettlementChange(changeId: string, code: string, reason: string): Promise<SettlementEnd> {
      const outcome = await failSettlementChange(services, changeId, { code, reason });
      await wake(outcome);
      return { status: outcome.change.status === 'completed' ? 'completed' : 'failed', emailKey: outcome.emailKey };
    },
    async releaseStrayHeldUsage(workspaceId: string): Promise<void> {
      await wake(await releaseStrayHeldUsage(services, workspaceId));
    },
  };
}
