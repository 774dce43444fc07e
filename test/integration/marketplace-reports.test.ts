import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHour } from '../../src/services/marketplaces/close-hour.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';

/**
 * Closing hours into consolidated reports (straight through the service, no workflow) and finance's list of
 * them: filters, pages, sources, and the refusals of bad input.
 */

let t: TestApp;
let finance: string;
beforeAll(async () => {
  t = await createTestApp();
  finance = (await t.staff(['finance'])).token;
});
afterAll(async () => {
  await t.close();
});

const H = Date.UTC(2026, 10, 20, 8);
const HOUR = 3_600_000;
let n = 0;

async function cloudAccount(provider: 'aws' | 'huawei', sites: string[]) {
  const customer = await t.customer();
  const externalAccountId = provider === 'aws' ? `${300000000000 + ++n}` : (++n).toString(16).padStart(32, 'b');
  const cloud = await t.db.prisma.cloudAccount.create({ data: { accountId: customer.accountId, provider, externalAccountId } });
  const workspaces = await Promise.all(
    sites.map((site) =>
      t.db.prisma.workspace.create({ data: { id: `ws-rep-${++n}`, site, name: 'W', accountId: customer.accountId, settlement: 'cloud_account', cloudAccountId: cloud.id } }),
    ),
  );
  const usage = async (workspace: number, item: string, at: number, fields: { quantity?: string; amountMinor?: bigint }) =>
    t.db.prisma.usageRecord.create({
      data: {
        id: `rep-${++n}`, workspaceId: workspaces[workspace]!.id, site: workspaces[workspace]!.site, item, unit: 'GB', quantity: fields.quantity ?? null,
        amountMinor: fields.amountMinor ?? null, currency: 'CNY', periodStart: new Date(at), periodEnd: new Date(at + 60_000), receivedAt: new Date(at),
        accountId: customer.accountId, status: 'cloud', cloudAccountId: cloud.id, contentHash: 'x'.repeat(64),
      },
    });
  return { cloud, workspaces, usage, accountId: customer.accountId, token: customer.token };
}

const list = (query: string, token = finance) => t.app.inject({ method: 'GET', url: `/v1/finance/marketplace-reports?${query}`, headers: bearer(token) });

describe('closing an hour of a cloud account', () => {
  it('sums every site per billing item exactly, links each record, and makes nothing new when closed again', async () => {
    const c = await cloudAccount('huawei', ['cn-1', 'eu-1']);
    await c.usage(0, 'logs', H + 60_000, { quantity: '0.1' });
    await c.usage(1, 'logs', H + 120_000, { quantity: '0.2' });
    // Priced by the platform (amount only): metered as the amount in major units.
    await c.usage(1, 'storage', H + 180_000, { amountMinor: 1234n });
    // Next hour's usage stays for the next hour.
    await c.usage(0, 'logs', H + HOUR, { quantity: '5' });

    expect(await closeHour(t.services, c.cloud.id, H, new Date(H + HOUR + 300_000))).toEqual({ created: 2 });
    expect(await closeHour(t.services, c.cloud.id, H, new Date(H + HOUR + 400_000))).toEqual({ created: 0 });
    const reports = await t.db.prisma.marketplaceReport.findMany({ where: { cloudAccountId: c.cloud.id }, orderBy: { item: 'asc' } });
    expect(reports.map((r) => [r.item, r.quantity.toFixed(), r.reportedQuantity, r.recordCount, r.status])).toEqual([
      ['logs', '0.3', '0.3', 2, 'pending'],
      ['storage', '12.34', '12.34', 1, 'pending'],
    ]);
    expect(await t.db.prisma.usageRecord.count({ where: { cloudAccountId: c.cloud.id, marketplaceReportId: null } })).toBe(1);
  });

  it('carries usage that arrived after its hour closed into the next hour, and records an hour closed past its deadline as late', async () => {
    const c = await cloudAccount('huawei', ['cn-1']);
    await c.usage(0, 'logs', H + 60_000, { quantity: '1' });
    await closeHour(t.services, c.cloud.id, H, new Date(H + HOUR + 300_000));
    await c.usage(0, 'logs', H + 90_000, { quantity: '2' }); // late arrival for H
    await c.usage(0, 'logs', H + HOUR + 60_000, { quantity: '3' });
    await closeHour(t.services, c.cloud.id, H + HOUR, new Date(H + 5 * HOUR)); // Huawei refuses from 2 h after the hour's end
    const next = await t.db.prisma.marketplaceReport.findFirstOrThrow({ where: { cloudAccountId: c.cloud.id, hourStart: new Date(H + HOUR) } });
    expect(next).toMatchObject({ recordCount: 2, carriedOver: 1, status: 'late', lastError: expect.stringMatching(/deadline/) });
    expect(next.quantity.toFixed()).toBe('5');
  });
});

describe('GET /v1/finance/marketplace-reports', () => {
  it('lists reports newest hour first with their sources, filtered by status and cloud account, page by page', async () => {
    const c = await cloudAccount('aws', ['cn-1', 'us-1']);
    for (const hour of [0, 1, 2]) {
      await c.usage(0, 'logs', H + hour * HOUR + 60_000, { quantity: '1.5' });
      await c.usage(1, 'logs', H + hour * HOUR + 60_000, { quantity: '2' });
      await closeHour(t.services, c.cloud.id, H + hour * HOUR, new Date(H + hour * HOUR + HOUR + 300_000));
    }
    await t.db.prisma.marketplaceReport.updateMany({ where: { cloudAccountId: c.cloud.id, hourStart: new Date(H + HOUR) }, data: { status: 'refused', lastError: 'not entitled' } });

    const first = await list(`cloudAccountId=${c.cloud.id}&limit=2`);
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as { items: { hourStart: string; status: string; quantity: string; reportedQuantity: string; sources: unknown[] }[]; nextCursor: string };
    expect(page1.items.map((r) => [r.hourStart, r.status])).toEqual([
      [new Date(H + 2 * HOUR).toISOString(), 'pending'],
      [new Date(H + HOUR).toISOString(), 'refused'],
    ]);
    expect(page1.items[0]).toMatchObject({ quantity: '3.5', reportedQuantity: '4', records: 2 });
    expect(page1.items[0]!.sources).toEqual([
      { workspaceId: c.workspaces[0]!.id, site: 'cn-1', quantity: '1.5', records: 1 },
      { workspaceId: c.workspaces[1]!.id, site: 'us-1', quantity: '2', records: 1 },
    ]);
    const second = (await list(`cloudAccountId=${c.cloud.id}&limit=2&cursor=${page1.nextCursor}`)).json() as { items: { hourStart: string }[]; nextCursor: string | null };
    expect(second.items.map((r) => r.hourStart)).toEqual([new Date(H).toISOString()]);
    expect(second.nextCursor).toBeNull();
    const refused = (await list(`status=refused&accountId=${c.accountId}`)).json() as { items: { lastError: string }[] };
    expect(refused.items).toEqual([expect.objectContaining({ lastError: 'not entitled' })]);
  });

  it('masks the marketplace account id for staff', async () => {
    const c = await cloudAccount('aws', ['cn-1']);
    await c.usage(0, 'logs', H + 60_000, { quantity: '1' });
    await closeHour(t.services, c.cloud.id, H, new Date(H + HOUR + 300_000));
    const [item] = ((await list(`cloudAccountId=${c.cloud.id}`)).json() as { items: { externalAccountId: string }[] }).items;
    expect(item!.externalAccountId).not.toBe(c.cloud.externalAccountId);
    expect(item!.externalAccountId.endsWith(c.cloud.externalAccountId.slice(-4))).toBe(true);
  });

  it('refuses bad filters and cursors with 400, and is for finance only', async () => {
    for (const query of ['status=lost', 'cloudAccountId=nope', 'limit=0', 'cursor=abc', `cursor=${Buffer.from(JSON.stringify([new Date().toISOString(), 'x1'])).toString('base64url')}`]) {
      const response = await list(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const customer = await t.customer();
    expect((await list('', customer.token)).statusCode).toBe(403);
  });
});

describe('GET /v1/account/cloud-accounts/{id}/marketplace-reports', () => {
  const own = (token: string, id: string, query = '') =>
    t.app.inject({ method: 'GET', url: `/v1/account/cloud-accounts/${id}/marketplace-reports${query}`, headers: bearer(token) });

  it("shows a customer its own cloud account's consolidated hours, and nobody else's", async () => {
    const c = await cloudAccount('huawei', ['cn-1', 'ap-1']);
    await c.usage(0, 'logs', H + 60_000, { quantity: '1' });
    await c.usage(1, 'logs', H + 60_000, { quantity: '2' });
    await closeHour(t.services, c.cloud.id, H, new Date(H + HOUR + 300_000));
    const mine = await own(c.token, c.cloud.id);
    expect(mine.statusCode).toBe(200);
    expect((mine.json() as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ item: 'logs', quantity: '3', externalAccountId: c.cloud.externalAccountId, sources: [expect.objectContaining({ site: 'cn-1', quantity: '1' }), expect.objectContaining({ site: 'ap-1', quantity: '2' })] }),
    ]);
    expect((await own(c.token, c.cloud.id, '?status=late')).json()).toEqual({ items: [], nextCursor: null });

    const other = await t.customer();
    expect((await own(other.token, c.cloud.id)).statusCode).toBe(404);
    expect((await own(c.token, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await own(c.token, 'not-a-uuid')).statusCode).toBe(400);
    expect((await own(finance, c.cloud.id)).statusCode).toBe(403);
  });
});
