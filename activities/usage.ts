import type { ServiceContext } from '../src/services/context.js';
import { chargePendingUsage } from '../src/services/usage/charge.js';

export function usageActivities(services: ServiceContext) {
  return {
    /** Charges the next batch of the account's pending usage; idempotent (a charged record is no longer pending). */
    chargePendingUsage: (accountId: string) => chargePendingUsage(services, accountId),
  };
}
