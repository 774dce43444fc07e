import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { LifetimeStartsInput } from './balance-source-contract.js';

const { startBalanceSourceLifetimes } = proxyActivities<Activities>({
  // A thousand starts take tens of seconds on the embedded dev server; the heartbeat carries the progress,
  // so a retry after a worker crash goes on where the last one stopped.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * `lifetime-starts/<issue>/<first reference>`: starts the lifetime workflows that an issuing request handed
 * over because it could not start them all before answering. Without it, those starts would live only in the
 * memory of the API process that answered, and an unused card with a fixed end would never be ended if that
 * process died.
 */
export async function lifetimeStarts(input: LifetimeStartsInput): Promise<void> {
  await startBalanceSourceLifetimes(input);
}
