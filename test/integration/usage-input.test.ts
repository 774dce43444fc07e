import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let key: string;
let workspaceId: string;
let customerToken: string;
beforeAll(async () => {
  t = await createTestApp();
  key = await t.apiKey();
  const customer = await t.customer();
  customerToken = customer.token;
  workspaceId = `ws-input-${Date.now()}`;
  await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(customer.token), payload: { workspaceId, site: 'cn1', name: 'W' } });
});
afterAll(async () => {
  await t.close();
});

let n = 0;
const good = (fields: Record<string, unknown> = {}) => ({
  id: `in-${Date.now()}-${n++}`,
  workspaceId,
  site: 'cn1',
  item: 'logs',
  unit: 'GB',
  periodStart: '2026-11-01T00:00:00Z',
  periodEnd: '2026-11-01T01:00:00Z',
  amount: { amount: '1.00', currency: 'CNY' },
  ...fields,
});
const send = (records: unknown[], headers: Record<string, string> = { authorization: `ApiKey ${key}` }) =>
  t.app.inject({ method: 'POST', url: '/v1/usage', headers, payload: { records } });

async function refusedWholly(records: unknown[], expectedPaths: string[]) {
  const before = await t.db.prisma.usageRecord.count();
  const response = await send(records);
  expect(response.statusCode).toBe(400);
  expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  const paths = (response.json().errors as { path: string }[]).map((e) => e.path);
  for (const path of expectedPaths) expect(paths).toContain(path);
  expect(await t.db.prisma.usageRecord.count()).toBe(before);
}

describe('usage input', () => {
  it.each([
    ['a negative quantity', { amount: undefined, quantity: '-1', unitPrice: '1' }, '/body/records/1/quantity'],
    ['a non-numeric quantity', { amount: undefined, quantity: 'ten', unitPrice: '1' }, '/body/records/1/quantity'],
    ['a unit price with 9 decimals', { amount: undefined, quantity: '1', unitPrice: '0.123456789' }, '/body/records/1/unitPrice'],
    ['an amount with 3 decimals', { amount: { amount: '1.005', currency: 'CNY' } }, '/body/records/1/amount/amount'],
    ['a period that ends before it starts', { periodEnd: '2026-10-31T23:00:00Z' }, '/body/records/1/periodEnd'],
    ['a leap second, which JavaScript cannot read as a time', { periodEnd: '2026-06-30T23:59:60Z' }, '/body/records/1/periodEnd'],
    ['both an amount and a quantity', { quantity: '1', unitPrice: '1' }, '/body/records/1/quantity'],
    ['neither an amount nor a quantity', { amount: undefined }, '/body/records/1/amount'],
    ['a quantity without a unit price', { amount: undefined, quantity: '1' }, '/body/records/1/unitPrice'],
    ["a currency other than the paying account's", { amount: { amount: '1.00', currency: 'USD' } }, '/body/records/1/amount/currency'],
    ['the wrong site for the workspace', { site: 'us1' }, '/body/records/1/site'],
    ['a malformed workspace id', { workspaceId: 'ws with spaces' }, '/body/records/1/workspaceId'],
    ['an unknown field', { price: '1' }, '/body/records/1/price'],
  ])('refuses the whole batch for %s, naming the record and field', async (_case, fields, path) => {
    await refusedWholly([good(), good(fields)], [path]);
  });

  it('refuses a batch that mixes currencies', async () => {
    await refusedWholly(
      [good({ workspaceId: 'unbound-1' }), good({ workspaceId: 'unbound-2', amount: { amount: '1.00', currency: 'USD' } })],
      ['/body/records/0/amount/currency', '/body/records/1/amount/currency'],
    );
  });

  it('refuses more than 1,000 records and an empty batch', async () => {
    await refusedWholly(Array.from({ length: 1001 }, () => good()), ['/body/records']);
    await refusedWholly([], ['/body/records']);
  });

  it('reports every invalid record of a batch at once', async () => {
    await refusedWholly([good({ quantity: '1', unitPrice: '1' }), good(), good({ periodEnd: '2020-01-01T00:00:00Z' })], [
      '/body/records/0/quantity',
      '/body/records/2/periodEnd',
    ]);
  });

  it('prices quantity × unit price half-to-even per record', async () => {
    const record = good({ amount: undefined, quantity: '3', unitPrice: '0.005' }); // 0.015 → 0.02
    expect((await send([record])).statusCode).toBe(202);
    expect((await t.db.prisma.usageRecord.findUniqueOrThrow({ where: { id: record.id } })).amountMinor).toBe(2n);
  });

  it('takes usage only from the platform', async () => {
    expect((await send([good()], {})).statusCode).toBe(401);
    expect((await send([good()], bearer(customerToken))).statusCode).toBe(403);
  });
});
