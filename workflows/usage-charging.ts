import { condition, continueAsNew, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

/** Sent whenever new usage for the account is stored (with signal-with-start, so it also starts the workflow). */
export const usageArrived = defineSignal('usageArrived');

const { chargePendingUsage } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** How long the workflow waits for more usage before it ends (the next record starts it again). */
const IDLE = '10 minutes';

/**
 * `usage-charging/<accountId>`: charges an account's pending usage, batch after batch, whenever usage
 * arrives. One per account, so charges of one account never race each other; the ledger's account lock
 * keeps them exact even if they did.
 */
export async function usageCharging(accountId: string): Promise<void> {
  let arrived = true;
  setHandler(usageArrived, () => {
    arrived = true;
  });
  while (!workflowInfo().continueAsNewSuggested) {
    if (!(await condition(() => arrived, IDLE))) return;
    arrived = false;
    for (;;) {
      const { more } = await chargePendingUsage(accountId);
      if (!more) break;
    }
  }
  await continueAsNew<typeof usageCharging>(accountId);
}
