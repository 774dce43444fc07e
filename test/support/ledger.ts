import { Prisma } from '../../src/db/generated/client.js';
import { inTransaction } from '../../src/db/transaction.js';
import { adjustmentEntry, voucherRechargeEntry, customerVoucher } from '../../src/domain/ledger/index.js';
import { Money } from '../../src/domain/money.js';
import type { ServiceContext } from '../../src/services/context.js';
import { postEntries } from '../../src/services/ledger/post-entries.js';

let sequence = 0;
const next = () => `${Date.now().toString(36)}-${(sequence++).toString(36)}`;

/** Credits an account's cash through the ledger (a finance adjustment), as a test's starting balance. */
export async function creditCash(services: ServiceContext, accountId: string, amount: string, currency: 'CNY' | 'USD' = 'CNY') {
  const entry = adjustmentEntry({ adjustmentId: `test-${next()}`, billingAccountId: accountId, direction: 'credit', amount: Money.parse(amount, currency) });
  await inTransaction(services.prisma, (tx) => postEntries(tx, [{ entry, accountId, occurredAt: services.now() }], services.now()), {
    isolation: Prisma.TransactionIsolationLevel.ReadCommitted,
  });
}

/** Gives an account a voucher balance with the given terms, as a redeemed voucher would. */
export async function giveVoucher(
  services: ServiceContext,
  accountId: string,
  options: { amount: string; expiresAt: Date; scope?: string[]; minSpend?: string; id?: string },
): Promise<string> {
  const voucherId = options.id ?? `v-${next()}`;
  const amount = Money.parse(options.amount, 'CNY');
  const entry = voucherRechargeEntry({ rechargeId: `test-${next()}`, billingAccountId: accountId, voucherId, amount });
  const key = customerVoucher(accountId, voucherId, 'CNY').key;
  await inTransaction(
    services.prisma,
    (tx) =>
      postEntries(
        tx,
        [{
          entry,
          accountId,
          occurredAt: services.now(),
          sourceTerms: new Map([[key, { expiresAt: options.expiresAt, scope: options.scope ?? [], minSpend: options.minSpend ? Money.parse(options.minSpend, 'CNY') : null }]]),
        }],
        services.now(),
      ),
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
  return voucherId;
}

/** What the customer has, by source, in minor units (customer side: positive is money they have). */
export async function sourceBalances(services: ServiceContext, accountId: string): Promise<Record<string, bigint>> {
  const rows = await services.prisma.ledgerAccount.findMany({ where: { accountId } });
  return Object.fromEntries(rows.map((row) => [row.source === 'cash' ? 'cash' : `${row.source}:${row.sourceId}`, -row.netMinor]));
}

export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
