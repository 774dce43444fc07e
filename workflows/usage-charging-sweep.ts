import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const { wakeStalledUsageCharging } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/**
 * Run every minute by the `usage-charging-sweeper` schedule: wakes the charging of any account whose usage
 * has waited too long, so a record stored while Temporal was unreachable is still charged within a minute.
 */
export async function usageChargingSweep(): Promise<number> {
  return wakeStalledUsageCharging();
}
