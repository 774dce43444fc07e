import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/generated/client.js';
import { inTransaction } from '../../src/db/transaction.js';
import {
  adjustmentEntry,
  cashRechargeEntry,
  customerPrepaidCard,
  customerVoucher,
  expiryEntry,
  prepaidCardRechargeEntry,
} from '../../src/domain/ledger/index.js';
import { Money } from '../../src/domain/money.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { postEntries, type EntryToPost } from '../../src/services/ledger/post-entries.js';
import { chargePendingUsage } from '../../src/services/usage/charge.js';
import { ingestUsage, type UsageRecordInput } from '../../src/services/usage/ingest.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { creditCash, giveVoucher } from '../support/ledger.js';

/**
 * Balances and statements, read through the API from a ledger built by the real services: usage is stored by
 * `ingestUsage` and charged by `chargePendingUsage` (what the charging workflow runs), recharges and
 * adjustments are posted with `postEntries`. test/workflows/statements-usage.test.ts covers the same through
 * POST /v1/usage and the worker.
 */

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

type MoneyBody = { amount: string; currency: string };
const cny = (amount: string): MoneyBody => ({ amount, currency: 'CNY' });
const DAY = 86_400_000;
let serial = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(serial++).toString(36)}`;

interface Customer {
  token: string;
  accountId: string;
  workspaceId: string;
}

async function customer(): Promise<Customer> {
  const c = await t.customer();
  const workspaceId = unique('ws');
  const bound = await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(c.token), payload: { workspaceId, site: 'cn1', name: 'W' } });
  expect(bound.statusCode).toBe(201);
  return { token: c.token, accountId: c.accountId, workspaceId };
}

async function get<T = Record<string, unknown>>(token: string, url: string): Promise<T> {
  const response = await t.app.inject({ method: 'GET', url, headers: bearer(token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as T;
}

/** Reports usage and charges it now, as the charging workflow would. */
async function charge(c: Customer, records: Partial<UsageRecordInput>[]): Promise<void> {
  const full = records.map((r) => ({
    id: unique('rec'),
    workspaceId: c.workspaceId,
    site: 'cn1',
    item: 'logs',
    unit: 'GB',
    periodStart: '2026-11-01T00:00:00.000Z',
    periodEnd: '2026-11-01T01:00:00.000Z',
    ...(r.quantity === undefined ? { amount: { amount: '10.00', currency: 'CNY' } } : {}),
    ...r,
  }));
  const result = await ingestUsage(t.services, full);
  expect(result.billable).toBe(full.length);
  await chargePendingUsage(t.services, c.accountId);
}

const post = (items: EntryToPost[]) =>
  inTransaction(t.db.prisma, (tx) => postEntries(tx, items, t.services.now()), { isolation: Prisma.TransactionIsolationLevel.ReadCommitted });

async function giveCard(accountId: string, cardId: string, amount: string, expiresAt: Date): Promise<void> {
  const entry = prepaidCardRechargeEntry({ rechargeId: unique('card'), billingAccountId: accountId, cardId, amount: Money.parse(amount, 'CNY') });
  const key = customerPrepaidCard(accountId, cardId, 'CNY').key;
  await post([{ entry, accountId, occurredAt: t.services.now(), sourceTerms: new Map([[key, { expiresAt }]]) }]);
}

async function rechargeCash(accountId: string, amount: string): Promise<void> {
  const entry = cashRechargeEntry({ rechargeId: unique('cash'), billingAccountId: accountId, amount: Money.parse(amount, 'CNY') });
  await post([{ entry, accountId, occurredAt: t.services.now() }]);
}

async function adjust(accountId: string, direction: 'credit' | 'debit', amount: string, reason: string): Promise<void> {
  const entry = adjustmentEntry({ adjustmentId: unique('adj'), billingAccountId: accountId, direction, amount: Money.parse(amount, 'CNY') });
  await post([{ entry, accountId, occurredAt: t.services.now(), details: { reason } }]);
}

/** Clears what is left on a voucher as its lifetime workflow does at expiry. */
async function expireVoucher(accountId: string, voucherId: string): Promise<void> {
  const account = await t.db.prisma.ledgerAccount.findUniqueOrThrow({ where: { key: customerVoucher(accountId, voucherId, 'CNY').key } });
  const entry = expiryEntry({ billingAccountId: accountId, source: { kind: 'voucher', id: voucherId }, remaining: Money.ofMinor(-account.netMinor, 'CNY') });
  if (entry) await post([{ entry, accountId, occurredAt: t.services.now() }]);
  await t.db.prisma.ledgerAccount.update({ where: { id: account.id }, data: { status: 'expired' } });
}

interface PageBody<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every page of a list, following nextCursor; `between` runs after each page (to change the data mid-walk). */
async function walk<T>(token: string, url: string, between: (pageNo: number) => Promise<void> = async () => {}): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const separator = url.includes('?') ? '&' : '?';
    const body: PageBody<T> = await get<PageBody<T>>(token, cursor === null ? url : `${url}${separator}cursor=${encodeURIComponent(cursor)}`);
    pages.push(body.items);
    cursor = body.nextCursor;
    await between(pages.length);
    expect(pages.length).toBeLessThan(100);
  } while (cursor !== null);
  return pages;
}

describe('GET /v1/balances', () => {
  it('shows exact cash, voucher and card balances after a recharge, two vouchers, a card and usage', async () => {
    const c = await customer();
    await rechargeCash(c.accountId, '100.00');
    const soon = new Date(Date.now() + DAY);
    const later = new Date(Date.now() + 2 * DAY);
    const cardExpiry = new Date(Date.now() + 30 * DAY);
    const spent = await giveVoucher(t.services, c.accountId, { amount: '15.00', expiresAt: soon });
    const left = await giveVoucher(t.services, c.accountId, { amount: '5.00', expiresAt: later });
    await giveCard(c.accountId, 'card-0001', '50.00', cardExpiry);
    // 18.00 is drawn soonest expiry first: 15.00 from the first voucher, 3.00 from the second.
    await charge(c, [{ amount: { amount: '18.00', currency: 'CNY' } }]);

    const body = await get(c.token, '/v1/balances');
    expect(body).toEqual({
      currency: 'CNY',
      cash: cny('100.00'),
      vouchers: [{ id: left, remaining: cny('2.00'), expiresAt: later.toISOString(), status: 'active' }],
      prepaidCards: [{ cardNo: 'card-0001', remaining: cny('50.00'), expiresAt: cardExpiry.toISOString(), status: 'active' }],
      total: cny('152.00'),
      arrears: cny('0.00'),
    });
    expect(JSON.stringify(body)).not.toContain(spent);
  });

  it('reports arrears as the negative part of cash, apart from vouchers that cannot pay, and a negative total', async () => {
    const c = await customer();
    await creditCash(t.services, c.accountId, '10.00');
    const metricsOnly = await giveVoucher(t.services, c.accountId, { amount: '30.00', expiresAt: new Date(Date.now() + DAY), scope: ['metrics'] });
    await charge(c, [{ item: 'logs', amount: { amount: '25.00', currency: 'CNY' } }]);
    expect(await get(c.token, '/v1/balances')).toMatchObject({
      cash: cny('-15.00'),
      vouchers: [{ id: metricsOnly, remaining: cny('30.00') }],
      total: cny('15.00'),
      arrears: cny('15.00'),
    });
    await charge(c, [{ item: 'logs', amount: { amount: '40.00', currency: 'CNY' } }]);
    expect(await get(c.token, '/v1/balances')).toMatchObject({ cash: cny('-55.00'), total: cny('-25.00'), arrears: cny('55.00') });
  });

  it('lists only active vouchers and cards that still hold money, but counts every source in the total', async () => {
    const c = await customer();
    const expiresAt = new Date(Date.now() + DAY);
    const active = await giveVoucher(t.services, c.accountId, { amount: '1.00', expiresAt });
    const revoked = await giveVoucher(t.services, c.accountId, { amount: '2.00', expiresAt });
    const expired = await giveVoucher(t.services, c.accountId, { amount: '4.00', expiresAt });
    await t.db.prisma.ledgerAccount.updateMany({ where: { sourceId: revoked }, data: { status: 'revoked' } });
    await expireVoucher(c.accountId, expired);
    const body = await get<{ vouchers: { id: string }[]; total: MoneyBody }>(c.token, '/v1/balances');
    expect(body.vouchers.map((v) => v.id)).toEqual([active]);
    // The revoked voucher's 2.00 is still the customer's in the ledger until an entry clears it.
    expect(body.total).toEqual(cny('3.00'));
  });
});

interface ConsumptionBody {
  id: string;
  workspaceId: string;
  item: string;
  quantity: string | null;
  unitPrice: string | null;
  amount: MoneyBody;
  periodStart: string;
  paidBy: { source: string; sourceId: string | null; amount: MoneyBody }[];
}

describe('GET /v1/statements/consumption', () => {
  it('shows each charge with its price and what paid it, split across voucher and cash in drawing order', async () => {
    const c = await customer();
    await creditCash(t.services, c.accountId, '100.00');
    const voucher = await giveVoucher(t.services, c.accountId, { amount: '15.00', expiresAt: new Date(Date.now() + DAY) });
    await charge(c, [
      { id: unique('a'), periodStart: '2026-11-01T00:00:00.000Z', periodEnd: '2026-11-01T01:00:00.000Z' },
      // 2.5 × 4.123 = 10.3075 → 10.31: 5.00 left on the voucher, 5.31 from cash.
      { id: unique('b'), periodStart: '2026-11-01T01:00:00.000Z', periodEnd: '2026-11-01T02:00:00.000Z', quantity: '2.5', unitPrice: '4.123' },
      { id: unique('free'), periodStart: '2026-10-31T00:00:00.000Z', periodEnd: '2026-10-31T01:00:00.000Z', quantity: '0', unitPrice: '4.123' },
    ]);
    const body = await get<PageBody<ConsumptionBody>>(c.token, '/v1/statements/consumption');
    expect(body.nextCursor).toBeNull();
    const [split, first, free] = body.items;
    expect(split).toMatchObject({
      workspaceId: c.workspaceId,
      site: 'cn1',
      item: 'logs',
      unit: 'GB',
      quantity: '2.5',
      unitPrice: '4.123',
      amount: cny('10.31'),
      periodStart: '2026-11-01T01:00:00.000Z',
      periodEnd: '2026-11-01T02:00:00.000Z',
      chargedAt: expect.stringMatching(/Z$/),
      paidBy: [
        { source: 'voucher', sourceId: voucher, amount: cny('5.00') },
        { source: 'cash', sourceId: null, amount: cny('5.31') },
      ],
    });
    expect(first).toMatchObject({ quantity: null, unitPrice: null, amount: cny('10.00'), paidBy: [{ source: 'voucher', sourceId: voucher, amount: cny('10.00') }] });
    expect(free).toMatchObject({ quantity: '0', amount: cny('0.00'), paidBy: [] });
  });

  it('leaves out usage not yet charged', async () => {
    const c = await customer();
    await ingestUsage(t.services, [
      { id: unique('pending'), workspaceId: c.workspaceId, site: 'cn1', item: 'logs', unit: 'GB', periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-11-01T01:00:00Z', amount: { amount: '1.00', currency: 'CNY' } },
    ]);
    expect((await get<PageBody<ConsumptionBody>>(c.token, '/v1/statements/consumption')).items).toEqual([]);
  });

  it('filters by workspace, item and period start, from inclusive and to exclusive', async () => {
    const c = await customer();
    const other = unique('ws');
    await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(c.token), payload: { workspaceId: other, site: 'cn1', name: 'Other' } });
    const at = (day: number) => ({ periodStart: `2026-11-0${day}T00:00:00.000Z`, periodEnd: `2026-11-0${day}T01:00:00.000Z` });
    await charge(c, [
      { id: 'f-1-logs', ...at(1) },
      { id: 'f-2-logs', ...at(2) },
      { id: 'f-2-metrics', item: 'metrics', ...at(2) },
      { id: 'f-3-logs', ...at(3) },
      { id: 'f-2-other', workspaceId: other, ...at(2) },
    ]);
    const ids = async (query: string) => (await get<PageBody<ConsumptionBody>>(c.token, `/v1/statements/consumption${query}`)).items.map((i) => i.id);
    expect(await ids(`?workspaceId=${c.workspaceId}`)).toEqual(['f-3-logs', 'f-2-metrics', 'f-2-logs', 'f-1-logs']);
    expect(await ids(`?workspaceId=${other}`)).toEqual(['f-2-other']);
    expect(await ids('?item=metrics')).toEqual(['f-2-metrics']);
    expect(await ids('?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z')).toEqual(['f-2-other', 'f-2-metrics', 'f-2-logs']);
    expect(await ids('?from=2026-11-02T00:00:00.001Z')).toEqual(['f-3-logs']);
    expect(await ids('?to=2026-11-02T00:00:00Z')).toEqual(['f-1-logs']);
    expect(await ids(`?item=logs&workspaceId=${c.workspaceId}&from=2026-11-02T00:00:00Z`)).toEqual(['f-3-logs', 'f-2-logs']);
  });

  it('walks every page once, newest period first and ties by id, while new usage arrives between pages', async () => {
    const c = await customer();
    // Eight records over four periods, two per period: the id breaks the tie.
    const records = [1, 2, 3, 4].flatMap((day) => ['x', 'y'].map((s) => ({ id: `w-${day}-${s}`, periodStart: `2026-11-0${day}T00:00:00.000Z`, periodEnd: `2026-11-0${day}T01:00:00.000Z` })));
    await charge(c, records);
    const expected = [...records].reverse().map((r) => r.id);
    const pages = await walk<ConsumptionBody>(c.token, '/v1/statements/consumption?limit=3', async (pageNo) => {
      // Newer usage after the first page belongs before the cursor: it must not appear again or shift the rest.
      if (pageNo === 1) await charge(c, [{ id: 'w-9-new', periodStart: '2026-11-09T00:00:00.000Z', periodEnd: '2026-11-09T01:00:00.000Z' }]);
    });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat().map((i) => i.id)).toEqual(expected);
    expect((await get<PageBody<ConsumptionBody>>(c.token, '/v1/statements/consumption?limit=1')).items[0]?.id).toBe('w-9-new');
  });
});

interface LineBody {
  id: string;
  kind: string;
  occurredAt: string;
  amount: MoneyBody;
  balanceAfter: MoneyBody;
  description: string;
  details: Record<string, unknown>;
  sources: { source: string; sourceId: string | null; amount: MoneyBody }[];
}

describe('GET /v1/statements/income-expenditure', () => {
  it('lists every movement newest first, with signed amounts, descriptions and the account total after each', async () => {
    const c = await customer();
    const totals: string[] = [];
    const step = async (move: () => Promise<unknown>) => {
      await move();
      t.clock.advance(1000);
      totals.push((await get<{ total: MoneyBody }>(c.token, '/v1/balances')).total.amount);
    };
    const recordId = unique('rec');
    let voucher = '';
    await step(() => rechargeCash(c.accountId, '100.00'));
    await step(async () => (voucher = await giveVoucher(t.services, c.accountId, { amount: '15.00', expiresAt: new Date(Date.now() + DAY) })));
    await step(() => charge(c, [{ id: recordId, amount: { amount: '20.00', currency: 'CNY' } }]));
    await step(() => adjust(c.accountId, 'credit', '3.50', 'goodwill for the outage'));
    await step(() => charge(c, [{ amount: { amount: '100.00', currency: 'CNY' } }]));
    await step(() => adjust(c.accountId, 'debit', '0.01', 'rounding'));
    expect(totals).toEqual(['100.00', '115.00', '95.00', '98.50', '-1.50', '-1.51']);

    const body = await get<PageBody<LineBody>>(c.token, '/v1/statements/income-expenditure');
    const oldestFirst = [...body.items].reverse();
    expect(oldestFirst.map((l) => l.balanceAfter.amount)).toEqual(totals);
    oldestFirst.forEach((line, i) => {
      const before = i === 0 ? 0n : BigInt(totals[i - 1]!.replace('.', ''));
      expect(BigInt(line.amount.amount.replace('.', ''))).toBe(BigInt(totals[i]!.replace('.', '')) - before);
    });
    expect(oldestFirst.map((l) => [l.kind, l.amount.amount, l.description])).toEqual([
      ['recharge_cash', '100.00', 'Cash recharge'],
      ['recharge_voucher', '15.00', `Voucher recharge (${voucher})`],
      ['usage_charge', '-20.00', `Usage logs (${recordId})`],
      ['adjustment', '3.50', 'Adjustment: goodwill for the outage'],
      ['usage_charge', '-100.00', expect.stringMatching(/^Usage logs \(rec-/)],
      ['adjustment', '-0.01', 'Adjustment: rounding'],
    ]);
    expect(oldestFirst[2]).toMatchObject({
      details: { usageRecordId: recordId, item: 'logs' },
      sources: [
        { source: 'voucher', sourceId: voucher, amount: cny('-15.00') },
        { source: 'cash', sourceId: null, amount: cny('-5.00') },
      ],
    });
    const ids = body.items.map((l) => BigInt(l.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(body.items[0]!.occurredAt > body.items.at(-1)!.occurredAt).toBe(true);
  });

  it('filters by kind and by time, from inclusive and to exclusive', async () => {
    const c = await customer();
    const start = t.services.now();
    await rechargeCash(c.accountId, '10.00');
    t.clock.advance(60_000);
    const middle = t.services.now();
    await charge(c, [{ amount: { amount: '1.00', currency: 'CNY' } }]);
    await adjust(c.accountId, 'credit', '2.00', 'sorry');
    t.clock.advance(60_000);
    const end = t.services.now();
    await charge(c, [{ amount: { amount: '3.00', currency: 'CNY' } }]);
    const kinds = async (query: string) =>
      (await get<PageBody<LineBody>>(c.token, `/v1/statements/income-expenditure${query}`)).items.map((l) => `${l.kind} ${l.amount.amount}`);
    expect(await kinds('?kind=usage_charge')).toEqual(['usage_charge -3.00', 'usage_charge -1.00']);
    expect(await kinds('?kind=expiry')).toEqual([]);
    expect(await kinds(`?from=${middle.toISOString()}&to=${end.toISOString()}`)).toEqual(['adjustment 2.00', 'usage_charge -1.00']);
    expect(await kinds(`?from=${start.toISOString()}&to=${middle.toISOString()}`)).toEqual(['recharge_cash 10.00']);
    expect(await kinds(`?kind=usage_charge&from=${end.toISOString()}`)).toEqual(['usage_charge -3.00']);
  });

  it('walks every entry exactly once, newest first, while new entries arrive between pages', async () => {
    const c = await customer();
    await creditCash(t.services, c.accountId, '1000.00');
    await charge(c, Array.from({ length: 11 }, (_, i) => ({ amount: { amount: `${i + 1}.00`, currency: 'CNY' } })));
    const before = await get<PageBody<LineBody>>(c.token, '/v1/statements/income-expenditure?limit=200');
    expect(before.items).toHaveLength(12);
    const pages = await walk<LineBody>(c.token, '/v1/statements/income-expenditure?limit=5', async (pageNo) => {
      if (pageNo === 1) await charge(c, [{ amount: { amount: '0.50', currency: 'CNY' } }]);
      if (pageNo === 2) await rechargeCash(c.accountId, '1.00');
    });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(before.items);
    const [newest] = (await get<PageBody<LineBody>>(c.token, '/v1/statements/income-expenditure?limit=1')).items;
    expect(newest).toMatchObject({ kind: 'recharge_cash', balanceAfter: cny('934.50') });
  });
});

interface SourceBody {
  id?: string;
  cardNo?: string;
  faceValue: MoneyBody;
  remaining: MoneyBody;
  validFrom: string | null;
  expiresAt: string | null;
  status: string;
  scope?: string[];
  minSpend?: MoneyBody | null;
  movements: { entryId: string; kind: string; occurredAt: string; amount: MoneyBody }[];
}

describe('GET /v1/vouchers and /v1/prepaid-cards', () => {
  it('lists vouchers of every status with face value, remaining, terms and their movements newest first', async () => {
    const c = await customer();
    const expiresAt = new Date(Date.now() + 10 * DAY);
    const scoped = await giveVoucher(t.services, c.accountId, { amount: '20.00', expiresAt, scope: ['logs'], minSpend: '5.00' });
    await charge(c, [{ amount: { amount: '4.00', currency: 'CNY' } }, { amount: { amount: '6.00', currency: 'CNY' } }]);
    const expired = await giveVoucher(t.services, c.accountId, { amount: '7.00', expiresAt });
    await expireVoucher(c.accountId, expired);

    const body = await get<PageBody<SourceBody>>(c.token, '/v1/vouchers');
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual([
      {
        id: expired,
        faceValue: cny('7.00'),
        remaining: cny('0.00'),
        validFrom: null,
        expiresAt: expiresAt.toISOString(),
        status: 'expired',
        scope: [],
        minSpend: null,
        movements: [
          { entryId: expect.any(String), kind: 'expiry', occurredAt: expect.any(String), amount: cny('-7.00') },
          { entryId: expect.any(String), kind: 'recharge_voucher', occurredAt: expect.any(String), amount: cny('7.00') },
        ],
      },
      {
        id: scoped,
        faceValue: cny('20.00'),
        // The 4.00 charge is below the voucher's minimum spend: cash paid it.
        remaining: cny('14.00'),
        validFrom: null,
        expiresAt: expiresAt.toISOString(),
        status: 'active',
        scope: ['logs'],
        minSpend: cny('5.00'),
        movements: [
          { entryId: expect.any(String), kind: 'usage_charge', occurredAt: expect.any(String), amount: cny('-6.00') },
          { entryId: expect.any(String), kind: 'recharge_voucher', occurredAt: expect.any(String), amount: cny('20.00') },
        ],
      },
    ]);
    expect((await get<PageBody<SourceBody>>(c.token, '/v1/vouchers?status=active')).items.map((v) => v.id)).toEqual([scoped]);
    expect((await get<PageBody<SourceBody>>(c.token, '/v1/vouchers?status=revoked')).items).toEqual([]);
  });

  it('shows only the 20 most recent movements of a voucher, newest first', async () => {
    const c = await customer();
    await giveVoucher(t.services, c.accountId, { amount: '100.00', expiresAt: new Date(Date.now() + DAY) });
    for (let i = 0; i < 25; i++) await charge(c, [{ amount: { amount: '1.00', currency: 'CNY' } }]);
    const [voucher] = (await get<PageBody<SourceBody>>(c.token, '/v1/vouchers')).items;
    expect(voucher?.remaining).toEqual(cny('75.00'));
    expect(voucher?.movements).toHaveLength(20);
    expect(voucher?.movements.every((m) => m.kind === 'usage_charge')).toBe(true);
    const entryIds = voucher!.movements.map((m) => BigInt(m.entryId));
    expect(entryIds).toEqual([...entryIds].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    const latest = await get<PageBody<LineBody>>(c.token, '/v1/statements/income-expenditure?kind=usage_charge&limit=1');
    expect(voucher?.movements[0]?.entryId).toBe(latest.items[0]?.id);
  });

  it('lists prepaid cards by card number, newest first, a page at a time, with a status filter', async () => {
    const c = await customer();
    const expiresAt = new Date(Date.now() + 5 * DAY);
    for (const cardNo of ['8000000000000001', '8000000000000002', '8000000000000003']) await giveCard(c.accountId, cardNo, '30.00', expiresAt);
    await charge(c, [{ amount: { amount: '12.34', currency: 'CNY' } }]);
    await t.db.prisma.ledgerAccount.updateMany({ where: { accountId: c.accountId, sourceId: '8000000000000003' }, data: { status: 'revoked' } });
    const pages = await walk<SourceBody>(c.token, '/v1/prepaid-cards?limit=2', async (pageNo) => {
      if (pageNo === 1) await giveCard(c.accountId, '8000000000000004', '1.00', expiresAt);
    });
    expect(pages.map((p) => p.map((card) => card.cardNo))).toEqual([['8000000000000003', '8000000000000002'], ['8000000000000001']]);
    const cards = pages.flat();
    expect(cards.map((card) => [card.status, card.faceValue.amount, card.remaining.amount])).toEqual([
      ['revoked', '30.00', '30.00'],
      ['active', '30.00', '30.00'],
      // All three expire together; the oldest is drawn first.
      ['active', '30.00', '17.66'],
    ]);
    expect(cards[2]).toMatchObject({ expiresAt: expiresAt.toISOString(), validFrom: null });
    expect(cards[2]).not.toHaveProperty('scope');
    const active = await get<PageBody<SourceBody>>(c.token, '/v1/prepaid-cards?status=active');
    expect(active.items.map((card) => card.cardNo)).toEqual(['8000000000000004', '8000000000000002', '8000000000000001']);
  });
});

describe('who sees what', () => {
  const routes = ['/v1/balances', '/v1/statements/consumption', '/v1/statements/income-expenditure', '/v1/vouchers', '/v1/prepaid-cards'];

  it("shows a customer only their own account's money, never another's", async () => {
    const rich = await customer();
    await creditCash(t.services, rich.accountId, '500.00');
    await giveVoucher(t.services, rich.accountId, { amount: '5.00', expiresAt: new Date(Date.now() + DAY) });
    await giveCard(rich.accountId, unique('card'), '9.00', new Date(Date.now() + DAY));
    await charge(rich, [{ amount: { amount: '1.00', currency: 'CNY' } }]);
    const other = await customer();
    await rechargeCash(other.accountId, '1.00');

    expect(await get(other.token, '/v1/balances')).toEqual({
      currency: 'CNY', cash: cny('1.00'), vouchers: [], prepaidCards: [], total: cny('1.00'), arrears: cny('0.00'),
    });
    expect((await get<PageBody<unknown>>(other.token, '/v1/statements/consumption')).items).toEqual([]);
    expect((await get<PageBody<LineBody>>(other.token, '/v1/statements/income-expenditure')).items.map((l) => l.kind)).toEqual(['recharge_cash']);
    expect((await get<PageBody<unknown>>(other.token, '/v1/vouchers')).items).toEqual([]);
    expect((await get<PageBody<unknown>>(other.token, '/v1/prepaid-cards')).items).toEqual([]);
    // A cursor from the other account's list moves within the caller's own list only.
    const richPage = await get<PageBody<LineBody>>(rich.token, '/v1/statements/income-expenditure?limit=1');
    const borrowed = await get<PageBody<LineBody>>(other.token, `/v1/statements/income-expenditure?cursor=${richPage.nextCursor}`);
    expect(borrowed.items.every((l) => l.kind === 'recharge_cash' && l.amount.amount === '1.00')).toBe(true);
    // And no route takes an account from the request.
    for (const url of routes) {
      const response = await t.app.inject({ method: 'GET', url: `${url}?accountId=${rich.accountId}`, headers: bearer(other.token) });
      expect(response.statusCode, url).toBe(400);
    }
  });

  it('refuses staff and the platform with 403 and anonymous callers with 401', async () => {
    const callers = [
      { name: 'finance', headers: bearer((await t.staff(['finance'])).token), status: 403 },
      { name: 'support', headers: bearer((await t.staff(['support'])).token), status: 403 },
      { name: 'admin', headers: bearer((await t.staff(['admin'])).token), status: 403 },
      { name: 'platform', headers: { authorization: `ApiKey ${await t.apiKey()}` }, status: 403 },
      { name: 'anonymous', headers: {}, status: 401 },
    ];
    for (const url of routes) {
      for (const caller of callers) {
        const response = await t.app.inject({ method: 'GET', url, headers: caller.headers });
        expect(response.statusCode, `${caller.name} ${url}`).toBe(caller.status);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
  });
});

describe('bad query input', () => {
  it('answers 400 with the offending /query path for each bad parameter', async () => {
    const c = await customer();
    const entryCursor = (id: string) => Buffer.from(JSON.stringify(['2026-11-01T00:00:00.000Z', id])).toString('base64url');
    const cases: [string, string][] = [
      ['/v1/balances?currency=USD', '/query/currency'],
      ['/v1/statements/income-expenditure?kind=refund', '/query/kind'],
      ['/v1/statements/income-expenditure?from=yesterday', '/query/from'],
      ['/v1/statements/income-expenditure?to=2026-13-01T00:00:00Z', '/query/to'],
      ['/v1/statements/income-expenditure?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', '/query/to'],
      ['/v1/statements/income-expenditure?from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z', '/query/to'],
      ['/v1/statements/income-expenditure?from=2026-12-31T23:59:60Z', '/query/from'],
      ['/v1/statements/consumption?to=2026-02-30T00:00:00Z', '/query/to'],
      ['/v1/statements/income-expenditure?limit=0', '/query/limit'],
      ['/v1/statements/income-expenditure?limit=201', '/query/limit'],
      ['/v1/statements/income-expenditure?limit=ten', '/query/limit'],
      ['/v1/statements/income-expenditure?cursor=garbage', '/query/cursor'],
      [`/v1/statements/income-expenditure?cursor=${entryCursor('not-a-number')}`, '/query/cursor'],
      [`/v1/statements/income-expenditure?cursor=${entryCursor('99999999999999999999')}`, '/query/cursor'],
      ['/v1/statements/income-expenditure?kind=usage_charge&kind=adjustment', '/query/kind'],
      ['/v1/statements/income-expenditure?accountId=x', '/query/accountId'],
      ['/v1/statements/consumption?from=2026-11-01', '/query/from'],
      ['/v1/statements/consumption?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', '/query/to'],
      ['/v1/statements/consumption?workspaceId=', '/query/workspaceId'],
      ['/v1/statements/consumption?item=a%20b', '/query/item'],
      ['/v1/statements/consumption?cursor=%%%', '/query/cursor'],
      ['/v1/statements/consumption?limit=-1', '/query/limit'],
      ['/v1/statements/consumption?sort=asc', '/query/sort'],
      ['/v1/vouchers?status=used', '/query/status'],
      [`/v1/vouchers?cursor=${entryCursor('1; DROP TABLE postings')}`, '/query/cursor'],
      ['/v1/prepaid-cards?limit=1000', '/query/limit'],
      ['/v1/prepaid-cards?cardNo=1', '/query/cardNo'],
    ];
    const failures: string[] = [];
    for (const [url, path] of cases) {
      const response = await t.app.inject({ method: 'GET', url, headers: bearer(c.token) });
      const body = response.json() as { type?: string; errors?: { path: string }[] };
      const paths = [...new Set((body.errors ?? []).map((e) => e.path))];
      if (response.statusCode !== 400 || body.type !== 'urn:billing-center:problem:validation' || paths.join() !== path) {
        failures.push(`${url}: ${response.statusCode} ${paths.join()}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
