import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { expireBoundSources } from '../../src/services/recharges/balance-source-lifetime.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { recordHistory } from '../support/histories.js';
import { giveVoucher, sourceBalances } from '../support/ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.startWorker();
});
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
});

let n = 0;
const expiredBalances = async () => {
  const row = await t.db.prisma.ledgerAccount.findUnique({ where: { key: 'system/expired-balances/CNY' } });
  return -(row?.netMinor ?? 0n);
};
const statusOf = async (accountId: string, voucherId: string) =>
  (await t.db.prisma.ledgerAccount.findFirstOrThrow({ where: { accountId, source: 'voucher', sourceId: voucherId } })).status;
const sweep = async () => {
  const handle = await t.temporal.workflow.start('balanceExpirySweep', { taskQueue: t.temporal.taskQueue, workflowId: `balance-expiry-sweep-${n++}-${Date.now()}` });
  return { handle, swept: (await handle.result()) as number };
};

describe('the balance expiry sweep', () => {
  it('clears every expired voucher or card balance once, whatever its lifetime does later, and leaves the unexpired', async () => {
    const a = await t.customer();
    const b = await t.customer();
    const minuteAgo = new Date(Date.now() - 60_000);
    const tomorrow = new Date(Date.now() + 86_400_000);
    const expiredA = await giveVoucher(t.services, a.accountId, { amount: '12.34', expiresAt: minuteAgo, id: randomUUID() });
    const expiredB = await giveVoucher(t.services, b.accountId, { amount: '0.01', expiresAt: minuteAgo, id: randomUUID() });
    const live = await giveVoucher(t.services, a.accountId, { amount: '5.00', expiresAt: tomorrow, id: randomUUID() });
    const before = await expiredBalances();

    const first = await sweep();
    expect(first.swept).toBe(2);
    expect(await expiredBalances()).toBe(before + 1234n + 1n);
    expect(await sourceBalances(t.services, a.accountId)).toEqual({ [`voucher:${expiredA}`]: 0n, [`voucher:${live}`]: 500n });
    expect(await statusOf(a.accountId, expiredA)).toBe('expired');
    expect(await statusOf(b.accountId, expiredB)).toBe('expired');
    expect(await statusOf(a.accountId, live)).toBe('active');
    await recordHistory(first.handle, 'balance-expiry-sweep');

    // Nothing is left to sweep; the lifetime's own clearing at its timer then finds the voucher expired.
    expect((await sweep()).swept).toBe(0);
    expect(await expireBoundSources(t.services, [{ kind: 'voucher', sourceId: expiredA, accountId: a.accountId }])).toEqual([{ cleared: null }]);
    expect(await expiredBalances()).toBe(before + 1235n);
    const entries = await t.db.prisma.journalEntry.count({ where: { businessKey: { startsWith: `voucher/${expiredA}` }, kind: 'expiry' } });
    expect(entries).toBe(1);
  });

  it('leaves a source alone whose stored expiry is later than the moment the sweep chose it at (extended meanwhile)', async () => {
    const a = await t.customer();
    const voucherId = await giveVoucher(t.services, a.accountId, { amount: '3.00', expiresAt: new Date(Date.now() + 3_600_000), id: randomUUID() });
    const chosenAt = new Date(Date.now() - 1000);
    expect(await expireBoundSources(t.services, [{ kind: 'voucher', sourceId: voucherId, accountId: a.accountId }], { dueBy: chosenAt })).toEqual([{ cleared: null }]);
    expect(await statusOf(a.accountId, voucherId)).toBe('active');
    expect(await sourceBalances(t.services, a.accountId)).toEqual({ [`voucher:${voucherId}`]: 300n });
  });
});
