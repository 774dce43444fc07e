import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthAt, type BillingMonth } from '../../src/domain/billing/period.js';
import { issueBillsPage } from '../../src/services/billing/issue.js';
import { Workflows } from '../../src/temporal/workflows.js';
import { encodeCursor } from '../../api/pagination.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { creditCash } from '../support/ledger.js';

let t: TestApp;
let a: { token: string; accountId: string };
let b: { token: string; accountId: string };
let finance: { token: string };
let months: BillingMonth[];

const issueAsOf = (at: Date) => issueBillsPage(t.services, { asOf: at, after: null, limit: 500 });
const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });

beforeAll(async () => {
  t = await createTestApp();
  a = await t.customer();
  b = await t.customer();
  finance = await t.staff(['finance']);
  await creditCash(t.services, a.accountId, '42.00');
  // Three months of bills, as three monthly runs would issue them.
  const first = monthAt(t.clock.now(), 'Asia/Shanghai');
  months = [first];
  while (months.length < 3) months.push(monthAt(months.at(-1)!.end, 'Asia/Shanghai'));
  for (const month of months) await issueAsOf(new Date(month.end.getTime() + 60_000));
});
afterAll(async () => {
  await t.close();
});

describe('bills for customers', () => {
  it('lists your own bills newest month first, page by page, and filters by month', async () => {
    const first = await get('/v1/bills?limit=2', a.token);
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((bill: { month: string }) => bill.month)).toEqual([months[2]!.month, months[1]!.month]);
    expect(first.json().items.every((bill: { accountId: string }) => bill.accountId === a.accountId)).toBe(true);
    const second = await get(`/v1/bills?limit=2&cursor=${first.json().nextCursor}`, a.token);
    expect(second.json()).toMatchObject({ items: [{ month: months[0]!.month }], nextCursor: null });
    // The month the money came in, and the months after it carry it.
    expect(second.json().items[0].account.movements).toEqual([{ kind: 'adjustment', change: expect.objectContaining({ total: { amount: '42.00', currency: 'CNY' } }) }]);
    expect(first.json().items[0].account).toMatchObject({ opening: { total: { amount: '42.00' } }, movements: [], closing: { total: { amount: '42.00' } } });

    const one = await get(`/v1/bills?month=${months[1]!.month}`, a.token);
    expect(one.json().items).toHaveLength(1);
    expect(one.json().items[0]).toMatchObject({ month: months[1]!.month, periodStart: months[1]!.start.toISOString(), periodEnd: months[1]!.end.toISOString() });
  });

  it("answers 404 for another account's bill, and never lists it", async () => {
    const theirs = (await get('/v1/bills', b.token)).json().items[0] as { id: string };
    expect((await get(`/v1/bills/${theirs.id}`, a.token)).statusCode).toBe(404);
    expect((await get(`/v1/bills/${theirs.id}`, b.token)).json()).toMatchObject({ id: theirs.id, accountId: b.accountId });
    expect((await get('/v1/bills?limit=200', a.token)).json().items.map((bill: { id: string }) => bill.id)).not.toContain(theirs.id);
  });

  it('refuses an unreadable month, cursor or id with a 400 that names the field', async () => {
    const month = await get('/v1/bills?month=2026-13', a.token);
    expect(month.statusCode).toBe(400);
    expect(month.json().errors[0].path).toBe('/query/month');
    const cursor = await get(`/v1/bills?cursor=${encodeCursor({ at: new Date(), id: 'not-a-bill' })}`, a.token);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().errors[0].path).toBe('/query/cursor');
    expect((await get('/v1/bills?cursor=garbage', a.token)).statusCode).toBe(400);
    expect((await get('/v1/bills/not-a-uuid', a.token)).statusCode).toBe(400);
  });
});

describe('bills for finance', () => {
  it("lists every account's bills, filtered by account, month and kind", async () => {
    const ofA = (await get(`/v1/finance/bills?accountId=${a.accountId}`, finance.token)).json();
    expect(ofA.items).toHaveLength(3);
    const month = (await get(`/v1/finance/bills?month=${months[0]!.month}&kind=account`, finance.token)).json();
    expect(month.items.map((bill: { accountId: string }) => bill.accountId).sort()).toEqual([a.accountId, b.accountId].sort());
    expect((await get('/v1/finance/bills?kind=cloud_account', finance.token)).json().items).toEqual([]);
    expect((await get('/v1/finance/bills?accountId=nope', finance.token)).statusCode).toBe(400);
  });
});

describe('issuing', () => {
  it('issues nothing twice, and nothing for an account opened after its month ended', async () => {
    const again = await issueAsOf(new Date(months[2]!.end.getTime() + 60_000));
    expect(again).toMatchObject({ bills: 0, nextAfter: null });
    // Opened now: the month before this one was over before it existed.
    const late = await t.customer();
    expect((await issueAsOf(new Date(months[0]!.start.getTime() + 60_000))).bills).toBe(0);
    expect(await t.db.prisma.bill.count({ where: { accountId: late.accountId } })).toBe(0);
    expect((await issueAsOf(new Date(months[0]!.end.getTime() + 60_000))).bills).toBe(1);
  });
});

describe('the monthly-bills schedule', () => {
  it('runs a minute past every quarter hour, so a run follows every time zone\'s midnight, and never overlaps itself', async () => {
    await new Workflows(t.temporal.client, t.temporal.taskQueue).ensureSchedules();
    const handles = ['usage-charging-sweeper', 'outbox-delivery', 'monthly-bills'].map((id) => t.temporal.client.schedule.getHandle(id));
    try {
      const schedule = await handles[2]!.describe();
      expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthlyBills', taskQueue: t.temporal.taskQueue });
      expect(schedule.policies.overlap).toBe('SKIP');
      const next = schedule.info.nextActionTimes;
      expect(next.length).toBeGreaterThanOrEqual(4);
      for (const at of next) {
        expect([1, 16, 31, 46]).toContain(at.getUTCMinutes());
        expect(at.getUTCSeconds()).toBe(0);
      }
      expect(next[1]!.getTime() - next[0]!.getTime()).toBe(15 * 60_000);
    } finally {
      // The run's Temporal server is shared with other files: leave no schedule firing on it.
      for (const handle of handles) await handle.delete();
    }
  });
});
