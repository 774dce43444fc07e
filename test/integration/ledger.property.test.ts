import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/generated/client.js';
import { inTransaction } from '../../src/db/transaction.js';
import { adjustmentEntry } from '../../src/domain/ledger/index.js';
import { Money } from '../../src/domain/money.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { expireSource } from '../../src/services/ledger/expire-source.js';
import { postEntries } from '../../src/services/ledger/post-entries.js';
import { chargePendingUsage } from '../../src/services/usage/charge.js';
import { ingestUsage } from '../../src/services/usage/ingest.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { creditCash, giveVoucher, sourceBalances } from '../support/ledger.js';

/**
 * Random histories of credits, vouchers, usage charges, debits and expiries, run through the real services
 * on the real database; after every step the stored ledger must obey double entry, and the account's total
 * must be what an independent running count says.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Step =
  | { op: 'credit'; cents: number }
  | { op: 'voucher'; cents: number; days: number; scoped: boolean }
  | { op: 'charge'; cents: number; item: 'logs' | 'metrics' }
  | { op: 'debit'; cents: number }
  | { op: 'expire' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('credit' as const), cents: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({ op: fc.constant('voucher' as const), cents: fc.integer({ min: 1, max: 20_000 }), days: fc.integer({ min: 1, max: 60 }), scoped: fc.boolean() }),
  fc.record({ op: fc.constant('charge' as const), cents: fc.integer({ min: 0, max: 30_000 }), item: fc.constantFrom('logs' as const, 'metrics' as const) }),
  fc.record({ op: fc.constant('debit' as const), cents: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({ op: fc.constant('expire' as const) }),
);

const cents = (n: number) => Money.ofMinor(BigInt(n), 'CNY').toDecimalString();
let run = 0;

async function total(accountId: string): Promise<bigint> {
  return Object.values(await sourceBalances(t.services, accountId)).reduce((sum, v) => sum + v, 0n);
}

describe('the ledger under random histories', () => {
  it('keeps double entry, exact totals and non-negative vouchers after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        run++;
        const account = await t.db.prisma.account.create({ data: { name: `P${run}`, contactEmail: `p${run}@example.com` } });
        const workspaceId = `prop-${run}-${Date.now()}`;
        await t.db.prisma.workspace.create({ data: { id: workspaceId, site: 's1', name: 'W', accountId: account.id } });
        const vouchers: string[] = [];
        let expected = 0n;
        let record = 0;
        for (const s of steps) {
          if (s.op === 'credit') {
            await creditCash(t.services, account.id, cents(s.cents));
            expected += BigInt(s.cents);
          } else if (s.op === 'voucher') {
            vouchers.push(
              await giveVoucher(t.services, account.id, {
                amount: cents(s.cents),
                expiresAt: new Date(Date.now() + s.days * 86_400_000),
                ...(s.scoped ? { scope: ['logs'] } : {}),
              }),
            );
            expected += BigInt(s.cents);
          } else if (s.op === 'charge') {
            await ingestUsage(t.services, [
              { id: `${workspaceId}-r${record++}`, workspaceId, site: 's1', item: s.item, unit: 'GB', periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-11-01T01:00:00Z', amount: { amount: cents(s.cents), currency: 'CNY' } },
            ]);
            await chargePendingUsage(t.services, account.id);
            expected -= BigInt(s.cents);
          } else if (s.op === 'debit') {
            const entry = adjustmentEntry({ adjustmentId: `${workspaceId}-d${record++}`, billingAccountId: account.id, direction: 'debit', amount: Money.ofMinor(BigInt(s.cents), 'CNY') });
            await inTransaction(t.db.prisma, (tx) => postEntries(tx, [{ entry, accountId: account.id, occurredAt: new Date() }], new Date()), {
              isolation: Prisma.TransactionIsolationLevel.ReadCommitted,
            });
            expected -= BigInt(s.cents);
          } else if (vouchers.length > 0) {
            const id = vouchers.shift()!;
            const before = (await sourceBalances(t.services, account.id))[`voucher:${id}`] ?? 0n;
            const { cleared } = await expireSource(t.services, account.id, { kind: 'voucher', id });
            expect(cleared?.minor ?? 0n).toBe(before);
            expected -= before;
          }
          expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
          expect(await total(account.id)).toBe(expected);
          const balances = await sourceBalances(t.services, account.id);
          for (const [source, amount] of Object.entries(balances)) if (source !== 'cash') expect(amount).toBeGreaterThanOrEqual(0n);
        }
      }),
      { numRuns: 300 },
    );
  }, 240_000);
});
