import {
  ApplicationFailure,
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type ScheduleOptions,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { DomainError } from '../domain/errors.js';
import type { TicketState } from '../domain/tickets/machine.js';
import {
  sourceBound,
  sourceExtended,
  sourceRevoked,
  LIFETIME_STARTS_PER_WORKFLOW,
  type BalanceSourceLifetimeInput,
} from '../../workflows/balance-source-contract.js';
import { cancelRecharge, paymentNotified, type PaymentEvent, type RechargeInput, type RechargeStatus } from '../../workflows/recharge-contract.js';
import { SearchAttributes } from '../../workflows/search-attributes.js';
import { describeTarget } from '../domain/settlement/routing.js';
import type { SettlementChangeInput } from '../../workflows/settlement-change-contract.js';
import { actOnTicket, type TicketInput, type TicketRequest } from '../../workflows/ticket-contract.js';
import { usageArrived, type usageCharging } from '../../workflows/usage-charging.js';
import {
  marketplaceUsageArrived,
  reportHoursBefore,
  type MarketplaceMeteringInput,
  type MeteringClosure,
} from '../../workflows/marketplace-metering-contract.js';

/** Workflow ids a person can read and type. */
export const workflowIds = {
  usageCharging: (accountId: string) => `usage-charging/${accountId}`,
  recharge: (rechargeId: string) => `recharge/${rechargeId}`,
  prepaidCard: (cardNo: string) => `prepaid-card/${cardNo}`,
  voucher: (code: string) => `voucher/${code}`,
  ticket: (no: string) => `ticket/${no}`,
  marketplaceMetering: (cloudAccountId: string) => `marketplace-metering/${cloudAccountId}`,
  lifetimeStarts: (issue: string, firstReference: string) => `lifetime-starts/${issue}/${firstReference}`,
  settlementChange: (workspaceId: string, changeId: string) => `settlement/${workspaceId}/${changeId}`,
};

const lifetimeId = (input: { kind: 'prepaid_card' | 'voucher'; reference: string }) =>
  input.kind === 'prepaid_card' ? workflowIds.prepaidCard(input.reference) : workflowIds.voucher(input.reference);

/**
 * The one way the service starts, wakes or talks to workflows: readable ids, search attributes and a summary
 * for the operator, on the configured task queue. Callers say what they want in domain terms.
 */
export class Workflows {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** Told each workflow id started or woken (tests use it to clean up after themselves). */
    private readonly onStarted: (workflowId: string) => void = () => {},
  ) {}

  /** Starts a workflow under its id; one already started under that id (a retried request) is left as it is. */
  private async startOnce(workflowType: string, options: Omit<WorkflowStartOptions, 'taskQueue'>): Promise<void> {
    try {
      await this.client.workflow.start(workflowType, { ...options, taskQueue: this.taskQueue });
    } catch (error) {
      if ((error as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw error;
    }
    this.onStarted(options.workflowId);
  }

  /** Creates the schedules the service runs on (kept if they exist: operators may have paused them). */
  async ensureSchedules(): Promise<void> {
    const schedules: ScheduleOptions[] = [
      {
        scheduleId: 'usage-charging-sweeper',
        spec: { intervals: [{ every: '1 minute' }] },
        action: { type: 'startWorkflow', workflowType: 'usageChargingSweep', taskQueue: this.taskQueue, args: [] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        memo: { purpose: 'wakes usage charging that missed its signal' },
      },
      {
        scheduleId: 'balance-expiry-sweep',
        spec: { intervals: [{ every: '30 seconds' }] },
        action: { type: 'startWorkflow', workflowType: 'balanceExpirySweep', taskQueue: this.taskQueue, args: [] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        memo: { purpose: 'clears expired vouchers and prepaid cards in batches, ahead of their lifetimes' },
      },
      {
        scheduleId: 'outbox-delivery',
        spec: { intervals: [{ every: '30 seconds' }] },
        action: { type: 'startWorkflow', workflowType: 'outboxDelivery', taskQueue: this.taskQueue, args: [] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        memo: { purpose: 'sends the emails waiting in the outbox' },
      },
      {
        // Every offset in use is a multiple of 15 minutes, so some run falls on every zone's local midnight; a
        // minute after it, so that entries whose transactions began before midnight have committed (a transaction
        // lives at most 30 s). Each run issues what is missing, so a run missed in an outage is caught up next time.
        scheduleId: 'monthly-bills',
        spec: { intervals: [{ every: '15 minutes', offset: '1 minute' }] },
        // Runs show as `monthly-bills-<scheduled time>` in the UI.
        action: { type: 'startWorkflow', workflowType: 'monthlyBills', workflowId: 'monthly-bills', taskQueue: this.taskQueue, args: [] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        memo: { purpose: "issues each account's bill when its month closes in its time zone" },
      },
    ];
    for (const schedule of schedules) {
      try {
        await this.client.schedule.create(schedule);
      } catch (error) {
        if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      }
    }
  }

  /** Wakes (or starts) the charging of each account's pending usage. */
  async chargeUsage(accountIds: readonly string[]): Promise<void> {
    await Promise.all(
      accountIds.map(async (accountId) => {
        const workflowId = workflowIds.usageCharging(accountId);
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

  /**
   * Makes sure each cloud account's marketplace metering runs (signal-with-start: a running one is only told,
   * a finished one starts again and picks up where its reports end).
   */
  async meterMarketplace(cloudAccountIds: readonly string[]): Promise<void> {
    await Promise.all(
      cloudAccountIds.map(async (cloudAccountId) => {
        const workflowId = workflowIds.marketplaceMetering(cloudAccountId);
        const input: MarketplaceMeteringInput = { cloudAccountId };
        await this.client.workflow.signalWithStart('marketplaceMetering', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [input],
          signal: marketplaceUsageArrived,
          staticSummary: `Reports usage of cloud account ${cloudAccountId} to its marketplace, hour by hour`,
        });
        this.onStarted(workflowId);
      }),
    );
  }

  /**
   * Reports every hour of the cloud account before `cutover` (an hour boundary that has passed) now, and
   * answers what became of them once none is pending: the settlement migration's closing of the cloud side.
   */
  async reportMarketplaceHoursBefore(cloudAccountId: string, cutover: Date): Promise<MeteringClosure> {
    await this.meterMarketplace([cloudAccountId]);
    return this.client.workflow.getHandle(workflowIds.marketplaceMetering(cloudAccountId)).executeUpdate(reportHoursBefore, { args: [cutover.getTime()] });
  }

  /** Starts `recharge/<id>`; starting it again (a retried request) is harmless. */
  async startRecharge(input: RechargeInput): Promise<void> {
    await this.startOnce('recharge', {
      workflowId: workflowIds.recharge(input.rechargeId),
      args: [input],
      typedSearchAttributes: [
        { key: SearchAttributes.accountId, value: input.accountId },
        { key: SearchAttributes.rechargeMethod, value: input.method },
        { key: SearchAttributes.businessStatus, value: 'pending' },
      ],
      staticSummary: `${input.method.replace('_', ' ')} recharge ${input.rechargeId} of account ${input.accountId}`,
    });
  }

  /** Waits up to `timeoutMs` for a recharge to finish; undefined if it is still running then. */
  async rechargeResult(rechargeId: string, timeoutMs: number): Promise<RechargeStatus | undefined> {
    const handle = this.client.workflow.getHandle(workflowIds.recharge(rechargeId));
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
    return Promise.race([handle.result() as Promise<RechargeStatus>, timeout]);
  }

  /** Hands a verified gateway notification to its recharge; false when that recharge has already ended. */
  async notifyPayment(rechargeId: string, event: PaymentEvent): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(workflowIds.recharge(rechargeId)).signal(paymentNotified, event);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /** Asks a pending cash recharge to cancel; the workflow validates and answers the status it ends in. */
  async cancelRecharge(rechargeId: string): Promise<RechargeStatus> {
    return this.client.workflow.getHandle(workflowIds.recharge(rechargeId)).executeUpdate(cancelRecharge);
  }

  /**
   * Hands lifetimes an issuing request could not start before answering to durable workflows, at most
   * LIFETIME_STARTS_PER_WORKFLOW each. A chunk is named by its first item, so the same hand-over sent again
   * while the first is still running is the same workflow; starting a lifetime twice is harmless anyway.
   */
  async handOverLifetimeStarts(issue: string, items: readonly BalanceSourceLifetimeInput[]): Promise<void> {
    for (let from = 0; from < items.length; from += LIFETIME_STARTS_PER_WORKFLOW) {
      const chunk = items.slice(from, from + LIFETIME_STARTS_PER_WORKFLOW);
      await this.startOnce('lifetimeStarts', {
        workflowId: workflowIds.lifetimeStarts(issue, chunk[0]!.reference),
        args: [{ issue, items: chunk }],
        staticSummary: `Starts ${chunk.length} lifetimes of ${issue}`,
      });
    }
  }

  /** Starts the lifetime of a newly issued card or voucher. */
  async startBalanceSourceLifetime(input: BalanceSourceLifetimeInput): Promise<void> {
    await this.startOnce('balanceSourceLifetime', {
      workflowId: lifetimeId(input),
      args: [input],
      typedSearchAttributes: [
        ...(input.kind === 'prepaid_card'
          ? [{ key: SearchAttributes.cardNo, value: input.reference }]
          : [{ key: SearchAttributes.voucherCode, value: input.reference }]),
        { key: SearchAttributes.businessStatus, value: 'issued' },
        ...(input.expiresAt === null ? [] : [{ key: SearchAttributes.expiresAt, value: new Date(input.expiresAt) }]),
      ],
      staticSummary: `${input.kind === 'prepaid_card' ? 'Prepaid card' : 'Voucher'} ${input.reference}`,
    });
  }

  /**
   * Tells a card's or voucher's lifetime that it now carries a balance. With signal-with-start, so a lifetime
   * that was never started (its start at issue failed) starts now rather than leaving the balance unwatched.
   */
  async balanceSourceBound(input: BalanceSourceLifetimeInput & { accountId: string; boundExpiresAt: Date }): Promise<void> {
    const workflowId = lifetimeId(input);
    await this.client.workflow.signalWithStart('balanceSourceLifetime', {
      workflowId,
      taskQueue: this.taskQueue,
      args: [{ kind: input.kind, reference: input.reference, sourceId: input.sourceId, expiresAt: input.expiresAt }],
      signal: sourceBound,
      signalArgs: [{ accountId: input.accountId, expiresAt: input.boundExpiresAt.getTime() }],
      typedSearchAttributes: [
        input.kind === 'prepaid_card'
          ? { key: SearchAttributes.cardNo, value: input.reference }
          : { key: SearchAttributes.voucherCode, value: input.reference },
        { key: SearchAttributes.accountId, value: input.accountId },
      ],
      staticSummary: `${input.kind === 'prepaid_card' ? 'Prepaid card' : 'Voucher'} ${input.reference}`,
    });
    this.onStarted(workflowId);
  }

  async balanceSourceExtended(kind: 'prepaid_card' | 'voucher', reference: string, expiresAt: Date): Promise<void> {
    await this.client.workflow.getHandle(lifetimeId({ kind, reference })).signal(sourceExtended, { expiresAt: expiresAt.getTime() });
  }

  async balanceSourceRevoked(kind: 'prepaid_card' | 'voucher', reference: string): Promise<void> {
    await this.client.workflow.getHandle(lifetimeId({ kind, reference })).signal(sourceRevoked);
  }

  /** Starts `settlement/<workspaceId>/<changeId>`; starting it again (a retried request) is harmless. */
  async startSettlementChange(input: SettlementChangeInput): Promise<void> {
    await this.startOnce('settlementChange', {
      workflowId: workflowIds.settlementChange(input.workspaceId, input.changeId),
      args: [input],
      typedSearchAttributes: [
        { key: SearchAttributes.accountId, value: input.accountId },
        { key: SearchAttributes.workspaceId, value: input.workspaceId },
        { key: SearchAttributes.businessStatus, value: 'requested' },
      ],
      staticSummary:
        `Settlement of workspace ${input.workspaceId} (account ${input.accountId}): ${describeTarget(input.from)} → ${describeTarget(input.to)} ` +
        `at ${new Date(input.cutoverAt).toISOString()}`,
    });
  }

  /** Starts `ticket/<no>`; starting it again (a retried request) is harmless. */
  async startTicket(input: TicketInput, about: { subject: string; category: string }): Promise<void> {
    await this.startOnce('ticket', {
      workflowId: workflowIds.ticket(input.no),
      args: [input],
      typedSearchAttributes: [
        { key: SearchAttributes.ticketNo, value: input.no },
        { key: SearchAttributes.accountId, value: input.accountId },
        { key: SearchAttributes.ticketPriority, value: input.priority },
        { key: SearchAttributes.businessStatus, value: 'new' },
      ],
      staticSummary: `Ticket ${input.no} (${input.priority}, ${about.category}) of account ${input.accountId}: ${about.subject}`,
    });
  }

  /**
   * Asks `ticket/<no>` to apply a person's action and answers its new state. A transition the status machine
   * refuses, or any action on a closed ticket (its workflow has ended), is a `conflict` naming why.
   */
  async actOnTicket(no: string, request: TicketRequest): Promise<TicketState> {
    try {
      return await this.client.workflow
        .getHandle(workflowIds.ticket(no))
        .executeUpdate(actOnTicket, { args: [request], updateId: request.requestId });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const refusal = error.cause instanceof ApplicationFailure ? error.cause : undefined;
        throw new DomainError('conflict', refusal?.type ?? 'transition-not-allowed', refusal?.message ?? 'The ticket refused this change.');
      }
      if (error instanceof WorkflowNotFoundError) {
        throw new DomainError('conflict', 'ticket-closed', 'The ticket is closed; a closed ticket is final.');
      }
      throw error;
    }
  }
}
