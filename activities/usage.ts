import { limitConcurrency } from '../src/services/concurrency-limit.js';
import type { ServiceContext } from '../src/services/context.js';
import { accountsWithStalePendingUsage, chargePendingUsage } from '../src/services/usage/charge.js';
import { cloudAccountsWithStalledUsage } from '../src/services/marketplaces/metering-state.js';
import type { Workflows } from '../src/temporal/workflows.js';

/** Usage pending longer than this is assumed to have missed its wake-up signal. */
const STALLED_AFTER_MS = 30_000;
/**
 * Charging transactions one worker runs at once, below its database pool (10 beside the API, 20 alone): a wake-up round for hundreds of
 * accounts then waits here in order, rather than in the pool's queue, where the last ones gave up after 10 s
 * (P2028) and were retried by Temporal seconds later.
 */
const CHARGING_AT_ONCE = 8;

export function usageActivities(services: ServiceContext, workflows: Workflows) {
  const charge = limitConcurrency(CHARGING_AT_ONCE, (accountId: string) => chargePendingUsage(services, accountId));
  return {
    /** Charges the next batch of the account's pending usage; idempotent (a charged record is no longer pending). */
    chargePendingUsage: (accountId: string) => charge(accountId),
    /**
     * Signals the charging workflow of every account with stalled usage, and the marketplace metering of every
     * cloud account whose usage should have been reported by now; returns how many it woke.
     */
    async wakeStalledUsageCharging(): Promise<number> {
      const accounts = await accountsWithStalePendingUsage(services, STALLED_AFTER_MS);
      await workflows.chargeUsage(accounts);
      const cloudAccounts = await cloudAccountsWithStalledUsage(services, services.now());
      await workflows.meterMarketplace(cloudAccounts);
      return accounts.length + cloudAccounts.length;
    },
  };
}
