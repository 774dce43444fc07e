import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import { Prisma } from '../../src/db/generated/client.js';
import { adjustmentEntry, cashRechargeEntry, prepaidCardRechargeEntry, usageChargeEntry, allocateCharge } from '../../src/domain/ledger/index.js';
import { Money } from '../../src/domain/money.js';
import { expireSources } from '../../src/services/ledger/expire-source.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { postEntries, type EntryToPost } from '../../src/services/ledger/post-entries.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
});

const cny = (amount: string) => Money.parse(amount, 'CNY');
const post = (items: EntryToPost[]) =>
  inTransaction(t.db.prisma, (tx) => postEntries(tx, items, new Date()), { isolation: Prisma.TransactionIsolationLevel.ReadCommitted });

async function total(accountId: string): Promise<bigint> {
  const rows = await t.db.prisma.ledgerAccount.findMany({ where: { accountId } });
  return -rows.reduce((sum, row) => sum + row.netMinor, 0n);
}

describe('posting journal entries', () => {
  it('stores a recharge with its postings, stored balances and running balance', async () => {
    const { accountId } = await t.customer();
    const result = await post([{ entry: cashRechargeEntry({ rechargeId: 'r1', billingAccountId: accountId, amount: cny('500.00') }), accountId, occurredAt: new Date() }]);
    expect([...result.posted]).toEqual(['recharge/r1']);
    expect(await total(accountId)).toBe(50000n);
    const entry = await t.db.prisma.journalEntry.findUniqueOrThrow({ where: { businessKey: 'recharge/r1' }, include: { postings: true } });
    expect(entry.balanceAfterMinor).toBe(50000n);
    expect(entry.postings.map((p) => p.amountMinor).sort()).toEqual([-50000n, 50000n]);
  });

  it("runs the caller's own writes in the same transaction, with the entry ids, before the shared system accounts", async () => {
    const { accountId } = await t.customer();
    const item = { entry: cashRechargeEntry({ rechargeId: 'r-with', billingAccountId: accountId, amount: cny('20.00') }), accountId, occurredAt: new Date() };
    const refused = inTransaction(
      t.db.prisma,
      (tx) =>
        postEntries(tx, [item], new Date(), {
          beforeSystemAccounts: async () => {
            throw new Error('the caller could not finish');
          },
        }),
      { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
    );
    await expect(refused).rejects.toThrow('the caller could not finish');
    // Nothing of it stands: no entry, no balance, no half-updated system account.
    expect(await t.db.prisma.journalEntry.count({ where: { businessKey: 'recharge/r-with' } })).toBe(0);
    expect(await total(accountId)).toBe(0n);

    let seen: bigint | undefined;
    await inTransaction(
      t.db.prisma,
      (tx) =>
        postEntries(tx, [item], new Date(), {
          beforeSystemAccounts: async (posted) => {
            seen = posted.entryIds.get('recharge/r-with');
          },
        }),
      { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
    );
    const entry = await t.db.prisma.journalEntry.findUniqueOrThrow({ where: { businessKey: 'recharge/r-with' } });
    expect(seen).toBe(entry.id);
    expect(await total(accountId)).toBe(2000n);
  });

  it('clears many cards of several accounts in one transaction, each exactly what remains, and only once', async () => {
    const [a, b] = [await t.customer(), await t.customer()];
    const cards = [
      { accountId: a.accountId, id: 'card-a1', amount: '5.00' },
      { accountId: a.accountId, id: 'card-a2', amount: '7.25' },
      { accountId: b.accountId, id: 'card-b1', amount: '0.01' },
    ];
    await post(
      cards.map((card) => ({
        entry: prepaidCardRechargeEntry({ rechargeId: `r-${card.id}`, billingAccountId: card.accountId, cardId: card.id, amount: cny(card.amount) }),
        accountId: card.accountId,
        occurredAt: new Date(),
      })),
    );
    const items = cards.map((card) => ({ accountId: card.accountId, source: { kind: 'prepaid_card' as const, id: card.id } }));
    // The same card twice in one batch (two retries arriving together) is cleared once.
    const cleared = await expireSources(t.services, [...items, items[0]!]);
    expect(cleared.map((money) => money?.toString() ?? null)).toEqual(['5.00 CNY', '7.25 CNY', '0.01 CNY', null]);
    expect(await total(a.accountId)).toBe(0n);
    expect(await total(b.accountId)).toBe(0n);
    const again = await expireSources(t.services, items);
    expect(again).toEqual([null, null, null]);
    expect(await t.db.prisma.journalEntry.count({ where: { kind: 'expiry', accountId: { in: [a.accountId, b.accountId] } } })).toBe(3);
    const expired = await t.db.prisma.ledgerAccount.findMany({ where: { sourceId: { in: cards.map((c) => c.id) } }, select: { status: true } });
    expect(expired.map((row) => row.status)).toEqual(['expired', 'expired', 'expired']);
  });

  it('posts an entry once, however often it is posted', async () => {
    const { accountId } = await t.customer();
    const item = { entry: cashRechargeEntry({ rechargeId: 'r-once', billingAccountId: accountId, amount: cny('10.00') }), accountId, occurredAt: new Date() };
    await post([item]);
    const again = await post([item, item]);
    expect(again.posted.size).toBe(0);
    await Promise.all(Array.from({ length: 10 }, () => post([item])));
    expect(await total(accountId)).toBe(1000n);
    expect(await t.db.prisma.journalEntry.count({ where: { businessKey: 'recharge/r-once' } })).toBe(1);
  });

  it('keeps running balances right entry by entry within one batch', async () => {
    const { accountId } = await t.customer();
    const cash = { id: 'cash', kind: 'cash' as const, remaining: Money.zero('CNY'), createdAt: new Date(0), status: 'active' as const, expiresAt: null };
    const charge = (id: string, amount: string) => {
      const allocation = allocateCharge({ amount: cny(amount), item: 'logs', chargedAt: new Date() }, [cash]);
      return { entry: usageChargeEntry({ recordId: id, billingAccountId: accountId, allocation })!, accountId, occurredAt: new Date() };
    };
    await post([
      { entry: cashRechargeEntry({ rechargeId: 'rb', billingAccountId: accountId, amount: cny('100.00') }), accountId, occurredAt: new Date() },
      charge('u1', '30.00'),
      charge('u2', '80.00'),
    ]);
    const entries = await t.db.prisma.journalEntry.findMany({ where: { accountId }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => e.balanceAfterMinor)).toEqual([10000n, 7000n, -1000n]);
  });

  it('queues one alert per crossing into low and into arrears, and re-arms after a recharge', async () => {
    const { accountId } = await t.customer();
    const adjust = (id: string, direction: 'credit' | 'debit', amount: string) => ({
      entry: adjustmentEntry({ adjustmentId: id, billingAccountId: accountId, direction, amount: cny(amount) }),
      accountId,
      occurredAt: new Date(),
    });
    await post([adjust('a1', 'credit', '150.00')]);
    await post([adjust('a2', 'debit', '60.00')]); // 90.00: below the default 100.00 threshold
    await post([adjust('a3', 'debit', '10.00')]); // 80.00: still low, no new alert
    await post([adjust('a4', 'debit', '100.00')]); // -20.00: arrears
    await post([adjust('a5', 'debit', '1.00')]); // deeper arrears, no new alert
    await post([adjust('a6', 'credit', '500.00')]); // back to ok
    await post([adjust('a7', 'debit', '450.00')]); // low again: a new alert
    const alerts = await t.db.prisma.outboxMessage.findMany({ where: { accountId }, orderBy: { id: 'asc' } });
    expect(alerts.map((a) => a.kind)).toEqual(['balance-low', 'balance-arrears', 'balance-low']);
    expect(alerts[1]?.body).toContain('-20.00 CNY');
  });
});
