import { DomainError } from '../../domain/errors.js';
import type { JournalEntryKind, Side } from '../../domain/ledger/index.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { currencyOf } from '../statements/common.js';

export interface JournalFilter {
  accountId?: string;
  kind?: JournalEntryKind;
  /** occurredAt ≥ from */
  from?: Date;
  /** occurredAt < to */
  to?: Date;
  /** Keyset: only entries with a smaller id (the last id of the previous page). */
  beforeId?: bigint;
  limit: number;
}

export interface JournalPosting {
  ledgerAccount: string;
  /** Signed as the ledger stores it: debit positive, credit negative (src/domain/ledger/accounts.ts). */
  amount: Money;
  side: Side;
}

export interface JournalLine {
  id: bigint;
  businessKey: string;
  kind: string;
  currency: Currency;
  accountId: string | null;
  reversesKey: string | null;
  balanceAfter: Money | null;
  actor: { id: string; name: string | null; email: string | null } | null;
  details: Record<string, unknown>;
  occurredAt: Date;
  createdAt: Date;
  postings: JournalPosting[];
}

/** Journal entries newest first (by id), with their postings and who made them. Fetches `limit + 1` for the pager. */
export async function listJournal(ctx: ServiceContext, filter: JournalFilter): Promise<JournalLine[]> {
  if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) {
    throw new DomainError('invalid', 'validation', '`from` must be before `to`.', { fields: [{ path: '/query/from', message: 'must be before to' }] });
  }
  const rows = await ctx.prisma.journalEntry.findMany({
    where: {
      ...(filter.accountId ? { accountId: filter.accountId } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.from || filter.to ? { occurredAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
      ...(filter.beforeId !== undefined ? { id: { lt: filter.beforeId } } : {}),
    },
    orderBy: { id: 'desc' },
    take: filter.limit + 1,
    include: { postings: { orderBy: { id: 'asc' }, include: { ledgerAccount: { select: { key: true } } } } },
  });
  // The actor is a plain column (staff users are not a relation of the ledger): one lookup per page.
  const actorIds = [...new Set(rows.flatMap((row) => (row.actorId ? [row.actorId] : [])))];
  const users = actorIds.length ? await ctx.prisma.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true, email: true } }) : [];
  const userById = new Map(users.map((user) => [user.id, user]));

  return rows.map((row) => {
    const currency = currencyOf(row.currency, () => `journal entry ${row.id}`);
    const user = row.actorId ? userById.get(row.actorId) : undefined;
    return {
      id: row.id,
      businessKey: row.businessKey,
      kind: row.kind,
      currency,
      accountId: row.accountId,
      reversesKey: row.reversesKey,
      balanceAfter: row.balanceAfterMinor === null ? null : Money.ofMinor(row.balanceAfterMinor, currency),
      actor: row.actorId ? { id: row.actorId, name: user?.name ?? null, email: user?.email ?? null } : null,
      details: (row.details ?? {}) as Record<string, unknown>,
      occurredAt: row.occurredAt,
      createdAt: row.createdAt,
      postings: row.postings.map((posting) => ({
        ledgerAccount: posting.ledgerAccount.key,
        amount: Money.ofMinor(posting.amountMinor, currency),
        side: posting.amountMinor > 0n ? 'debit' : 'credit',
      })),
    };
  });
}
