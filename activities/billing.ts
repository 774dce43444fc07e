import { Context } from '@temporalio/activity';
import type { ServiceContext } from '../src/services/context.js';
import { issueBillsPage, type BillingPage } from '../src/services/billing/issue.js';

/** How often a running page says it is alive: well inside the workflow's heartbeat timeout (30 s). */
const ALIVE_EVERY_MS = 5_000;

export function billingActivities(services: ServiceContext) {
  return {
    /**
     * Issues the missing bills (and due cloud statements) of one page of accounts as of `asOf` (ms); idempotent:
     * a page run again finds its bills there and makes none. It heartbeats while it runs, however long one query
     * takes, so a worker that dies mid-page is noticed in seconds and the page is run again elsewhere.
     */
    async issueBillsPage(input: { asOf: number; after: string | null; limit: number }): Promise<BillingPage> {
      const context = Context.current();
      const alive = setInterval(() => context.heartbeat(), ALIVE_EVERY_MS);
      try {
        return await issueBillsPage(services, { asOf: new Date(input.asOf), after: input.after, limit: input.limit });
      } finally {
        clearInterval(alive);
      }
    },
  };
}
