import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/** Accounts per activity: one page's bills are a few set-based queries and one insert. */
export const BILLING_PAGE_SIZE = 500;
/**
 * Pages per run before continuing as new: each page adds six events, so a run's history stays near a hundred
 * events however many accounts there are (10,000 accounts: two runs of ten pages).
 */
export const PAGES_PER_RUN = 10;

export interface MonthlyBillsInput {
  /** The instant the run bills as of (ms); the workflow's start time unless given. Kept across continue-as-new. */
  asOf?: number;
  /** Continue after this account id (keyset); set by continue-as-new. */
  after?: string | null;
  pageSize?: number;
  /** What the earlier runs of this chain did. */
  totals?: MonthlyBillsTotals;
}

export interface MonthlyBillsTotals {
  accounts: number;
  bills: number;
  statements: number;
  /** Runs of the chain so far, this one included. */
  runs: number;
}

const { issueBillsPage } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // A running page heartbeats every few seconds: a worker lost mid-page is noticed this soon, and the page rerun.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * Started by the `monthly-bills` schedule every 15 minutes: walks every account, page by page, and issues the
 * bill of each account whose month has just closed in its own time zone (and, two hours later, the consolidated
 * statements of its cloud accounts). Whatever is already issued is skipped, so a retried or overlapping run,
 * or one after an outage, issues exactly what is missing.
 */
export async function monthlyBills(input: MonthlyBillsInput = {}): Promise<MonthlyBillsTotals> {
  const asOf = input.asOf ?? Date.now();
  const pageSize = input.pageSize ?? BILLING_PAGE_SIZE;
  let after = input.after ?? null;
  const totals = { ...(input.totals ?? { accounts: 0, bills: 0, statements: 0, runs: 1 }) };
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const result = await issueBillsPage({ asOf, after, limit: pageSize });
    totals.accounts += result.accounts;
    totals.bills += result.bills;
    totals.statements += result.statements;
    if (result.nextAfter === null) return totals;
    after = result.nextAfter;
  }
  return continueAsNew<typeof monthlyBills>({ asOf, after, pageSize, totals: { ...totals, runs: totals.runs + 1 } });
}
