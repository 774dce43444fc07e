import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { billingMonth, monthAt, type BillingMonth } from '../../src/domain/billing/period.js';
import { Money } from '../../src/domain/money.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { expireSource } from '../../src/services/ledger/expire-source.js';
import type { WorkerHandle } from '../../src/temporal/worker.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { runMonthlyBills, seedAccounts, slowBillInserts } from '../support/bills.js';
import { recordHistory } from '../support/histories.js';
import { creditCash, giveVoucher, waitUntil } from '../support/ledger.js';
import { waitFor } from '../support/processes.js';
import { issueCard } from '../support/sales.js';
import { spawnWorkerProcess } from '../support/worker-process.js';

let t: TestApp;
let worker: WorkerHandle;
let apiKey: string;
let salesId: string;
let finance: { token: string };
beforeAll(async () => {
  t = await createTestApp();
  worker = await t.startWorker();
  apiKey = await t.apiKey();
  salesId = (await t.staff(['sales'])).userId;
  finance = await t.staff(['finance']);
});
beforeEach(() => t.followServerClock());
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
});

const SHANGHAI = 'Asia/Shanghai';
const nextMonth = (month: BillingMonth) => monthAt(month.end, month.timeZone);
const billsOf = (accountId: string, month: string) => t.db.prisma.bill.findMany({ where: { accountId, kind: 'account', month } });
const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });

let n = 0;
async function bindWorkspace(token: string, site: string): Promise<string> {
  const workspaceId = `ws-bill-${Date.now()}-${n++}`;
  const bound = await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(token), payload: { workspaceId, site, name: 'W' } });
  expect(bound.statusCode).toBe(201);
  return workspaceId;
}

function usage(workspaceId: string, site: string, item: string, fields: Record<string, unknown>) {
  return { id: `rec-bill-${Date.now()}-${n++}`, workspaceId, site, item, unit: item === 'logs' ? 'GB' : 'series', periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-11-01T01:00:00Z', ...fields };
}

describe('monthly bills', () => {
  it("issues each account's bill at 00:00 on the 1st in its own time zone, not a moment before", async () => {
    const shanghai = await t.customer();
    const losAngeles = await t.customer();
    const moved = await t.app.inject({ method: 'PATCH', url: '/v1/account', headers: bearer(losAngeles.token), payload: { timezone: 'America/Los_Angeles' } });
    expect(moved.statusCode).toBe(200);
    const shanghaiMonth = monthAt(t.clock.now(), SHANGHAI);
    const laMonth = monthAt(t.clock.now(), 'America/Los_Angeles');

    await runMonthlyBills(t, new Date(shanghaiMonth.end.getTime() - 1));
    expect(await billsOf(shanghai.accountId, shanghaiMonth.month)).toHaveLength(0);

    await runMonthlyBills(t, shanghaiMonth.end);
    const [shanghaiBill] = await billsOf(shanghai.accountId, shanghaiMonth.month);
    expect(shanghaiBill).toMatchObject({ timezone: SHANGHAI, periodStart: shanghaiMonth.start, periodEnd: shanghaiMonth.end });
    expect(await t.db.prisma.bill.count({ where: { accountId: losAngeles.accountId } })).toBe(0);

    await runMonthlyBills(t, new Date(laMonth.end.getTime() - 1));
    expect(await t.db.prisma.bill.count({ where: { accountId: losAngeles.accountId } })).toBe(0);
    await runMonthlyBills(t, laMonth.end);
    const [laBill] = await billsOf(losAngeles.accountId, laMonth.month);
    expect(laBill).toMatchObject({ timezone: 'America/Los_Angeles', periodStart: laMonth.start, periodEnd: laMonth.end });
    // Sixteen hours apart in November (UTC+8 against UTC−8), and the Shanghai bill was not issued twice meanwhile.
    expect(laMonth.end.getTime() - shanghaiMonth.end.getTime()).toBe(16 * 3_600_000);
    expect(await billsOf(shanghai.accountId, shanghaiMonth.month)).toHaveLength(1);
  });

  it('reconciles a bill with the ledger to the cent: recharges, voucher and card use, usage, an adjustment, an expiry and arrears', async () => {
    const c = await t.customer();
    const other = await t.customer();
    const month = monthAt(t.clock.now(), SHANGHAI);
    const [ws1, ws2] = [await bindWorkspace(c.token, 'cn1'), await bindWorkspace(c.token, 'cn2')];

    // Before the month: 1.00 of cash, the bill's opening balance.
    const back = t.clock.now().getTime() - month.start.getTime() + 3_600_000;
    t.clock.advance(-back);
    await creditCash(t.services, c.accountId, '1.00');
    t.clock.advance(back);

    // Within it: a 200.00 card recharged through the API, two vouchers (35.00), one of which expires unused.
    const card = await issueCard(t.db.prisma, { faceValue: 20_000n, validDays: 30, createdById: salesId });
    const recharged = await t.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { ...bearer(c.token), 'idempotency-key': randomUUID() },
      payload: { method: 'prepaid_card', cardNo: card.cardNo, secret: card.secret },
    });
    expect(recharged.statusCode).toBe(201);
    await giveVoucher(t.services, c.accountId, { amount: '30.00', expiresAt: new Date(t.clock.now().getTime() + 10 * 86_400_000) });
    const unused = await giveVoucher(t.services, c.accountId, { amount: '5.00', expiresAt: new Date(t.clock.now().getTime() + 20 * 86_400_000) });
    expect((await expireSource(t.services, c.accountId, { kind: 'voucher', id: unused })).cleared?.toDecimalString()).toBe('5.00');
    const adjusted = await t.app.inject({
      method: 'POST',
      url: '/v1/finance/adjustments',
      headers: { ...bearer(finance.token), 'idempotency-key': randomUUID() },
      payload: { accountId: c.accountId, direction: 'credit', amount: { amount: '12.34', currency: 'CNY' }, reason: 'goodwill for an outage' },
    });
    expect(adjusted.statusCode).toBe(201);
    // 274.50 of usage against 243.34 available: vouchers and card are emptied, cash goes 31.16 into arrears.
    const sent = await t.app.inject({
      method: 'POST',
      url: '/v1/usage',
      headers: { authorization: `ApiKey ${apiKey}` },
      payload: {
        records: [
          usage(ws1, 'cn1', 'logs', { amount: { amount: '10.00', currency: 'CNY' } }),
          usage(ws1, 'cn1', 'logs', { amount: { amount: '10.00', currency: 'CNY' } }),
          usage(ws2, 'cn2', 'logs', { amount: { amount: '250.00', currency: 'CNY' } }),
          usage(ws2, 'cn2', 'metrics', { quantity: '3', unitPrice: '1.5' }),
        ],
      },
    });
    expect(sent.statusCode).toBe(202);
    await waitUntil(async () => (await t.db.prisma.usageRecord.count({ where: { accountId: c.accountId, status: 'pending' } })) === 0, 30_000, 'usage charged');

    // After the month: a credit that belongs to the next bill.
    const ahead = month.end.getTime() - t.clock.now().getTime() + 60_000;
    t.clock.advance(ahead);
    await creditCash(t.services, c.accountId, '7.00');
    t.clock.advance(-ahead);

    const run = await runMonthlyBills(t, new Date(month.end.getTime() + 60_000));
    await recordHistory(run.handle, 'monthly-bills');

    const listed = await get(`/v1/bills?month=${month.month}`, c.token);
    expect(listed.statusCode).toBe(200);
    const bills = listed.json().items as Array<Record<string, any>>;
    expect(bills).toHaveLength(1);
    const bill = bills[0]!;
    const cny = (amount: string) => ({ amount, currency: 'CNY' });
    const split = (cash: string, vouchers: string, prepaidCards: string, total: string) => ({ cash: cny(cash), vouchers: cny(vouchers), prepaidCards: cny(prepaidCards), total: cny(total) });
    expect(bill).toMatchObject({ kind: 'account', accountId: c.accountId, month: month.month, timeZone: SHANGHAI, currency: 'CNY', cloudAccount: null });
    expect(bill.account).toEqual({
      opening: split('1.00', '0.00', '0.00', '1.00'),
      movements: [
        { kind: 'recharge_voucher', change: split('0.00', '35.00', '0.00', '35.00') },
        { kind: 'recharge_prepaid_card', change: split('0.00', '0.00', '200.00', '200.00') },
        { kind: 'usage_charge', change: split('-44.50', '-30.00', '-200.00', '-274.50') },
        { kind: 'adjustment', change: split('12.34', '0.00', '0.00', '12.34') },
        { kind: 'expiry', change: split('0.00', '-5.00', '0.00', '-5.00') },
      ],
      paidBy: split('44.50', '30.00', '200.00', '274.50'),
      closing: split('-31.16', '0.00', '0.00', '-31.16'),
      arrears: { opening: cny('0.00'), closing: cny('31.16') },
      lines: [
        { workspaceId: ws1, site: 'cn1', item: 'logs', unit: 'GB', quantity: null, amount: cny('20.00'), records: 2 },
        { workspaceId: ws2, site: 'cn2', item: 'logs', unit: 'GB', quantity: null, amount: cny('250.00'), records: 1 },
        { workspaceId: ws2, site: 'cn2', item: 'metrics', unit: 'series', quantity: '3', amount: cny('4.50'), records: 1 },
      ],
      cloudAccountIds: [],
    });

    // And the ledger says the same, summed straight from its postings for the month's instants.
    const ledger = await t.db.prisma.$queryRaw<{ kind: string; total: string }[]>`
      SELECT CASE WHEN e.occurred_at < ${month.start} THEN 'opening' ELSE e.kind END AS kind, (-sum(p.amount_minor))::text AS total
      FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts la ON la.id = p.ledger_account_id
      WHERE la.account_id = ${c.accountId}::uuid AND e.occurred_at < ${month.end}
      GROUP BY 1`;
    const minor = (money: { amount: string; currency: string }) => Money.fromApi(money, { allowNegative: true }).minor.toString();
    expect(Object.fromEntries(ledger.map((row) => [row.kind, row.total]))).toEqual({
      opening: minor(bill.account.opening.total),
      ...Object.fromEntries((bill.account.movements as Array<{ kind: string; change: { total: { amount: string; currency: string } } }>).map((m) => [m.kind, minor(m.change.total)])),
    });
    const closingInLedger = ledger.reduce((sum, row) => sum + BigInt(row.total), 0n);
    expect(closingInLedger.toString()).toBe(minor(bill.account.closing.total));
    expect(await t.db.prisma.bill.findFirstOrThrow({ where: { id: bill.id } })).toMatchObject({ openingMinor: 100n, closingMinor: -3116n });

    // Only its owner sees it; finance sees every account's.
    expect((await get(`/v1/bills/${bill.id}`, c.token)).json()).toEqual(bill);
    expect((await get(`/v1/bills/${bill.id}`, other.token)).statusCode).toBe(404);
    expect((await get('/v1/bills', other.token)).json().items.map((b: { accountId: string }) => b.accountId)).not.toContain(c.accountId);
    const financeView = await get(`/v1/finance/bills?accountId=${c.accountId}`, finance.token);
    expect(financeView.json().items).toEqual([bill]);
    expect((await get('/v1/finance/bills', c.token)).statusCode).toBe(403);
  });

  it("states what was reported to each cloud account's marketplace, consolidated across sites, two hours after the month, bound or not", async () => {
    const c = await t.customer();
    const month = monthAt(t.clock.now(), SHANGHAI);
    const bindCloud = async (provider: string, externalAccountId: string) => {
      const bound = await t.app.inject({ method: 'POST', url: '/v1/account/cloud-accounts', headers: bearer(c.token), payload: { provider, externalAccountId } });
      expect(bound.statusCode).toBe(201);
      return bound.json() as { id: string; externalAccountId: string };
    };
    const digits = `${Date.now()}${n++}`;
    const aws = await bindCloud('aws', digits.slice(-12).padStart(12, '7'));
    const aliyun = await bindCloud('aliyun', digits.slice(-16).padStart(16, '7'));
    const [wsCn, wsUs] = [await bindWorkspace(c.token, 'cn1'), await bindWorkspace(c.token, 'us1')];
    // The hours as the metering closed them (its own tests cover how): two of logs, from both sites, and one of metrics.
    const hour = (h: number) => new Date(month.start.getTime() + h * 3_600_000);
    const report = async (cloud: { id: string; externalAccountId: string }, provider: string, h: number, item: string, quantity: string, reported: string, status: string, workspace: [string, string]) => {
      const row = await t.db.prisma.marketplaceReport.create({
        data: {
          cloudAccountId: cloud.id, accountId: c.accountId, provider, externalAccountId: cloud.externalAccountId, hourStart: hour(h), item,
          quantity, reportedQuantity: reported, recordCount: 1, status, deadline: hour(h + 6), createdAt: hour(h + 1),
        },
      });
      await t.db.prisma.usageRecord.create({
        data: {
          id: `rec-cloud-${n++}-${Date.now()}`, workspaceId: workspace[0], site: workspace[1], item, unit: 'GB', quantity, periodStart: hour(h), periodEnd: hour(h + 1), receivedAt: hour(h),
          accountId: c.accountId, status: 'cloud', contentHash: 'x'.repeat(64), cloudAccountId: cloud.id, marketplaceReportId: row.id,
        },
      });
    };
    await report(aws, 'aws', 1, 'logs', '1.5', '2', 'reported', [wsCn, 'cn1']);
    await report(aws, 'aws', 2, 'logs', '2', '2', 'late', [wsUs, 'us1']);
    await report(aws, 'aws', 2, 'metrics', '4', '4', 'refused', [wsCn, 'cn1']);
    // Everything reported, the AWS account is unbound before the month ends: its statement is still due.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/account/cloud-accounts/${aws.id}`, headers: bearer(c.token) })).statusCode).toBe(204);

    await runMonthlyBills(t, new Date(month.end.getTime() + 60_000));
    const [bill] = await billsOf(c.accountId, month.month);
    expect((bill!.content as { cloudAccountIds: string[] }).cloudAccountIds).toEqual([aws.id]);
    expect(await t.db.prisma.bill.count({ where: { kind: 'cloud_account', accountId: c.accountId } })).toBe(0);
    // The month's last hour, closed a few minutes after the month by the Alibaba Cloud account's metering.
    const lastHour = (month.end.getTime() - month.start.getTime()) / 3_600_000 - 1;
    await report(aliyun, 'aliyun', lastHour, 'logs', '0.25', '0.25', 'reported', [wsUs, 'us1']);

    const run = await runMonthlyBills(t, new Date(month.end.getTime() + 2 * 3_600_000));
    expect(run.totals.statements).toBeGreaterThanOrEqual(2);

    const listed = (await get(`/v1/bills?kind=cloud_account`, c.token)).json().items as Array<Record<string, any>>;
    expect(listed).toHaveLength(2);
    for (const statement of listed) expect(statement).toMatchObject({ kind: 'cloud_account', accountId: c.accountId, month: month.month, currency: null, account: null });
    const statementOf = (id: string) => listed.find((statement) => statement.cloudAccount.cloudAccountId === id)!.cloudAccount;
    const bySite = (a: { workspaceId: string }, b: { workspaceId: string }) => a.workspaceId.localeCompare(b.workspaceId);
    expect(statementOf(aws.id)).toEqual({
      cloudAccountId: aws.id,
      provider: 'aws',
      externalAccountId: aws.externalAccountId,
      lines: [
        {
          item: 'logs', hours: 2, quantity: '3.5', reportedQuantity: '2', records: 2, reports: { reported: 1, late: 1, refused: 0, pending: 0 },
          sources: [{ workspaceId: wsCn, site: 'cn1', quantity: '1.5', records: 1 }, { workspaceId: wsUs, site: 'us1', quantity: '2', records: 1 }].sort(bySite),
        },
        { item: 'metrics', hours: 1, quantity: '4', reportedQuantity: '0', records: 1, reports: { reported: 0, late: 0, refused: 1, pending: 0 }, sources: [{ workspaceId: wsCn, site: 'cn1', quantity: '4', records: 1 }] },
      ],
    });
    expect(statementOf(aliyun.id)).toMatchObject({
      provider: 'aliyun',
      lines: [{ item: 'logs', hours: 1, quantity: '0.25', reportedQuantity: '0.25', reports: { reported: 1 }, sources: [{ workspaceId: wsUs, site: 'us1' }] }],
    });
    const staff = (await get(`/v1/finance/bills?kind=cloud_account&accountId=${c.accountId}`, finance.token)).json().items;
    expect(staff.map((statement: { cloudAccount: { externalAccountId: string } }) => statement.cloudAccount.externalAccountId)).not.toContain(aws.externalAccountId);
    expect(staff[0].cloudAccount.externalAccountId).toContain('*');
    // A run later in the month issues neither again.
    expect((await runMonthlyBills(t, new Date(month.end.getTime() + 5 * 3_600_000))).totals.statements).toBe(0);
  });

  it('issues exactly one bill per account and month when runs overlap, are repeated, or lose their worker mid-run', { timeout: 240_000 }, async () => {
    await seedAccounts(t, 40, [SHANGHAI]);
    const all = await t.db.prisma.account.count();
    // The Los Angeles account of the first test closes its month later: not yet billed as of these instants.
    const accounts = await t.db.prisma.account.count({ where: { timezone: SHANGHAI } });
    const later = nextMonth(monthAt(t.clock.now(), SHANGHAI));
    const asOf = new Date(later.end.getTime() + 60_000);
    const exactlyOneEach = async (month: string) => {
      const perAccount = await t.db.prisma.bill.groupBy({ by: ['subjectId'], where: { kind: 'account', month }, _count: true });
      expect(perAccount).toHaveLength(accounts);
      expect(perAccount.every((row) => row._count === 1)).toBe(true);
    };

    // Two runs at once, over the same pages: between them, each account's bill is issued once.
    const [a, b] = await Promise.all([runMonthlyBills(t, asOf, { pageSize: 7 }), runMonthlyBills(t, asOf, { pageSize: 7 })]);
    expect(a.totals.bills + b.totals.bills).toBe(accounts);
    await exactlyOneEach(later.month);
    // A rerun (a retried schedule action) finds them all there.
    expect((await runMonthlyBills(t, asOf)).totals).toMatchObject({ accounts: all, bills: 0 });
    await exactlyOneEach(later.month);

    // A worker killed outright mid-run: the run goes on on another worker, and still issues each bill once.
    const following = nextMonth(later);
    const fastAgain = await slowBillInserts(t);
    await worker.shutdown();
    const doomed = spawnWorkerProcess({ databaseUrl: t.db.url, temporalAddress: t.temporal.address, taskQueue: t.temporal.taskQueue, mail: { dir: t.mailDir! } });
    try {
      await doomed.waitForOutput(/worker polling/, 60_000);
      const workflowId = `monthly-bills/killed-${Date.now()}`;
      const handle = await t.temporal.client.workflow.start('monthlyBills', {
        taskQueue: t.temporal.taskQueue,
        workflowId,
        args: [{ asOf: following.end.getTime() + 60_000, pageSize: 2 }],
      });
      await waitFor(async () => ((await t.db.prisma.bill.count({ where: { month: following.month } })) >= 6 ? true : undefined), 60_000, 'some bills');
      doomed.child.kill('SIGKILL');
      expect(await doomed.exited).toBe('SIGKILL');
      expect(await t.db.prisma.bill.count({ where: { month: following.month } })).toBeLessThan(accounts);
      await fastAgain();
      worker = await t.startWorker();
      const totals = await handle.result();
      expect(totals).toMatchObject({ accounts: all });
      expect(totals.runs).toBeGreaterThan(1);
    } finally {
      if (doomed.child.exitCode === null && doomed.child.signalCode === null) doomed.child.kill('SIGKILL');
    }
    await exactlyOneEach(following.month);
    expect(billingMonth(following.month, SHANGHAI).start.getTime()).toBe(later.end.getTime());
  });
});
