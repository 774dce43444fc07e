import { DomainError, notFound } from '../../domain/errors.js';
import type { CloudProvider } from '../../domain/identity/cloud-account-id.js';
import { isCurrency, Money, type MoneyJson } from '../../domain/money.js';
import { inTransaction, isUniqueViolation, type Tx } from '../../db/transaction.js';
import type { PrismaClient } from '../../db/client.js';
import type { ServiceContext } from '../context.js';

export type Settlement =
  | { method: 'billing_center' }
  | { method: 'cloud_account'; cloudAccountId: string; provider: CloudProvider };

export interface BoundWorkspace {
  id: string;
  site: string;
  name: string;
  settlement: Settlement;
  boundAt: Date;
}

/** Keyset position in (boundAt desc, id desc) order. */
export interface ListAfter {
  at: Date;
  id: string;
}

const withCloudAccount = { cloudAccount: { select: { id: true, provider: true } } } as const;

function toBound(row: {
  id: string;
  site: string;
  name: string;
  settlement: string;
  boundAt: Date;
  cloudAccount: { id: string; provider: string } | null;
}): BoundWorkspace {
  let settlement: Settlement = { method: 'billing_center' };
  if (row.settlement === 'cloud_account') {
    // The unbind guard on cloud accounts keeps this from happening; if it does, say so rather than guess a payer.
    if (!row.cloudAccount) throw new Error(`workspace ${row.id} settles to a cloud account that no longer exists`);
    settlement = { method: 'cloud_account', cloudAccountId: row.cloudAccount.id, provider: row.cloudAccount.provider as CloudProvider };
  }
  return { id: row.id, site: row.site, name: row.name, settlement, boundAt: row.boundAt };
}

/** The account's workspaces, most recently bound first; `limit + 1` rows so the caller can tell whether more follow. */
export async function listWorkspaces(
  ctx: ServiceContext,
  accountId: string,
  options: { limit: number; after?: ListAfter },
): Promise<BoundWorkspace[]> {
  const { after } = options;
  const rows = await ctx.prisma.workspace.findMany({
    where: {
      accountId,
      ...(after ? { OR: [{ boundAt: { lt: after.at } }, { boundAt: after.at, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ boundAt: 'desc' }, { id: 'desc' }],
    take: options.limit + 1,
    include: withCloudAccount,
  });
  return rows.map(toBound);
}

/** One of the account's workspaces; another account's is "not found", so workspace ids never leak. */
export async function getWorkspace(ctx: ServiceContext, accountId: string, workspaceId: string): Promise<BoundWorkspace> {
  const row = await ctx.prisma.workspace.findFirst({ where: { id: workspaceId, accountId }, include: withCloudAccount });
  if (!row) throw notFound('Workspace');
  return toBound(row);
}

const boundConflict = (ownerId: string, accountId: string) =>
  ownerId === accountId
    ? new DomainError('conflict', 'workspace-already-bound', 'This workspace is already bound to your account.')
    : new DomainError('conflict', 'workspace-bound-elsewhere', 'This workspace is bound to another billing-center account.');

async function ownerOf(db: Tx | PrismaClient, workspaceId: string): Promise<string | undefined> {
  return (await db.workspace.findUnique({ where: { id: workspaceId }, select: { accountId: true } }))?.accountId;
}

/**
 * Binds a workspace to the account, settled by the billing center until a settlement change says otherwise.
 * The workspace id is the primary key, so of concurrent binds exactly one commits.
 */
export async function bindWorkspace(
  ctx: ServiceContext,
  accountId: string,
  input: { workspaceId: string; site: string; name: string },
): Promise<BoundWorkspace> {
  for (let attempt = 1; ; attempt++) {
    try {
      const row = await inTransaction(ctx.prisma, async (tx) => {
        const owner = await ownerOf(tx, input.workspaceId);
        if (owner !== undefined) throw boundConflict(owner, accountId);
        return tx.workspace.create({
          data: { id: input.workspaceId, site: input.site, name: input.name, accountId, boundAt: ctx.now() },
          include: withCloudAccount,
        });
      });
      return toBound(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another bind committed first. If it is already unbound again, the id is free and one more try is honest.
      const owner = await ownerOf(ctx.prisma, input.workspaceId);
      if (owner !== undefined || attempt >= 3) throw boundConflict(owner ?? '', accountId);
    }
  }
}

/**
 * Unbinds (deletes) one of the account's workspaces, with its settlement history; refused while a settlement
 * change of it is in flight (the change would switch a workspace that is gone).
 * TODO(ledger): refuse while the workspace has unsettled usage.
 */
export async function unbindWorkspace(ctx: ServiceContext, accountId: string, workspaceId: string): Promise<void> {
  await inTransaction(ctx.prisma, async (tx) => {
    const workspace = await tx.workspace.findFirst({ where: { id: workspaceId, accountId }, include: { settlementChangeInFlight: { select: { id: true } } } });
    if (!workspace) throw notFound('Workspace');
    if (workspace.settlementChangeInFlight) {
      throw new DomainError('conflict', 'settlement-change-in-flight', 'A settlement change of this workspace is in flight; unbind it once the change has ended.');
    }
    await tx.workspace.delete({ where: { id: workspaceId } });
  });
}

export interface Standing {
  workspaceId: string;
  site: string;
  accountId: string;
  payable: boolean;
  settlement: Settlement['method'];
  arrears: MoneyJson;
}

/** Whether the platform may keep serving a workspace: only a bound workspace has someone who pays for it. */
export async function workspaceStanding(ctx: ServiceContext, workspaceId: string): Promise<Standing> {
  const row = await ctx.prisma.workspace.findUnique({
    where: { id: workspaceId },
    include: { account: { select: { currency: true } } },
  });
  if (!row) throw notFound('Workspace');
  const currency = row.account.currency;
  if (!isCurrency(currency)) throw new Error(`account ${row.accountId} has an unknown currency ${currency}`);
  return {
    workspaceId: row.id,
    site: row.site,
    accountId: row.accountId,
    // No ledger yet: the ledger issue will feed arrears (the account's negative cash) and derive `payable`
    // from them; until then a bound workspace owes nothing and may be served.
    payable: true,
    settlement: row.settlement === 'cloud_account' ? 'cloud_account' : 'billing_center',
    arrears: Money.zero(currency).toApi(),
  };
}
