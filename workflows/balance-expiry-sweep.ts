import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const { sweepExpiredBalanceSources } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Run every 30 s by the `balance-expiry-sweep` schedule: clears, in batches, every voucher and prepaid card
 * whose expiry has passed. Each one's lifetime clears it at its own timer too (the same idempotent clearing);
 * the sweep is what clears a burst of thousands expiring in the same minute within seconds.
 */
export async function balanceExpirySweep(): Promise<number> {
  return sweepExpiredBalanceSources();
}
