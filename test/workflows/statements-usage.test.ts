import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { creditCash, giveVoucher, waitUntil } from '../support/ledger.js';

/**
 * The statements as the customer sees them after the real path: the platform reports usage over HTTP and the
 * usage-charging workflow charges it on the worker.
 */

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

const cny = (amount: string) => ({ amount, currency: 'CNY' });
const get = async (token: string, url: string) => {
  const response = await t.app.inject({ method: 'GET', url, headers: bearer(token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Record<string, unknown> & { items?: Record<string, unknown>[] };
};

describe('statements after usage charged by the workflow', () => {
  it('shows reported usage with what paid it, the matching statement lines and the balances left', async () => {
    const c = await t.customer();
    const workspaceId = `ws-st-${Date.now().toString(36)}`;
    expect((await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(c.token), payload: { workspaceId, site: 'cn1', name: 'W' } })).statusCode).toBe(201);
    await creditCash(t.services, c.accountId, '20.00');
    const voucher = await giveVoucher(t.services, c.accountId, { amount: '8.00', expiresAt: new Date(Date.now() + 86_400_000) });

    const id = `st-rec-${Date.now().toString(36)}`;
    const reported = await t.app.inject({
      method: 'POST',
      url: '/v1/usage',
      headers: { authorization: `ApiKey ${apiKey}` },
      payload: {
        records: [
          { id: `${id}-1`, workspaceId, site: 'cn1', item: 'logs', unit: 'GB', periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-11-01T01:00:00Z', quantity: '3', unitPrice: '2.5' },
          { id: `${id}-2`, workspaceId, site: 'cn1', item: 'logs', unit: 'GB', periodStart: '2026-11-01T01:00:00Z', periodEnd: '2026-11-01T02:00:00Z', amount: cny('30.00') },
        ],
      },
    });
    expect(reported.statusCode).toBe(202);
    await waitUntil(async () => (await t.db.prisma.usageRecord.count({ where: { accountId: c.accountId, status: 'pending' } })) === 0, 30_000, 'usage charged');

    // 7.50 from the voucher; then 30.00: 0.50 left on the voucher, 29.50 from cash (20.00 there: 9.50 arrears).
    const consumption = await get(c.token, '/v1/statements/consumption');
    expect(consumption.items).toMatchObject([
      { id: `${id}-2`, amount: cny('30.00'), paidBy: [{ source: 'voucher', sourceId: voucher, amount: cny('0.50') }, { source: 'cash', sourceId: null, amount: cny('29.50') }] },
      { id: `${id}-1`, quantity: '3', unitPrice: '2.5', amount: cny('7.50'), paidBy: [{ source: 'voucher', sourceId: voucher, amount: cny('7.50') }] },
    ]);

    const lines = await get(c.token, '/v1/statements/income-expenditure');
    expect((lines.items ?? []).map((l) => [l.kind, (l.amount as { amount: string }).amount, (l.balanceAfter as { amount: string }).amount])).toEqual([
      ['usage_charge', '-30.00', '-9.50'],
      ['usage_charge', '-7.50', '20.50'],
      ['recharge_voucher', '8.00', '28.00'],
      ['adjustment', '20.00', '20.00'],
    ]);

    expect(await get(c.token, '/v1/balances')).toEqual({
      currency: 'CNY', cash: cny('-9.50'), vouchers: [], prepaidCards: [], total: cny('-9.50'), arrears: cny('9.50'),
    });
  });
});
