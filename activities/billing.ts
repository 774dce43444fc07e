import type { ServiceContext } from '../src/services/context.js';
import { issueBillsPage, type BillingPage } from '../src/services/billing/issue.js';

export function billingActivities(services: ServiceContext) {
  return {
    /**
     * Issues the missing bills (and due cloud statements) of one page of accounts as of `asOf` (ms); idempotent:
     * a page run again finds its bills there and makes none.
     */
    issueBillsPage: (input: { asOf: number; after: string | null; limit: number }): Promise<BillingPage> =>
      issueBillsPage(services, { asOf: new Date(input.asOf), after: input.after, limit: input.limit }),
  };
}
