import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { SearchAttributes } from '../../workflows/search-attributes.js';
import { usageArrived, type usageCharging } from '../../workflows/usage-charging.js';

/**
 * The one way the service starts or wakes workflows: readable ids, search attributes and a summary for the
 * operator, on the configured task queue. Callers say what they want in domain terms.
 */
export class Workflows {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** Told each workflow id started or woken (tests use it to clean up after themselves). */
    private readonly onStarted: (workflowId: string) => void = () => {},
  ) {}

  /** Creates the schedules the service runs on (kept if they exist: operators may have paused them). */
  async ensureSchedules(): Promise<void> {
    try {
      await this.client.schedule.create({
        scheduleId: 'usage-charging-sweeper',
        spec: { intervals: [{ every: '1 minute' }] },
        action: { type: 'startWorkflow', workflowType: 'usageChargingSweep', taskQueue: this.taskQueue, args: [] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        memo: { purpose: 'wakes usage charging that missed its signal' },
      });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
  }

  /** Wakes (or starts) the charging of each account's pending usage. */
  async chargeUsage(accountIds: readonly string[]): Promise<void> {
    await Promise.all(
      accountIds.map(async (accountId) => {
        const workflowId = `usage-charging/${accountId}`;
        await this.client.workflow.signalWithStart<typeof usageCharging>('usageCharging', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [accountId],
          signal: usageArrived,
          typedSearchAttributes: [{ key: SearchAttributes.accountId, value: accountId }],
          staticSummary: `Charges usage of account ${accountId}`,
        });
        this.onStarted(workflowId);
      }),
    );
  }
}
