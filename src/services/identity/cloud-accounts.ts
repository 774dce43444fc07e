import { DomainError, notFound } from '../../domain/errors.js';
import { validateExternalAccountId, type CloudProvider } from '../../domain/identity/cloud-account-id.js';
import { inTransaction, isUniqueViolation, type Tx } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';

export interface CloudAccountWithWorkspaces {
  id: string;
  provider: CloudProvider;
  externalAccountId: string;
  createdAt: Date;
  workspaceIds: string[];
}

/** Keyset position in (createdAt desc, id desc) order. */
export interface ListAfter {
  at: Date;
  id: string;
}

/**
 * One predicate for "settles to this cloud account", shared by the list (which shows it) and the unbind
 * (which refuses over it), so a client always sees the workspace that blocks an unbind.
 */
const settlingTo = (cloudAccountId: string) => ({ cloudAccountId });

/** The account's cloud accounts, newest first; `limit + 1` rows so the caller can tell whether more follow. */
export async function listCloudAccounts(
  ctx: ServiceContext,
  accountId: string,
  options: { limit: number; after?: ListAfter },
): Promise<CloudAccountWithWorkspaces[]> {
  const { after } = options;
  const rows = await ctx.prisma.cloudAccount.findMany({
    where: {
      accountId,
      ...(after ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: options.limit + 1,
    include: { workspaces: { select: { id: true }, orderBy: { id: 'asc' } } },
  });
  return rows.map((row) => ({
    id: row.id,
    provider: row.provider as CloudProvider,
    externalAccountId: row.externalAccountId,
    createdAt: row.createdAt,
    workspaceIds: row.workspaces.map((workspace) => workspace.id),
  }));
}

const alreadyBound = (ownerId: string, accountId: string) =>
  ownerId === accountId
    ? new DomainError('conflict', 'cloud-account-already-bound', 'You have already bound this cloud account.')
    : // Says that someone holds it (the customer needs to know why), never who.
      new DomainError('conflict', 'cloud-account-bound-elsewhere', 'This cloud account is bound to another billing-center account.');

async function holder(tx: Tx | ServiceContext['prisma'], provider: CloudProvider, externalAccountId: string) {
  return tx.cloudAccount.findUnique({
    where: { provider_externalAccountId: { provider, externalAccountId } },
    select: { accountId: true },
  });
}

/** Binds a cloud account; one (provider, account id) belongs to at most one billing-center account. */
export async function bindCloudAccount(
  ctx: ServiceContext,
  accountId: string,
  input: { provider: CloudProvider; externalAccountId: string },
): Promise<CloudAccountWithWorkspaces> {
  const checked = validateExternalAccountId(input.provider, input.externalAccountId);
  if (!checked.ok) {
    throw new DomainError('invalid', `external-account-id-${checked.reason}`, checked.message, {
      fields: [{ path: '/body/externalAccountId', message: checked.message }],
    });
  }
  const externalAccountId: string = checked.value;
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await inTransaction(ctx.prisma, async (tx) => {
        const existing = await holder(tx, input.provider, externalAccountId);
        if (existing) throw alreadyBound(existing.accountId, accountId);
        return tx.cloudAccount.create({ data: { accountId, provider: input.provider, externalAccountId, createdAt: ctx.now() } });
      });
      return { id: created.id, provider: input.provider, externalAccountId, createdAt: created.createdAt, workspaceIds: [] };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent bind of the same id won: whoever holds it now decides which conflict this is. If it is
      // already gone again (bound and unbound meanwhile), the id is free and one more try is honest.
      const winner = await holder(ctx.prisma, input.provider, externalAccountId);
      if (winner || attempt >= 3) throw alreadyBound(winner?.accountId ?? '', accountId);
    }
  }
}

/** Unbinds a cloud account of this account; refused while any workspace settles to it or its usage is being reported. */
export async function unbindCloudAccount(ctx: ServiceContext, accountId: string, cloudAccountId: string): Promise<void> {
  await inTransaction(ctx.prisma, async (tx) => {
    const found = await tx.cloudAccount.findFirst({ where: { id: cloudAccountId, accountId }, select: { id: true } });
    if (!found) throw notFound('Cloud account');
    // Serializable: a settlement change pointing a workspace here concurrently makes one of the two retry, so
    // the foreign key's ON DELETE SET NULL never silently strips a workspace of its settlement target.
    const settling = await tx.workspace.findMany({ where: settlingTo(cloudAccountId), select: { id: true }, take: 5 });
    if (settling.length > 0) {
      throw new DomainError(
        'conflict',
        'cloud-account-in-use',
        `Workspaces settle to this cloud account (${settling.map((w) => w.id).join(', ')}${settling.length === 5 ? ', ...' : ''}); ` +
          'change their settlement first.',
      );
    }
    // A change in flight would switch a workspace to a cloud account that is gone.
    if ((await tx.settlementChange.count({ where: { toCloudAccountId: cloudAccountId, inFlightWorkspaceId: { not: null } } })) > 0) {
      throw new DomainError('conflict', 'cloud-account-in-use', 'A settlement change to this cloud account is in flight; wait until it ends.');
    }
    // Its usage not yet taken by the marketplace would have nobody to report it (and metering would wait on it
    // forever): the unbind waits until the last hours are reported, late or refused.
    const unreported =
      (await tx.marketplaceReport.count({ where: { cloudAccountId, status: 'pending' } })) +
      (await tx.usageRecord.count({ where: { cloudAccountId, status: 'cloud', marketplaceReportId: null } }));
    if (unreported > 0) {
      throw new DomainError(
        'conflict',
        'cloud-account-metering-open',
        'Usage of this cloud account is still being reported to its marketplace (within the hour after its last use); try again then.',
      );
    }
    await tx.cloudAccount.delete({ where: { id: cloudAccountId } });
  });
}
