import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DeliveryCounts } from '../src/services/notifications/deliver.js';

/** At most this many messages per run; the rest go out on the next run, 30 s later. */
export const OUTBOX_BATCH = 200;

const { deliverPendingEmails } = proxyActivities<Activities>({
  // Room for a full batch of slow SMTP sends; the heartbeat (one per message) notices a dead worker sooner.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  // The next scheduled run tries again anyway; these retries only cover a worker lost mid-run.
  retry: { maximumAttempts: 3 },
});

/**
 * Run every 30 s by the `outbox-delivery` schedule: sends every email queued in the outbox (balance alerts
 * queued by the ledger, card expiry warnings, ...), so they go out without anyone asking.
 */
export async function outboxDelivery(): Promise<DeliveryCounts> {
  return deliverPendingEmails(OUTBOX_BATCH);
}
