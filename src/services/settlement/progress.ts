import { DomainError } from '../../domain/errors.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { settlementTarget, type SettlementTarget } from '../../domain/settlement/routing.js';
import type { ServiceContext } from '../context.js';
import { queueEmail } from '../notifications/outbox.js';
import { IN_FLIGHT, toSettlementChange, type SettlementChange } from './change.js';
import { settlementChangeEmail, settlementChangeEmailKey } from './emails.js';

async function lockChange(tx: Tx, changeId: string): Promise<SettlementChange> {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM settlement_changes WHERE id = ${changeId}::uuid FOR UPDATE`;
  if (!locked) throw new DomainError('not_found', 'not-found', `Settlement change ${changeId} does not exist.`);
  return toSettlementChange(await tx.settlementChange.findUniqueOrThrow({ where: { id: changeId } }));
}

/** Moves an in-flight change forward to `status` (waiting, closing); a retry or a late call never moves it back. */
export async function markSettlementChange(ctx: ServiceContext, changeId: string, status: 'waiting' | 'closing'): Promise<void> {
  await ctx.prisma.settlementChange.updateMany({
    where: { id: changeId, status: { in: IN_FLIGHT.slice(0, IN_FLIGHT.indexOf(status)) } },
    data: { status, updatedAt: ctx.now() },
  });
}

/** What routing the held usage woke: whose charging or metering should look now. */
export interface Released {
  accountsToCharge: string[];
  cloudAccountsToMeter: string[];
}

/** Routes the workspace's held usage to `to`: pending for its account, or reported by the cloud account. */
async function releaseHeld(tx: Tx, workspaceId: string, accountId: string, to: SettlementTarget): Promise<Released> {
  const released = await tx.$executeRaw`
    UPDATE usage_records SET status = ${to.method === 'cloud_account' ? 'cloud' : 'pending'}, cloud_account_id = ${to.cloudAccountId}::uuid
    WHERE workspace_id = ${workspaceId} AND status = 'held'`;
  if (released === 0) return { accountsToCharge: [], cloudAccountsToMeter: [] };
  return to.method === 'cloud_account' ? { accountsToCharge: [], cloudAccountsToMeter: [to.cloudAccountId] } : { accountsToCharge: [accountId], cloudAccountsToMeter: [] };
}

async function end(tx: Tx, change: SettlementChange, data: { status: 'completed' | 'failed'; failureCode?: string; failureReason?: string }, at: Date) {
  const row = await tx.settlementChange.update({
    where: { id: change.id },
    data: { ...data, inFlightWorkspaceId: null, updatedAt: at, endedAt: at },
  });
  const account = await tx.account.findUniqueOrThrow({ where: { id: change.accountId }, select: { name: true, contactEmail: true } });
  const ended = toSettlementChange(row);
  const email = settlementChangeEmail(ended, account);
  await queueEmail(tx, email);
  return { change: ended, emailKey: email.businessKey };
}

export type SettlementOutcome = { change: SettlementChange; emailKey: string } & Released;

/**
 * Switches the workspace to the change's target at its cut-over, in one transaction: the old settlement becomes
 * history up to the cut-over, the workspace is settled by the target from then on, usage held since the cut-over
 * goes to the target, the change completes and its email is queued. Run again, it answers what it did.
 */
export async function switchSettlement(ctx: ServiceContext, changeId: string): Promise<SettlementOutcome> {
  return inTransaction(ctx.prisma, async (tx) => {
    const change = await lockChange(tx, changeId);
    const emailKey = settlementChangeEmailKey(change);
    if (change.status === 'completed' || change.status === 'failed') return { change, emailKey, accountsToCharge: [], cloudAccountsToMeter: [] };
    const workspace = await tx.workspace.findUniqueOrThrow({ where: { id: change.workspaceId } });
    await tx.settlementPeriod.create({
      data: {
        workspaceId: workspace.id,
        method: change.from.method,
        cloudAccountId: change.from.cloudAccountId,
        effectiveFrom: workspace.settledSince,
        effectiveUntil: change.cutoverAt,
        changeId: change.id,
      },
    });
    await tx.workspace.update({
      where: { id: workspace.id },
      data: { settlement: change.to.method, cloudAccountId: change.to.cloudAccountId, settledSince: change.cutoverAt },
    });
    const released = await releaseHeld(tx, workspace.id, change.accountId, change.to);
    return { ...(await end(tx, change, { status: 'completed' }, ctx.now())), ...released };
  });
}

/**
 * Ends a change that cannot happen, leaving the workspace on its old settlement: usage held since the cut-over
 * goes back to the old method, the change fails with the reason and the customer is told. Run again, it answers
 * what it did.
 */
export async function failSettlementChange(ctx: ServiceContext, changeId: string, failure: { code: string; reason: string }): Promise<SettlementOutcome> {
  return inTransaction(ctx.prisma, async (tx) => {
    const change = await lockChange(tx, changeId);
    const emailKey = settlementChangeEmailKey(change);
    if (change.status === 'completed' || change.status === 'failed') return { change, emailKey, accountsToCharge: [], cloudAccountsToMeter: [] };
    const released = await releaseHeld(tx, change.workspaceId, change.accountId, change.from);
    return { ...(await end(tx, change, { status: 'failed', failureCode: failure.code, failureReason: failure.reason.slice(0, 500) }, ctx.now())), ...released };
  });
}

/** Whether the billing-center account can pay for a workspace now: it is not in arrears. */
export async function billingCenterCanPay(ctx: ServiceContext, accountId: string): Promise<{ canPay: true } | { canPay: false; reason: string }> {
  const account = await ctx.prisma.account.findUnique({ where: { id: accountId }, select: { alertState: true } });
  if (!account) return { canPay: false, reason: 'The billing-center account no longer exists.' };
  return account.alertState === 'arrears' ? { canPay: false, reason: 'The billing-center account is in arrears.' } : { canPay: true };
}

/**
 * Routes held usage of a workspace with no change in flight to its current settlement. Ingestion reads the
 * workspace before it inserts, so a batch read just before a change ended can still store records as held just
 * after; the workflow calls this a while after the end, so none stays held.
 */
export async function releaseStrayHeldUsage(ctx: ServiceContext, workspaceId: string): Promise<Released> {
  return inTransaction(ctx.prisma, async (tx) => {
    const workspace = await tx.workspace.findUnique({ where: { id: workspaceId }, include: { settlementChangeInFlight: { select: { id: true } } } });
    if (!workspace || workspace.settlementChangeInFlight) return { accountsToCharge: [], cloudAccountsToMeter: [] };
    return releaseHeld(tx, workspace.id, workspace.accountId, settlementTarget(workspace.settlement, workspace.cloudAccountId));
  });
}
