import { MarketplaceRefused, type Entitlement } from '../src/marketplaces/marketplace.js';
import type { Marketplaces } from '../src/marketplaces/marketplaces.js';
import type { CloudProvider } from '../src/domain/identity/cloud-account-id.js';
import { closeHour } from '../src/services/marketplaces/close-hour.js';
import { meteringState } from '../src/services/marketplaces/metering-state.js';
import { submitPendingReports } from '../src/services/marketplaces/submit-reports.js';
import type { ServiceContext } from '../src/services/context.js';
import { ApplicationFailure } from '@temporalio/activity';

export function marketplaceActivities(services: ServiceContext, marketplaces: Marketplaces) {
  return {
    /** Closes one hour of a cloud account into its report rows; `at` is the workflow's time. Idempotent. */
    closeMarketplaceHour: (cloudAccountId: string, hourStart: number, at: number) => closeHour(services, cloudAccountId, hourStart, new Date(at)),
    /** Sends what is pending and records every outcome; never throws for what the marketplace said. */
    submitMarketplaceReports: (cloudAccountId: string, at: number) => submitPendingReports(services, marketplaces, cloudAccountId, new Date(at)),
    marketplaceMeteringState: (cloudAccountId: string) => meteringState(services, cloudAccountId),
    /**
     * Whether the cloud account may be metered at its marketplace (the settlement migration's validation).
     * A refusal is an answer (`entitled: false`); an outage is retried like any failed activity.
     */
    async checkMarketplaceEntitlement(cloudAccountId: string): Promise<Entitlement> {
      const cloud = await services.prisma.cloudAccount.findUnique({ where: { id: cloudAccountId } });
      if (!cloud) throw ApplicationFailure.nonRetryable(`Cloud account ${cloudAccountId} does not exist.`, 'CloudAccountNotFound');
      const provider = cloud.provider as CloudProvider;
      try {
        return await marketplaces[provider].checkEntitlement({ provider, externalAccountId: cloud.externalAccountId });
      } catch (error) {
        if (error instanceof MarketplaceRefused && error.code !== 'not_configured') return { entitled: false, reason: error.message };
        throw error;
      }
    },
  };
}
