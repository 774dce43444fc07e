import { Prisma } from '../../db/generated/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { customerSourceAccount, expiryEntry } from '../../domain/ledger/index.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { postEntries, type EntryToPost } from './post-entries.js';

export interface SourceToExpire {
  accountId: string;
  source: { kind: 'voucher' | 'prepaid_card'; id: string };
}

/**
 * Ends vouchers and prepaid cards at their expiry, all in one transaction: whatever remains on each is cleared
 * to `expired-balances` by one entry (`voucher/<id>/expiry`, `prepaid-card/<id>/expiry`) and it stops paying.
 * Idempotent: the entry's key is permanent, and an expired source is left as it is. `alsoInTransaction` is the
 * caller's own write that must stand or fall with the clearing (e.g. marking the cards expired). With `dueBy`,
 * a source whose stored expiry is later is left alone. Returns what was cleared from each, in the order given
 * (null: nothing, cleared before, or not due).
 */
export async function expireSources(
  ctx: ServiceContext,
  items: readonly SourceToExpire[],
  alsoInTransaction?: (tx: Tx) => Promise<void>,
  options: { dueBy?: Date } = {},
): Promise<Array<Money | null>> {
  if (items.length === 0) return [];
  return inTransaction(
    ctx.prisma,
    async (tx) => {
      // Every account at once, in id order (as postEntries locks them), so two clearings never deadlock.
      const accountIds = [...new Set(items.map((item) => item.accountId))].sort();
      const accounts = await tx.$queryRaw<{ id: string; currency: string }[]>`
        SELECT id::text, currency FROM accounts WHERE id = ANY(${accountIds}::uuid[]) ORDER BY id FOR UPDATE`;
      const currencyOf = new Map(accounts.map((a) => [a.id, a.currency as Currency]));
      const keyOf = (item: SourceToExpire) => {
        const currency = currencyOf.get(item.accountId);
        return currency ? customerSourceAccount(item.accountId, item.source, currency).key : null;
      };
      const keys = items.map(keyOf);
      const ledgerAccounts = await tx.ledgerAccount.findMany({
        where: { key: { in: keys.filter((key): key is string => key !== null) } },
        select: { key: true, netMinor: true, status: true, expiresAt: true },
      });
      const byKey = new Map(ledgerAccounts.map((row) => [row.key, row]));

      const now = ctx.now();
      const cleared: Array<Money | null> = [];
      const toPost: EntryToPost[] = [];
      const toMark = new Set<string>();
      items.forEach((item, index) => {
        const key = keys[index];
        const row = key ? byKey.get(key) : undefined;
        // `dueBy`: a sweep chose these as expired; one extended since (its expiry now later) is not cleared.
        const notDue = options.dueBy !== undefined && !(row?.expiresAt && row.expiresAt <= options.dueBy);
        if (!key || !row || row.status === 'expired' || toMark.has(key) || notDue) {
          cleared.push(null);
          return;
        }
        const remaining = Money.ofMinor(-row.netMinor, currencyOf.get(item.accountId)!);
        toMark.add(key);
        const entry = remaining.isPositive() ? expiryEntry({ billingAccountId: item.accountId, source: item.source, remaining }) : null;
        if (!entry) {
          cleared.push(null);
          return;
        }
        toPost.push({
          entry,
          accountId: item.accountId,
          occurredAt: now,
          details: { source: item.source.kind, sourceId: item.source.id },
        });
        cleared.push(remaining);
      });
      // The marks go in before the shared expired-balances account is touched: its lock is held from then until
      // commit, and a burst of cards expiring in the same minute all need it.
      await postEntries(tx, toPost, now, {
        beforeSystemAccounts: async () => {
          if (toMark.size > 0) await tx.ledgerAccount.updateMany({ where: { key: { in: [...toMark] } }, data: { status: 'expired' } });
          await alsoInTransaction?.(tx);
        },
      });
      return cleared;
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
}

/** One voucher or card: see expireSources. */
export async function expireSource(
  ctx: ServiceContext,
  accountId: string,
  source: { kind: 'voucher' | 'prepaid_card'; id: string },
): Promise<{ cleared: Money | null }> {
  const [cleared] = await expireSources(ctx, [{ accountId, source }]);
  return { cleared: cleared ?? null };
}
