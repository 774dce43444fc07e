import { randomUUID } from 'node:crypto';
import { DomainError, notFound } from '../../domain/errors.js';
import { cutoverFor, type Effective } from '../../domain/settlement/cutover.js';
import type { SettlementTarget } from '../../domain/settlement/routing.js';
import { inTransaction, isUniqueViolation } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { toSettlementChange, type SettlementChange } from './change.js';

export interface SettlementChangeRequest {
  accountId: string;
  userId: string;
  workspaceId: string;
  method: 'billing_center' | 'cloud_account';
  cloudAccountId?: string;
  effective: Effective;
}

const refuse = (code: string, message: string, path?: string) =>
  new DomainError('business_rule', code, message, path ? { fields: [{ path, message }] } : {});

export const inFlightConflict = () =>
  new DomainError('conflict', 'settlement-change-in-flight', 'A settlement change of this workspace is already in flight; follow it, or wait until it ends.');

/**
 * Records a settlement change of one of the account's workspaces, after everything that can be checked at once:
 * the workspace is the account's, the target is one of its own cloud accounts (or the billing center) and not the
 * settlement in force, the billing-center account is not in arrears, and the cut-over is a full hour ahead. The
 * marketplace's entitlement is asked by the workflow. One change in flight per workspace: the unique
 * `in_flight_workspace_id` makes a second (however concurrent) a conflict.
 */
export async function requestSettlementChange(ctx: ServiceContext, request: SettlementChangeRequest): Promise<SettlementChange> {
  if (request.method === 'cloud_account' && request.cloudAccountId === undefined) {
    throw new DomainError('invalid', 'validation', 'A change to a cloud account names it.', {
      fields: [{ path: '/body/cloudAccountId', message: 'required when method is cloud_account' }],
    });
  }
  if (request.method === 'billing_center' && request.cloudAccountId !== undefined) {
    throw new DomainError('invalid', 'validation', 'A change to the billing center names no cloud account.', {
      fields: [{ path: '/body/cloudAccountId', message: 'only with method cloud_account' }],
    });
  }
  try {
    const row = await inTransaction(ctx.prisma, async (tx) => {
      const workspace = await tx.workspace.findFirst({
        where: { id: request.workspaceId, accountId: request.accountId },
        include: { account: { select: { timezone: true, alertState: true } }, settlementChangeInFlight: { select: { id: true } } },
      });
      if (!workspace) throw notFound('Workspace');
      if (workspace.settlementChangeInFlight) throw inFlightConflict();

      let to: SettlementTarget = { method: 'billing_center', cloudAccountId: null };
      if (request.method === 'cloud_account') {
        // Another account's cloud account is as unknown as one that does not exist: ids never leak.
        const cloud = await tx.cloudAccount.findFirst({ where: { id: request.cloudAccountId!, accountId: request.accountId }, select: { id: true } });
        if (!cloud) throw refuse('unknown-cloud-account', 'No cloud account with this id is bound to your account.', '/body/cloudAccountId');
        to = { method: 'cloud_account', cloudAccountId: cloud.id };
      } else if (workspace.account.alertState === 'arrears') {
        throw refuse('account-cannot-pay', 'Your billing-center account is in arrears; recharge before it settles a workspace.');
      }
      const fromCloud = workspace.settlement === 'cloud_account' ? workspace.cloudAccountId : null;
      if (to.method === workspace.settlement && to.cloudAccountId === fromCloud) {
        throw refuse('settlement-unchanged', `The workspace is already settled by ${to.method === 'billing_center' ? 'the billing center' : 'this cloud account'}.`, '/body/method');
      }

      const now = ctx.now();
      const cutover = cutoverFor(request.effective, now, workspace.account.timezone);
      if (!cutover.ok) throw refuse(cutover.code, cutover.message, '/body/effective');

      return tx.settlementChange.create({
        data: {
          id: randomUUID(),
          workspaceId: workspace.id,
          accountId: request.accountId,
          inFlightWorkspaceId: workspace.id,
          fromMethod: workspace.settlement,
          fromCloudAccountId: fromCloud,
          toMethod: to.method,
          toCloudAccountId: to.cloudAccountId,
          effective: cutover.mode,
          cutoverAt: cutover.at,
          status: 'requested',
          requestedById: request.userId,
          requestedAt: now,
          updatedAt: now,
        },
      });
    });
    return toSettlementChange(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw inFlightConflict();
    throw error;
  }
}

/** One settlement change of one of the account's workspaces; anyone else's is "not found". */
export async function getSettlementChange(ctx: ServiceContext, accountId: string, workspaceId: string, id: string): Promise<SettlementChange> {
  const row = await ctx.prisma.settlementChange.findFirst({ where: { id, workspaceId, accountId } });
  if (!row) throw notFound('Settlement change');
  return toSettlementChange(row);
}
