import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closesAt, HOUR_MS, hourOf } from '../../src/domain/marketplaces/rules.js';
import type { CloudProvider } from '../../src/domain/identity/cloud-account-id.js';
import type { SandboxMarketplaceHandle } from '../../src/sandbox/marketplace/server.js';
import { Workflows, workflowIds } from '../../src/temporal/workflows.js';
import { bearer, type TestApp } from '../support/app.js';
import { recordHistory } from '../support/histories.js';
import { waitUntil } from '../support/ledger.js';
import { bindCloudAccount, createMarketplaceTestApp, externalAccountIds } from '../support/marketplace.js';

/**
 * Marketplace metering on real Temporal (time-skipping) and PostgreSQL against the sandbox marketplace, whose
 * clock is the Temporal test server's: the workflow and the marketplace agree on what time it is, so deadlines
 * are judged the same on both sides however far a test skips.
 */

let t: TestApp;
let sandbox: SandboxMarketplaceHandle;
let apiKey: string;
let closeAll: (() => Promise<void>) | undefined;
let finance: string;

beforeAll(async () => {
  ({ t, sandbox, close: closeAll } = await createMarketplaceTestApp());
  apiKey = await t.apiKey();
  finance = (await t.staff(['finance'])).token;
});
afterAll(async () => {
  await closeAll?.();
});

let n = 0;
const EXTERNAL_IDS = externalAccountIds(2);

/** A customer with a cloud account of `provider` and one workspace per site, all settled to it. */
async function cloudCustomer(provider: CloudProvider, sites: string[]) {
  const customer = await t.customer();
  const cloud = await bindCloudAccount(t, customer.token, provider, EXTERNAL_IDS);
  const workspaceIds: string[] = [];
  for (const site of sites) {
    const workspaceId = `ws-${provider}-${site}-${++n}`;
    const response = await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(customer.token), payload: { workspaceId, site, name: workspaceId } });
    expect(response.statusCode).toBe(201);
    workspaceIds.push(workspaceId);
  }
  // What a completed settlement migration leaves behind (that workflow is not part of this slice).
  await t.db.prisma.workspace.updateMany({ where: { id: { in: workspaceIds } }, data: { settlement: 'cloud_account', cloudAccountId: cloud.id } });
  return { ...customer, cloudAccountId: cloud.id, externalAccountId: cloud.externalAccountId, workspaceIds, sites };
}

async function sendUsage(records: { workspaceId: string; site: string; item: string; hourStart: number; quantity: string }[]) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/usage',
    headers: { authorization: `ApiKey ${apiKey}` },
    payload: {
      records: records.map((r) => ({
        id: `mkt-${++n}`,
        workspaceId: r.workspaceId,
        site: r.site,
        item: r.item,
        unit: 'GB',
        periodStart: new Date(r.hourStart + 60_000).toISOString(),
        periodEnd: new Date(r.hourStart + 30 * 60_000).toISOString(),
        quantity: r.quantity,
        unitPrice: '0.5',
      })),
    },
  });
  expect(response.statusCode).toBe(202);
  expect((response.json() as { cloud: number }).cloud).toBe(records.length);
}

const reportsOf = (cloudAccountId: string) =>
  t.db.prisma.marketplaceReport.findMany({ where: { cloudAccountId }, orderBy: [{ hourStart: 'asc' }, { item: 'asc' }] });

async function meteringRuns(cloudAccountId: string) {
  const handle = t.temporal.client.workflow.getHandle(workflowIds.marketplaceMetering(cloudAccountId));
  await waitUntil(async () => (await handle.describe().catch(() => undefined))?.status.name === 'RUNNING', 10_000, 'metering started');
  return handle;
}

/** Lets the test server's time run, a step at a time, until `done` holds. */
async function skipUntil(done: () => Promise<boolean>, stepMs: number, what: string, maxSteps = 200) {
  for (let step = 0; step < maxSteps; step++) {
    if (await done()) return;
    await t.temporal.skip(stepMs);
    // The activities a fired timer started run in real time; give them a moment before looking again.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await waitUntil(done, 10_000, what);
}

const serverNow = () => t.temporal.serverNow();
const financeList = async (query: string) => {
  const response = await t.app.inject({ method: 'GET', url: `/v1/finance/marketplace-reports?${query}`, headers: bearer(finance) });
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: Record<string, unknown>[] }).items;
};

describe('marketplace metering', () => {
  it('reports two sites of one AWS cloud account as one consolidated hourly stream, traceable to workspaces and sites, zero hours included', async () => {
    const c = await cloudCustomer('aws', ['cn-hangzhou', 'us-east']);
    const H = hourOf(await serverNow());
    await sendUsage([
      { workspaceId: c.workspaceIds[0]!, site: 'cn-hangzhou', item: 'logs', hourStart: H, quantity: '1.25' },
      { workspaceId: c.workspaceIds[0]!, site: 'cn-hangzhou', item: 'logs', hourStart: H, quantity: '2' },
      { workspaceId: c.workspaceIds[1]!, site: 'us-east', item: 'logs', hourStart: H, quantity: '3.5' },
      { workspaceId: c.workspaceIds[1]!, site: 'us-east', item: 'metrics', hourStart: H, quantity: '7' },
    ]);
    const handle = await meteringRuns(c.cloudAccountId);
    await skipUntil(async () => (await reportsOf(c.cloudAccountId)).filter((r) => r.status === 'reported').length === 2, 10 * 60_000, 'hour reported');

    const reports = await reportsOf(c.cloudAccountId);
    expect(reports.map((r) => [new Date(r.hourStart).getTime(), r.item, r.quantity.toFixed(), r.reportedQuantity, r.recordCount, r.status])).toEqual([
      [H, 'logs', '6.75', '7', 3, 'reported'],
      [H, 'metrics', '7', '7', 1, 'reported'],
    ]);
    // The marketplace got one record per hour and item for the cloud account, not one per site.
    const received = sandbox.book.list({ provider: 'aws', account: c.externalAccountId });
    expect(received.map((r) => [r.hourStart, r.item, r.quantity, r.late])).toEqual([
      [H, 'logs', '7', false],
      [H, 'metrics', '7', false],
    ]);
    // Each usage record names the report that carried it.
    const linked = await t.db.prisma.usageRecord.groupBy({ by: ['marketplaceReportId'], where: { workspaceId: { in: c.workspaceIds } }, _count: true });
    expect(linked.map((l) => l._count).sort()).toEqual([1, 3]);
    const all = await financeList(`cloudAccountId=${c.cloudAccountId}&status=reported`);
    expect(all).toHaveLength(2);
    expect(all.find((r) => r.item === 'metrics')).toMatchObject({
      quantity: '7',
      sources: [{ workspaceId: c.workspaceIds[1], site: 'us-east', quantity: '7', records: 1 }],
    });
    expect(all.find((r) => r.item === 'logs')?.sources).toEqual([
      { workspaceId: c.workspaceIds[0], site: 'cn-hangzhou', quantity: '3.25', records: 2 },
      { workspaceId: c.workspaceIds[1], site: 'us-east', quantity: '3.5', records: 1 },
    ]);

    // The next hour had no usage: AWS still gets it, as zeros for the dimensions the account is metered for.
    await skipUntil(async () => (await reportsOf(c.cloudAccountId)).filter((r) => r.status === 'reported').length === 4, 10 * 60_000, 'zero hour reported');
    expect(sandbox.book.list({ provider: 'aws', account: c.externalAccountId }).filter((r) => r.hourStart === H + HOUR_MS).map((r) => [r.item, r.quantity])).toEqual([
      ['logs', '0'],
      ['metrics', '0'],
    ]);
    await recordHistory(handle, 'marketplace-metering');
  });

  it('retries through a marketplace outage within the deadline, and a retried batch is never reported twice', async () => {
    const c = await cloudCustomer('huawei', ['eu-west']);
    const H = hourOf(await serverNow());
    await sendUsage([{ workspaceId: c.workspaceIds[0]!, site: 'eu-west', item: 'traces', hourStart: H, quantity: '4' }]);
    // The next two calls to Huawei fail, as in an outage (nothing is sent before the hour closes).
    sandbox.book.fail('huawei', 2);
    await meteringRuns(c.cloudAccountId);
    await skipUntil(async () => (await reportsOf(c.cloudAccountId))[0]?.status === 'reported', 61_000, 'reported after retries');
    const [report] = await reportsOf(c.cloudAccountId);
    expect(report).toMatchObject({ status: 'reported', attempts: 3, lastError: null });
    expect(sandbox.book.calls.filter((call) => call.account === c.externalAccountId).map((call) => call.outcome)).toEqual(['unavailable', 'unavailable', 'accepted']);

    // The same report sent again (a worker that died after the marketplace took it): taken, not counted twice.
    await t.db.prisma.marketplaceReport.update({ where: { id: report!.id }, data: { status: 'pending' } });
    await skipUntil(async () => (await reportsOf(c.cloudAccountId))[0]?.status === 'reported', 61_000, 'reported again');
    expect(sandbox.book.list({ provider: 'huawei', account: c.externalAccountId }).map((r) => [r.item, r.quantity, r.late])).toEqual([['traces', '4', false]]);
  });

  it('marks usage the marketplace did not take by its deadline as late, for finance, never dropping it silently', async () => {
    const c = await cloudCustomer('aliyun', ['cn-beijing']);
    const H = hourOf(await serverNow());
    await sendUsage([{ workspaceId: c.workspaceIds[0]!, site: 'cn-beijing', item: 'logs', hourStart: H, quantity: '9.5' }]);
    await meteringRuns(c.cloudAccountId);
    sandbox.book.fail('aliyun', 1_000_000);
    await skipUntil(async () => (await reportsOf(c.cloudAccountId))[0]?.status === 'late', 10 * 60_000, 'late');
    sandbox.book.fail('aliyun', 0);
    const [report] = await reportsOf(c.cloudAccountId);
    expect(report!.attempts).toBeGreaterThan(1);
    expect(sandbox.book.list({ provider: 'aliyun', account: c.externalAccountId })).toEqual([]);
    const late = await financeList('status=late');
    expect(late.filter((r) => r.cloudAccountId === c.cloudAccountId)).toEqual([
      expect.objectContaining({ item: 'logs', quantity: '9.5', status: 'late', lastError: expect.stringMatching(/deadline/) }),
    ]);
  });

  it('checks the AWS entitlement before metering, and records a refusal with its reason', async () => {
    const c = await cloudCustomer('aws', ['cn-shanghai']);
    const H = hourOf(await serverNow());
    sandbox.book.refuse('aws', c.externalAccountId, 'entitlement', 'subscription cancelled at the marketplace');
    await sendUsage([{ workspaceId: c.workspaceIds[0]!, site: 'cn-shanghai', item: 'logs', hourStart: H, quantity: '1' }]);
    await meteringRuns(c.cloudAccountId);
    await skipUntil(async () => (await reportsOf(c.cloudAccountId))[0]?.status === 'refused', 10 * 60_000, 'refused');
    const refused = await financeList(`status=refused&cloudAccountId=${c.cloudAccountId}`);
    expect(refused).toEqual([expect.objectContaining({ item: 'logs', lastError: expect.stringContaining('no entitlement') })]);
    expect(sandbox.book.calls.filter((call) => call.account === c.externalAccountId)).toEqual([]);
  });

  it('starts the metering of usage whose wake-up was lost, when the sweeper runs; Huawei takes it late, before its 2 h limit', async () => {
    const c = await cloudCustomer('huawei', ['sa-east']);
    const H = hourOf(await serverNow()) - 2 * HOUR_MS;
    // Stored as the API stores it, but nobody was told (Temporal was unreachable).
    await t.db.prisma.usageRecord.create({
      data: {
        id: `mkt-lost-${++n}`, workspaceId: c.workspaceIds[0]!, site: 'sa-east', item: 'logs', unit: 'GB', quantity: '8', unitPrice: '0.5',
        amountMinor: 400n, currency: 'CNY', periodStart: new Date(H), periodEnd: new Date(H + HOUR_MS), receivedAt: new Date(H + HOUR_MS),
        accountId: c.accountId, status: 'cloud', cloudAccountId: c.cloudAccountId, contentHash: 'x'.repeat(64),
      },
    });
    await t.followServerClock(); // the sweeper's activity judges "waited too long" by the service's clock
    const sweep = await t.temporal.workflow.start('usageChargingSweep', { taskQueue: t.temporal.taskQueue, workflowId: `sweep-mkt-${n}` });
    expect(await t.temporal.workflow.result(sweep.workflowId)).toBeGreaterThanOrEqual(1);
    await meteringRuns(c.cloudAccountId);
    await waitUntil(async () => (await reportsOf(c.cloudAccountId))[0]?.status === 'reported', 20_000, 'reported');
    expect(sandbox.book.list({ provider: 'huawei', account: c.externalAccountId }).map((r) => [r.hourStart, r.quantity, r.late])).toEqual([[H, '8', true]]);
  });

  it('reports every hour before a cut-over at once when asked, and says what became of them', async () => {
    const c = await cloudCustomer('huawei', ['ap-southeast', 'cn-north']);
    const H = hourOf(await serverNow());
    await sendUsage([
      { workspaceId: c.workspaceIds[0]!, site: 'ap-southeast', item: 'logs', hourStart: H, quantity: '2' },
      { workspaceId: c.workspaceIds[1]!, site: 'cn-north', item: 'logs', hourStart: H, quantity: '3' },
    ]);
    const handle = await meteringRuns(c.cloudAccountId);
    const workflows = new Workflows(t.temporal.client, t.temporal.taskQueue);
    await expect(workflows.reportMarketplaceHoursBefore(c.cloudAccountId, new Date(H + HOUR_MS))).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/has not come yet/) },
    });
    // Just past the cut-over, before the hour would close by itself.
    await skipUntil(async () => (await serverNow()) >= H + HOUR_MS, 60_000, 'cut-over');
    expect(await serverNow()).toBeLessThan(closesAt(H));
    const closure = await workflows.reportMarketplaceHoursBefore(c.cloudAccountId, new Date(H + HOUR_MS));
    expect(closure).toEqual({ through: H + HOUR_MS, reported: 1, late: 0, refused: 0 });
    expect(sandbox.book.list({ provider: 'huawei', account: c.externalAccountId }).map((r) => [r.item, r.quantity])).toEqual([['logs', '5']]);
    await recordHistory(handle, 'marketplace-metering-cutover');
  });

  it('answers a cut-over with the refusals it met, so a settlement migration can compensate', async () => {
    const c = await cloudCustomer('aliyun', ['cn-shenzhen']);
    const H = hourOf(await serverNow());
    await sendUsage([{ workspaceId: c.workspaceIds[0]!, site: 'cn-shenzhen', item: 'logs', hourStart: H, quantity: '1' }]);
    await meteringRuns(c.cloudAccountId);
    sandbox.book.refuse('aliyun', c.externalAccountId, 'account', 'account frozen by the marketplace');
    await skipUntil(async () => (await serverNow()) >= H + HOUR_MS, 60_000, 'cut-over');
    const closure = await new Workflows(t.temporal.client, t.temporal.taskQueue).reportMarketplaceHoursBefore(c.cloudAccountId, new Date(H + HOUR_MS));
    expect(closure).toEqual({ through: H + HOUR_MS, reported: 0, late: 0, refused: 1 });
    expect((await reportsOf(c.cloudAccountId))[0]).toMatchObject({ status: 'refused', lastError: expect.stringContaining('account frozen') });
  });
});
