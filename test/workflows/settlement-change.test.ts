import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudProvider } from '../../src/domain/identity/cloud-account-id.js';
import { HOUR_MS } from '../../src/domain/settlement/cutover.js';
import type { SandboxMarketplaceHandle } from '../../src/sandbox/marketplace/server.js';
import { workflowIds } from '../../src/temporal/workflows.js';
import { SearchAttributes } from '../../workflows/search-attributes.js';
import type { SettlementChangeResult } from '../../workflows/settlement-change-contract.js';
import { bearer, type TestApp } from '../support/app.js';
import { recordHistory } from '../support/histories.js';
import { creditCash, waitUntil } from '../support/ledger.js';
import { bindCloudAccount, createMarketplaceTestApp, externalAccountIds } from '../support/marketplace.js';

/**
 * Settlement migrations on real Temporal (time-skipping) and PostgreSQL against the sandbox marketplace, whose
 * clock is the Temporal test server's. The service's clock follows the server's before each request, so a
 * cut-over computed by the API is the one the workflow's timer waits for.
 */

let t: TestApp;
let sandbox: SandboxMarketplaceHandle;
let apiKey: string;
let closeAll: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ t, sandbox, close: closeAll } = await createMarketplaceTestApp());
  apiKey = await t.apiKey();
});
afterAll(async () => {
  await closeAll?.();
});

let n = 0;
const EXTERNAL_IDS = externalAccountIds(3);

interface ChangeBody {
  id: string;
  workspaceId: string;
  from: { method: string; cloudAccountId: string | null };
  to: { method: string; cloudAccountId: string | null };
  effective: string;
  cutoverAt: string;
  status: string;
  failure: { code: string; reason: string } | null;
  links: { self: string };
}

/** A customer in `timezone` with one workspace (settled by the billing center) and a cloud account of `provider`. */
async function customerWithWorkspace(provider: CloudProvider, timezone = 'Asia/Shanghai') {
  // Earlier tests skipped days: sign in at the server's time, or the token would be born expired.
  await t.followServerClock();
  const customer = await t.customer();
  const profile = await t.app.inject({ method: 'PATCH', url: '/v1/account', headers: bearer(customer.token), payload: { timezone } });
  expect(profile.statusCode).toBe(200);
  const cloud = await bindCloudAccount(t, customer.token, provider, EXTERNAL_IDS);
  const workspaceId = `ws-settle-${++n}`;
  const site = 'cn-hangzhou';
  const workspace = await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(customer.token), payload: { workspaceId, site, name: workspaceId } });
  expect(workspace.statusCode).toBe(201);
  await creditCash(t.services, customer.accountId, '1000.00');
  return { ...customer, workspaceId, site, provider, cloudAccountId: cloud.id, externalAccountId: cloud.externalAccountId };
}
type Customer = Awaited<ReturnType<typeof customerWithWorkspace>>;

async function requestChange(c: { token: string; workspaceId: string }, body: Record<string, unknown>, key = `settle-${++n}`) {
  await t.followServerClock();
  return t.app.inject({
    method: 'POST',
    url: `/v1/workspaces/${c.workspaceId}/settlement-changes`,
    headers: { ...bearer(c.token), 'idempotency-key': key },
    payload: body,
  });
}

async function follow(c: { token: string }, change: ChangeBody): Promise<ChangeBody> {
  const response = await t.app.inject({ method: 'GET', url: change.links.self, headers: bearer(c.token) });
  expect(response.statusCode).toBe(200);
  return response.json() as ChangeBody;
}

const handleOf = (change: ChangeBody) => t.temporal.client.workflow.getHandle(workflowIds.settlementChange(change.workspaceId, change.id));
/** Lets the server's time run (the test server skips timers while a result is awaited) until the change ends. */
const outcome = (change: ChangeBody) => t.temporal.workflow.result(workflowIds.settlementChange(change.workspaceId, change.id)) as Promise<SettlementChangeResult>;

async function sendUsage(c: Customer, periods: { at: number; amount: string }[]) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/usage',
    headers: { authorization: `ApiKey ${apiKey}` },
    payload: {
      records: periods.map((p) => ({
        id: `settle-usage-${++n}`,
        workspaceId: c.workspaceId,
        site: c.site,
        item: 'logs',
        unit: 'GB',
        periodStart: new Date(p.at).toISOString(),
        periodEnd: new Date(p.at + 30 * 60_000).toISOString(),
        amount: { amount: p.amount, currency: 'CNY' },
      })),
    },
  });
  expect(response.statusCode).toBe(202);
  return response.json() as { accepted: number; billable: number; cloud: number; held: number };
}

const usageOf = (workspaceId: string) =>
  t.db.prisma.usageRecord.findMany({ where: { workspaceId }, orderBy: { periodStart: 'asc' }, select: { periodStart: true, status: true, cloudAccountId: true, amountMinor: true } });
const workspaceRow = (workspaceId: string) => t.db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
const emailsOf = (accountId: string) => t.db.prisma.outboxMessage.findMany({ where: { accountId, kind: { startsWith: 'settlement-change' } } });
const waitForStatus = (c: Customer, change: ChangeBody, status: string) =>
  waitUntil(async () => (await follow(c, change)).status === status, 20_000, `change ${status}`);

describe('a settlement migration', () => {
  it('moves a workspace from the billing center to a cloud account at 00:00 on the 1st in Asia/Shanghai, usage routed by its period', async () => {
    const c = await customerWithWorkspace('aws', 'Asia/Shanghai');
    const response = await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'next_month' });
    expect(response.statusCode).toBe(202);
    const change = response.json() as ChangeBody;
    // 00:00 on the 1st in Shanghai is 16:00 UTC on the last day of the month before.
    const now = new Date(await t.temporal.serverNow());
    const shanghaiMonth = new Date(now.getTime() + 8 * HOUR_MS);
    const expected = Date.UTC(shanghaiMonth.getUTCFullYear(), shanghaiMonth.getUTCMonth() + 1, 1) - 8 * HOUR_MS;
    expect(change).toMatchObject({
      status: 'requested',
      effective: 'next_month',
      cutoverAt: new Date(expected).toISOString(),
      from: { method: 'billing_center', cloudAccountId: null },
      to: { method: 'cloud_account', cloudAccountId: c.cloudAccountId },
    });
    await waitForStatus(c, change, 'waiting');
    const cut = expected;

    // While it waits: usage before the cut-over is the billing center's; a period from the cut-over on is held.
    expect(await sendUsage(c, [{ at: cut - 2 * HOUR_MS, amount: '3.00' }, { at: cut, amount: '4.00' }])).toMatchObject({ billable: 1, held: 1 });

    expect(await outcome(change)).toEqual({ status: 'completed', failure: null });
    expect(await follow(c, change)).toMatchObject({ status: 'completed', failure: null });
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'cloud_account', cloudAccountId: c.cloudAccountId, settledSince: new Date(cut) });

    // After the switch: a late record of a period before the cut-over still goes to the billing center; later ones to the cloud.
    expect(await sendUsage(c, [{ at: cut - HOUR_MS, amount: '5.00' }, { at: cut + HOUR_MS, amount: '6.00' }])).toMatchObject({ billable: 1, cloud: 1, held: 0 });
    await waitUntil(async () => (await usageOf(c.workspaceId)).filter((u) => u.status === 'charged').length === 2, 20_000, 'charged');
    expect((await usageOf(c.workspaceId)).map((u) => [u.periodStart.getTime() - cut, u.status, u.cloudAccountId])).toEqual([
      [-2 * HOUR_MS, 'charged', null],
      [-HOUR_MS, 'charged', null],
      [0, 'cloud', c.cloudAccountId],
      [HOUR_MS, 'cloud', c.cloudAccountId],
    ]);
    // The customer is told once.
    expect((await emailsOf(c.accountId)).map((m) => [m.kind, m.businessKey, m.sentAt !== null])).toEqual([
      ['settlement-change-completed', `settlement-change/${change.id}/completed`, true],
    ]);
    // What operators see.
    const described = await handleOf(change).describe();
    expect(await described.staticSummary()).toContain(`Settlement of workspace ${c.workspaceId} (account ${c.accountId}): the billing center → cloud account ${c.cloudAccountId}`);
    expect(described.typedSearchAttributes.get(SearchAttributes.workspaceId)).toBe(c.workspaceId);
    expect(described.typedSearchAttributes.get(SearchAttributes.accountId)).toBe(c.accountId);
    expect(described.typedSearchAttributes.get(SearchAttributes.businessStatus)).toBe('completed');
    await recordHistory(handleOf(change), 'settlement-change-to-cloud');
  });

  it('moves a workspace from a cloud account back to the billing center at the next full hour: the hours before it are reported first', async () => {
    const c = await customerWithWorkspace('huawei');
    const requested = await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' });
    expect(requested.json()).toMatchObject({ status: 'requested' });
    const toCloud = requested.json() as ChangeBody;
    expect(await outcome(toCloud)).toMatchObject({ status: 'completed' });

    const back = await requestChange(c, { method: 'billing_center', effective: 'immediate' });
    expect(back.statusCode).toBe(202);
    const change = back.json() as ChangeBody;
    const cut = new Date(change.cutoverAt).getTime();
    expect(cut % HOUR_MS).toBe(0);
    expect(cut - (await t.temporal.serverNow())).toBeLessThanOrEqual(HOUR_MS);
    expect(change).toMatchObject({ from: { method: 'cloud_account', cloudAccountId: c.cloudAccountId }, to: { method: 'billing_center', cloudAccountId: null } });
    await waitForStatus(c, change, 'waiting');
    expect(await sendUsage(c, [{ at: cut - HOUR_MS, amount: '2.00' }, { at: cut, amount: '7.00' }])).toMatchObject({ cloud: 1, held: 1 });

    expect(await outcome(change)).toEqual({ status: 'completed', failure: null });
    // The cloud hour before the cut-over was reported to the marketplace before the switch; the held one is charged.
    expect(sandbox.book.list({ provider: 'huawei', account: c.externalAccountId }).map((r) => [r.hourStart, r.quantity])).toEqual([[cut - HOUR_MS, '2']]);
    await waitUntil(async () => (await usageOf(c.workspaceId)).some((u) => u.status === 'charged'), 20_000, 'charged');
    expect((await usageOf(c.workspaceId)).map((u) => [u.periodStart.getTime() - cut, u.status])).toEqual([
      [-HOUR_MS, 'cloud'],
      [0, 'charged'],
    ]);
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'billing_center', cloudAccountId: null, settledSince: new Date(cut) });
    // A record of the cloud period that arrives now still goes to the cloud account.
    expect(await sendUsage(c, [{ at: cut - HOUR_MS + 60_000, amount: '1.00' }])).toMatchObject({ cloud: 1 });
    await recordHistory(handleOf(change), 'settlement-change-to-billing-center');
  });

  it('cuts over at 00:00 on the 1st in America/New_York too', async () => {
    const c = await customerWithWorkspace('aliyun', 'America/New_York');
    const change = (await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'next_month' })).json() as ChangeBody;
    const cut = new Date(change.cutoverAt);
    // Midnight in New York: 05:00 UTC in winter, 04:00 in summer; on the 1st of the month.
    expect([4, 5]).toContain(cut.getUTCHours());
    const local = new Date(cut.getTime() - cut.getUTCHours() * HOUR_MS);
    expect(local.getUTCDate()).toBe(1);
    expect(await outcome(change)).toEqual({ status: 'completed', failure: null });
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'cloud_account', settledSince: cut });
  });
  it('moves a workspace from one cloud account to another at a chosen hour: each reports its own side of the cut-over', async () => {
    const c = await customerWithWorkspace('huawei');
    const second = await bindCloudAccount(t, c.token, 'aliyun', EXTERNAL_IDS);
    expect(await outcome((await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' })).json() as ChangeBody)).toMatchObject({
      status: 'completed',
    });
    const chosen = new Date(Math.floor((await t.temporal.serverNow()) / HOUR_MS) * HOUR_MS + 2 * HOUR_MS);
    const response = await requestChange(c, { method: 'cloud_account', cloudAccountId: second.id, effective: chosen.toISOString() });
    expect(response.statusCode).toBe(202);
    const change = response.json() as ChangeBody;
    expect(change).toMatchObject({ effective: 'at', cutoverAt: chosen.toISOString(), from: { cloudAccountId: c.cloudAccountId }, to: { cloudAccountId: second.id } });
    const cut = chosen.getTime();
    await waitForStatus(c, change, 'waiting');
    expect(await sendUsage(c, [{ at: cut - HOUR_MS, amount: '1.00' }, { at: cut, amount: '2.00' }])).toMatchObject({ cloud: 1, held: 1 });

    expect(await outcome(change)).toEqual({ status: 'completed', failure: null });
    expect(sandbox.book.list({ provider: 'huawei', account: c.externalAccountId }).map((r) => [r.hourStart, r.quantity])).toEqual([[cut - HOUR_MS, '1']]);
    expect((await usageOf(c.workspaceId)).map((u) => [u.periodStart.getTime() - cut, u.status, u.cloudAccountId])).toEqual([
      [-HOUR_MS, 'cloud', c.cloudAccountId],
      [0, 'cloud', second.id],
    ]);
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'cloud_account', cloudAccountId: second.id, settledSince: chosen });
  });
});

describe('a refused settlement migration', () => {
  it('fails at once when the marketplace refuses the target: the workspace stays where it was, the customer hears why', async () => {
    const c = await customerWithWorkspace('aws');
    sandbox.book.refuse('aws', c.externalAccountId, 'entitlement', 'no subscription to this product');
    const change = (await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' })).json() as ChangeBody;
    const result = await outcome(change);
    expect(result).toMatchObject({ status: 'failed', failure: { code: 'marketplace-refused', reason: expect.stringContaining('has no entitlement') } });
    expect(await follow(c, change)).toMatchObject({ status: 'failed', failure: { code: 'marketplace-refused' } });
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'billing_center', cloudAccountId: null, settledSince: null });
    expect((await emailsOf(c.accountId)).map((m) => m.kind)).toEqual(['settlement-change-failed']);
    // The workspace is free for the next change.
    sandbox.book.lift('aws', c.externalAccountId);
    expect((await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId })).statusCode).toBe(202);
  });

  it('compensates when the marketplace withdraws the entitlement before the switch: usage held since the cut-over goes back to the billing center', async () => {
    const c = await customerWithWorkspace('aws');
    const change = (await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' })).json() as ChangeBody;
    const cut = new Date(change.cutoverAt).getTime();
    await waitForStatus(c, change, 'waiting');
    expect(await sendUsage(c, [{ at: cut - HOUR_MS, amount: '1.50' }, { at: cut, amount: '2.50' }])).toMatchObject({ billable: 1, held: 1 });
    sandbox.book.refuse('aws', c.externalAccountId, 'entitlement', 'subscription cancelled at the marketplace');

    const result = await outcome(change);
    expect(result).toMatchObject({ status: 'failed', failure: { code: 'marketplace-refused', reason: expect.stringContaining('has no entitlement') } });
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'billing_center', cloudAccountId: null, settledSince: null });
    expect(await t.db.prisma.settlementPeriod.count({ where: { workspaceId: c.workspaceId } })).toBe(0);
    await waitUntil(async () => (await usageOf(c.workspaceId)).every((u) => u.status === 'charged'), 20_000, 'all charged');
    expect((await usageOf(c.workspaceId)).map((u) => [u.status, u.cloudAccountId, u.amountMinor])).toEqual([
      ['charged', null, 150n],
      ['charged', null, 250n],
    ]);
    expect(sandbox.book.list({ provider: 'aws', account: c.externalAccountId })).toEqual([]);
    expect((await emailsOf(c.accountId)).map((m) => [m.kind, m.subject])).toEqual([['settlement-change-failed', `Settlement of workspace ${c.workspaceId} not changed`]]);
    await recordHistory(handleOf(change), 'settlement-change-refused');
  });

  it('compensates when the marketplace refuses the reports that close the old cloud side: the workspace stays on the cloud account', async () => {
    const c = await customerWithWorkspace('huawei');
    const requested = await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' });
    expect(requested.json()).toMatchObject({ status: 'requested' });
    const toCloud = requested.json() as ChangeBody;
    expect(await outcome(toCloud)).toMatchObject({ status: 'completed' });
    const change = (await requestChange(c, { method: 'billing_center', effective: 'immediate' })).json() as ChangeBody;
    const cut = new Date(change.cutoverAt).getTime();
    await waitForStatus(c, change, 'waiting');
    expect(await sendUsage(c, [{ at: cut - HOUR_MS, amount: '2.00' }, { at: cut, amount: '3.00' }])).toMatchObject({ cloud: 1, held: 1 });
    sandbox.book.refuse('huawei', c.externalAccountId, 'account', 'account frozen by the marketplace');

    expect(await outcome(change)).toMatchObject({ status: 'failed', failure: { code: 'marketplace-refused', reason: expect.stringContaining('refused 1') } });
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'cloud_account', cloudAccountId: c.cloudAccountId });
    // The held record stays with the cloud account; nothing was charged to the billing center.
    expect((await usageOf(c.workspaceId)).map((u) => [u.periodStart.getTime() - cut, u.status, u.cloudAccountId])).toEqual([
      [-HOUR_MS, 'cloud', c.cloudAccountId],
      [0, 'cloud', c.cloudAccountId],
    ]);
  });
});

describe('an operator cancelling a migration', () => {
  it('ends the change as failed before the cut-over, with the workspace where it was and free for the next change', async () => {
    const c = await customerWithWorkspace('aws');
    const change = (await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'next_month' })).json() as ChangeBody;
    await waitForStatus(c, change, 'waiting');
    await handleOf(change).cancel();
    await expect(outcome(change)).rejects.toThrow();
    expect(await follow(c, change)).toMatchObject({ status: 'failed', failure: { code: 'cancelled' } });
    expect((await handleOf(change).describe()).status.name).toBe('CANCELLED');
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'billing_center', cloudAccountId: null, settledSince: null });
    expect((await emailsOf(c.accountId)).map((m) => m.kind)).toEqual(['settlement-change-failed']);
    expect((await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' })).statusCode).toBe(202);
    await recordHistory(handleOf(change), 'settlement-change-cancelled');
  });
});

describe('requests that cannot start a migration', () => {
  it('refuses a second change of a workspace while one is in flight, even when both arrive at once', async () => {
    const c = await customerWithWorkspace('aws');
    const [first, second] = await Promise.all([
      requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId }),
      requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([202, 409]);
    const refused = first.statusCode === 409 ? first : second;
    expect(refused.json()).toMatchObject({ type: 'urn:billing-center:problem:settlement-change-in-flight' });
    expect(await t.db.prisma.settlementChange.count({ where: { workspaceId: c.workspaceId } })).toBe(1);
    // And afterwards, one at a time.
    expect((await requestChange(c, { method: 'billing_center', effective: 'immediate' })).statusCode).toBe(409);
    // Unbinding the workspace or its target cloud account waits for the change too.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${c.workspaceId}`, headers: bearer(c.token) })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/account/cloud-accounts/${c.cloudAccountId}`, headers: bearer(c.token) })).statusCode).toBe(409);
  });

  it('refuses to move a workspace to a billing-center account in arrears', async () => {
    const c = await customerWithWorkspace('huawei');
    expect(await outcome((await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'immediate' })).json() as ChangeBody)).toMatchObject({
      status: 'completed',
    });
    await t.followServerClock();
    const finance = await t.staff(['finance']);
    const debit = await t.app.inject({
      method: 'POST',
      url: '/v1/finance/adjustments',
      headers: { ...bearer(finance.token), 'idempotency-key': `arrears-${++n}` },
      payload: { accountId: c.accountId, direction: 'debit', amount: { amount: '1500.00', currency: 'CNY' }, reason: 'correcting a double credit' },
    });
    expect(debit.statusCode).toBe(201);
    const refused = await requestChange(c, { method: 'billing_center', effective: 'immediate' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ type: 'urn:billing-center:problem:account-cannot-pay', detail: expect.stringContaining('arrears') });
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'cloud_account', cloudAccountId: c.cloudAccountId });
  });

  it('answers bad input with a 4xx and its reason, and changes nothing', async () => {
    const c = await customerWithWorkspace('aws');
    const other = await customerWithWorkspace('aws');
    const cases: [Record<string, unknown>, number, string][] = [
      [{ method: 'cloud_account', cloudAccountId: '00000000-0000-4000-8000-000000000000' }, 422, 'unknown-cloud-account'],
      [{ method: 'cloud_account', cloudAccountId: other.cloudAccountId }, 422, 'unknown-cloud-account'],
      [{ method: 'billing_center' }, 422, 'settlement-unchanged'],
      [{ method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: '2020-01-01T00:00:00Z' }, 422, 'effective-in-past'],
      [{ method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: '2099-01-01T00:30:00Z' }, 422, 'effective-not-on-hour'],
      [{ method: 'cloud_account' }, 400, 'validation'],
      [{ method: 'billing_center', cloudAccountId: c.cloudAccountId }, 400, 'validation'],
      [{ method: 'cloud_account', cloudAccountId: c.cloudAccountId, effective: 'tomorrow' }, 400, 'validation'],
      [{ method: 'paypal' }, 400, 'validation'],
    ];
    for (const [body, status, type] of cases) {
      const response = await requestChange(c, body);
      expect({ body, status: response.statusCode, type: (response.json() as { type: string }).type }).toEqual({
        body,
        status,
        type: `urn:billing-center:problem:${type}`,
      });
      expect((response.json() as { detail: string }).detail.length).toBeGreaterThan(0);
    }
    // Another customer's workspace is not found, exactly like one that does not exist.
    const foreign = await requestChange({ token: c.token, workspaceId: other.workspaceId }, { method: 'cloud_account', cloudAccountId: c.cloudAccountId });
    expect(foreign.statusCode).toBe(404);
    expect((await requestChange({ token: c.token, workspaceId: 'ws-never-bound' }, { method: 'cloud_account', cloudAccountId: c.cloudAccountId })).statusCode).toBe(404);
    // Nor can anyone follow another customer's change.
    const mine = (await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId })).json() as ChangeBody;
    expect((await t.app.inject({ method: 'GET', url: mine.links.self, headers: bearer(other.token) })).statusCode).toBe(404);
    // Nothing changed but the one valid request.
    expect(await t.db.prisma.settlementChange.count({ where: { workspaceId: { in: [c.workspaceId, other.workspaceId] } } })).toBe(1);
    expect(await workspaceRow(c.workspaceId)).toMatchObject({ settlement: 'billing_center', cloudAccountId: null });
    expect(await workspaceRow(other.workspaceId)).toMatchObject({ settlement: 'billing_center', cloudAccountId: null });
  });

  it('replays the first answer to a retried request with the same Idempotency-Key, and starts one change', async () => {
    const c = await customerWithWorkspace('aws');
    const first = await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId }, 'same-key');
    const again = await requestChange(c, { method: 'cloud_account', cloudAccountId: c.cloudAccountId }, 'same-key');
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    expect(await t.db.prisma.settlementChange.count({ where: { workspaceId: c.workspaceId } })).toBe(1);
  });
});
