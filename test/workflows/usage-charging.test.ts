import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { chargePendingUsage } from '../../src/services/usage/charge.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { creditCash, giveVoucher, sourceBalances, waitUntil } from '../support/ledger.js';
import { recordHistory } from '../support/histories.js';

let t: TestApp;
let apiKey: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.startWorker();
  apiKey = await t.apiKey();
});
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
});

let n = 0;
const hour = (h: number) => new Date(Date.UTC(2026, 10, 1, h)).toISOString();
function record(workspaceId: string, fields: Record<string, unknown> = {}) {
  n++;
  return { id: `rec-${Date.now()}-${n}`, workspaceId, site: 'cn1', item: 'logs', unit: 'GB', periodStart: hour(0), periodEnd: hour(1), amount: { amount: '10.00', currency: 'CNY' }, ...fields };
}
const send = (records: unknown[]) => t.app.inject({ method: 'POST', url: '/v1/usage', headers: { authorization: `ApiKey ${apiKey}` }, payload: { records } });

async function customerWithWorkspace(site = 'cn1') {
  const customer = await t.customer();
  const workspaceId = `ws-${Date.now()}-${n++}`;
  const bound = await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(customer.token), payload: { workspaceId, site, name: 'W' } });
  expect(bound.statusCode).toBe(201);
  return { ...customer, workspaceId };
}

const pendingOf = (accountId: string) => t.db.prisma.usageRecord.count({ where: { accountId, status: 'pending' } });
const chargedAll = (accountId: string) => waitUntil(async () => (await pendingOf(accountId)) === 0, 30_000, 'all usage charged');

describe('usage charging', () => {
  it('charges reported usage to the paying account within seconds, vouchers before cash', async () => {
    const c = await customerWithWorkspace();
    await creditCash(t.services, c.accountId, '100.00');
    const voucher = await giveVoucher(t.services, c.accountId, { amount: '15.00', expiresAt: new Date(Date.now() + 86_400_000) });

    const response = await send([record(c.workspaceId), record(c.workspaceId, { amount: undefined, quantity: '2.5', unitPrice: '4.123' })]);
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: 2, duplicates: 0, conflicting: [], billable: 2, cloud: 0, unbilled: 0, held: 0 });
    await chargedAll(c.accountId);

    // 10.00 + 10.3075 → 10.31 (half-to-even at minor units): 15.00 from the voucher, 5.31 from cash.
    expect(await sourceBalances(t.services, c.accountId)).toEqual({ cash: 9469n, [`voucher:${voucher}`]: 0n });
    await recordHistory(t.temporal.client.workflow.getHandle(`usage-charging/${c.accountId}`), 'usage-charging');
  });

  it('keeps records of unbound and cloud-settled workspaces without charging anyone', async () => {
    const c = await customerWithWorkspace();
    const cloud = await t.db.prisma.cloudAccount.create({ data: { accountId: c.accountId, provider: 'aws', externalAccountId: `${Date.now()}`.slice(-12).padStart(12, '1') } });
    await t.db.prisma.workspace.update({ where: { id: c.workspaceId }, data: { settlement: 'cloud_account', cloudAccountId: cloud.id } });
    const response = await send([record(c.workspaceId), record('ws-nobody-has'), record('ws-nobody-has', { amount: undefined, quantity: '1', unitPrice: '1' })]);
    expect(response.json()).toMatchObject({ accepted: 3, billable: 0, cloud: 1, unbilled: 2 });
    expect(await t.db.prisma.usageRecord.count({ where: { status: 'cloud', accountId: c.accountId } })).toBe(1);
    expect(await t.db.prisma.journalEntry.count({ where: { accountId: c.accountId } })).toBe(0);
  });

  it('charges a record once, whatever is sent again, and reports a resend with different content', async () => {
    const c = await customerWithWorkspace();
    const first = record(c.workspaceId);
    await send([first]);
    const again = await send([first, { ...first, amount: { amount: '99.00', currency: 'CNY' } }]);
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 2, conflicting: [first.id] });
    await chargedAll(c.accountId);
    expect((await sourceBalances(t.services, c.accountId)).cash).toBe(-1000n);
  });

  it('charges the same record posted 100 times at once exactly once', async () => {
    const c = await customerWithWorkspace();
    const same = record(c.workspaceId);
    const replies = await Promise.all(Array.from({ length: 100 }, () => send([same])));
    expect(replies.every((r) => r.statusCode === 202)).toBe(true);
    expect(replies.reduce((sum, r) => sum + (r.json() as { accepted: number }).accepted, 0)).toBe(1);
    await chargedAll(c.accountId);
    expect((await sourceBalances(t.services, c.accountId)).cash).toBe(-1000n);
    expect(await t.db.prisma.journalEntry.count({ where: { businessKey: `usage/${same.id}` } })).toBe(1);
  });

  it('draws exactly 1,000.00 and records the rest as arrears when 200 charges of 10.00 arrive at once', async () => {
    const c = await customerWithWorkspace();
    await creditCash(t.services, c.accountId, '1000.00');
    const replies = await Promise.all(Array.from({ length: 200 }, () => send([record(c.workspaceId)])));
    expect(replies.every((r) => r.statusCode === 202)).toBe(true);
    await chargedAll(c.accountId);
    expect((await sourceBalances(t.services, c.accountId)).cash).toBe(-100000n);
    const revenue = await t.db.prisma.journalEntry.count({ where: { accountId: c.accountId, kind: 'usage_charge' } });
    expect(revenue).toBe(200);
    // Alerts name the band the balance ends in; charges that arrive together cross straight into arrears.
    const alerts = await t.db.prisma.outboxMessage.findMany({ where: { accountId: c.accountId }, orderBy: { id: 'asc' } });
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(alerts.at(-1)?.kind).toBe('balance-arrears');
    expect(alerts.filter((a) => a.kind === 'balance-arrears')).toHaveLength(1);
  });

  it('charges usage whose wake-up signal was lost, when the sweeper runs', async () => {
    const c = await customerWithWorkspace();
    const lost = record(c.workspaceId);
    // Stored as the API stores it, but nobody was told (Temporal was unreachable), a minute ago.
    await t.db.prisma.usageRecord.create({
      data: {
        id: lost.id, workspaceId: c.workspaceId, site: 'cn1', item: 'logs', unit: 'GB', amountMinor: 1000n, currency: 'CNY',
        periodStart: new Date(lost.periodStart), periodEnd: new Date(lost.periodEnd), receivedAt: new Date(Date.now() - 60_000),
        accountId: c.accountId, status: 'pending', contentHash: 'x'.repeat(64),
      },
    });
    const sweep = await t.temporal.workflow.start('usageChargingSweep', { taskQueue: t.temporal.taskQueue, workflowId: `sweep-${Date.now()}` });
    expect(await t.temporal.workflow.result(sweep.workflowId)).toBeGreaterThanOrEqual(1);
    await recordHistory(sweep, 'usage-charging-sweep');
    await chargedAll(c.accountId);
    expect((await sourceBalances(t.services, c.accountId)).cash).toBe(-1000n);
  });

  it('charges exactly once when several chargers run at the same time', async () => {
    const c = await customerWithWorkspace();
    // Stored straight away and charged by ten concurrent runs of the charging step, besides the workflow.
    const stored = await send(Array.from({ length: 300 }, () => record(c.workspaceId, { amount: { amount: '0.01', currency: 'CNY' } })));
    expect(stored.json(), stored.body).toMatchObject({ accepted: 300 });
    await Promise.all(Array.from({ length: 10 }, () => chargePendingUsage(t.services, c.accountId)));
    await chargedAll(c.accountId);
    expect((await sourceBalances(t.services, c.accountId)).cash).toBe(-300n);
  });
});
