import { Prisma } from '../../db/generated/client.js';
import { inTransaction } from '../../db/transaction.js';
import { customerSourceAccount, expiryEntry } from '../../domain/ledger/index.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { postEntries } from './post-entries.js';

/**
 * Ends a voucher or prepaid card at its expiry: whatever remains is cleared to `expired-balances` by one
 * entry (`voucher/<id>/expiry`, `prepaid-card/<id>/expiry`) and the source stops paying. Idempotent: the
 * entry's key is permanent, and an expired source is left as it is. Returns what was cleared.
 */
export async function expireSource(
  ctx: ServiceContext,
  accountId: string,
  source: { kind: 'voucher' | 'prepaid_card'; id: string },
): Promise<{ cleared: Money | null }> {
  return inTransaction(
    ctx.prisma,
    async (tx) => {
      const [account] = await tx.$queryRaw<{ currency: string }[]>`SELECT currency FROM accounts WHERE id = ${accountId}::uuid FOR UPDATE`;
      if (!account) return { cleared: null };
      const currency = account.currency as Currency;
      const key = customerSourceAccount(accountId, source, currency).key;
      const ledgerAccount = await tx.ledgerAccount.findUnique({ where: { key } });
      if (!ledgerAccount || ledgerAccount.status === 'expired') return { cleared: null };
      const remaining = Money.ofMinor(-ledgerAccount.netMinor, currency);
      const now = ctx.now();
      const entry = remaining.isPositive() ? expiryEntry({ billingAccountId: accountId, source, remaining }) : null;
      if (entry) await postEntries(tx, [{ entry, accountId, occurredAt: now, details: { source: source.kind, sourceId: source.id } }], now);
      await tx.ledgerAccount.update({ where: { key }, data: { status: 'expired' } });
      return { cleared: entry ? remaining : null };
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
}
