import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';

let testApp: TestApp;
let app: App;

beforeAll(async () => {
  testApp = await createTestApp();
  app = testApp.app;
});

afterAll(async () => {
  await testApp.close();
});

interface CloudAccountBody {
  id: string;
  provider: string;
  externalAccountId: string;
  createdAt: string;
  workspaceIds: string[];
}

let serial = 0;
/** Valid, distinct ids per provider (each test file has a database of its own). */
const ids = {
  aws: () => String(100_000_000_000 + ++serial),
  aliyun: () => String(1_000_000_000_000_000 + ++serial),
  huawei: () => (++serial).toString(16).padStart(32, 'a'),
};

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, type: string) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as { type: string; detail?: string; errors?: { path: string; message: string }[] };
  expect(body.type).toBe(`urn:billing-center:problem:${type}`);
  return body;
}

const bind = (token: string, payload: unknown) =>
  app.inject({ method: 'POST', url: '/v1/account/cloud-accounts', headers: bearer(token), payload: payload as object });

const unbind = (token: string, id: string) => app.inject({ method: 'DELETE', url: `/v1/account/cloud-accounts/${id}`, headers: bearer(token) });

async function list(token: string, query = ''): Promise<{ items: CloudAccountBody[]; nextCursor: string | null }> {
  const response = await app.inject({ method: 'GET', url: `/v1/account/cloud-accounts${query}`, headers: bearer(token) });
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function bound(token: string, provider: 'aws' | 'aliyun' | 'huawei', externalAccountId: string): Promise<CloudAccountBody> {
  const response = await bind(token, { provider, externalAccountId });
  expect(response.statusCode).toBe(201);
  return response.json();
}

describe('binding a cloud account', () => {
  it('binds an account of each provider and lists it with its full id for the owner', async () => {
    const { token } = await testApp.customer();
    const aws = ids.aws();
    const aliyun = ids.aliyun();
    const huawei = ids.huawei();
    const created = [await bound(token, 'aws', aws), await bound(token, 'aliyun', aliyun), await bound(token, 'huawei', huawei)];
    expect(created.map((c) => [c.provider, c.externalAccountId, c.workspaceIds])).toEqual([
      ['aws', aws, []],
      ['aliyun', aliyun, []],
      ['huawei', huawei, []],
    ]);
    const listed = await list(token);
    expect(listed.nextCursor).toBeNull();
    expect(listed.items.map((c) => c.id).sort()).toEqual(created.map((c) => c.id).sort());
    expect(listed.items.map((c) => c.externalAccountId).sort()).toEqual([aws, aliyun, huawei].sort());
  });

  it('stores the canonical spelling: AWS console grouping without hyphens, Huawei lower-case, trimmed', async () => {
    const { token } = await testApp.customer();
    const aws = ids.aws();
    const grouped = `${aws.slice(0, 4)}-${aws.slice(4, 8)}-${aws.slice(8)}`;
    expect((await bound(token, 'aws', ` ${grouped} `)).externalAccountId).toBe(aws);
    const huawei = ids.huawei();
    expect((await bound(token, 'huawei', huawei.toUpperCase())).externalAccountId).toBe(huawei);
  });

  it('refuses an id already bound to the caller with 409 cloud-account-already-bound, whatever its spelling', async () => {
    const { token } = await testApp.customer();
    const aws = ids.aws();
    await bound(token, 'aws', aws);
    const again = await bind(token, { provider: 'aws', externalAccountId: `${aws.slice(0, 4)}-${aws.slice(4, 8)}-${aws.slice(8)}` });
    expectProblem(again, 409, 'cloud-account-already-bound');
    expect((await list(token)).items).toHaveLength(1);
  });

  it('refuses an id bound to another account with 409 cloud-account-bound-elsewhere, without naming the owner', async () => {
    const owner = await testApp.customer({ name: 'Owner Of The Cloud' });
    const other = await testApp.customer();
    const aliyun = ids.aliyun();
    const first = await bound(owner.token, 'aliyun', aliyun);
    const refused = await bind(other.token, { provider: 'aliyun', externalAccountId: aliyun });
    expectProblem(refused, 409, 'cloud-account-bound-elsewhere');
    expect(refused.body).not.toContain(owner.accountId);
    expect(refused.body).not.toContain(owner.email);
    expect(refused.body).not.toContain('Owner Of The Cloud');
    expect(refused.body).not.toContain(first.id);
    expect((await list(other.token)).items).toEqual([]);
    expect((await list(owner.token)).items.map((c) => c.id)).toEqual([first.id]);
  });

  it('gives exactly one of many concurrent binds of one cloud account by different customers', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => testApp.customer()));
    const huawei = ids.huawei();
    const responses = await Promise.all(customers.map((c) => bind(c.token, { provider: 'huawei', externalAccountId: huawei })));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    for (const response of responses.filter((r) => r.statusCode === 409)) expectProblem(response, 409, 'cloud-account-bound-elsewhere');
    expect(await testApp.db.prisma.cloudAccount.count({ where: { provider: 'huawei', externalAccountId: huawei } })).toBe(1);
  });

  it.each([
    ['an empty id', { provider: 'aws', externalAccountId: '' }, 'external-account-id-empty', ['/body/externalAccountId']],
    ['a blank id', { provider: 'aws', externalAccountId: '   ' }, 'external-account-id-empty', ['/body/externalAccountId']],
    ['11 digits for AWS', { provider: 'aws', externalAccountId: '12345678901' }, 'external-account-id-format', ['/body/externalAccountId']],
    ['an AWS id for Alibaba Cloud', { provider: 'aliyun', externalAccountId: '123456789012' }, 'external-account-id-format', ['/body/externalAccountId']],
    ['a masked UID', { provider: 'aliyun', externalAccountId: '123456789012****' }, 'external-account-id-format', ['/body/externalAccountId']],
    ['a non-hex Huawei id', { provider: 'huawei', externalAccountId: 'z'.repeat(32) }, 'external-account-id-format', ['/body/externalAccountId']],
    ['an unknown provider', { provider: 'gcp', externalAccountId: '123456789012' }, 'validation', ['/body/provider']],
    ['a missing id', { provider: 'aws' }, 'validation', ['/body/externalAccountId']],
    ['a missing provider', { externalAccountId: '123456789012' }, 'validation', ['/body/provider']],
    ['an id of the wrong type', { provider: 'aws', externalAccountId: { id: '123456789012' } }, 'validation', ['/body/externalAccountId']],
    ['an overlong id', { provider: 'aws', externalAccountId: '1'.repeat(65) }, 'validation', ['/body/externalAccountId']],
    ['an extra field', { provider: 'aws', externalAccountId: '123456789012', accountId: 'someone' }, 'validation', ['/body/accountId']],
  ])('refuses %s with 400 naming the field, and binds nothing', async (_case, payload, type, paths) => {
    const { token } = await testApp.customer();
    const response = await bind(token, payload);
    const body = expectProblem(response, 400, type);
    expect(body.errors?.map((e) => e.path).sort()).toEqual(paths);
    expect(body.errors?.every((e) => e.message.length > 0)).toBe(true);
    expect((await list(token)).items).toEqual([]);
  });

  it('says what a valid id looks like when it refuses one', async () => {
    const { token } = await testApp.customer();
    const body = expectProblem(await bind(token, { provider: 'aws', externalAccountId: 'my-alias' }), 400, 'external-account-id-format');
    expect(body.errors?.[0]?.message).toMatch(/12 digits/);
  });
});

describe('unbinding a cloud account', () => {
  it('unbinds one no workspace settles to, and then it is gone', async () => {
    const { token } = await testApp.customer();
    const cloud = await bound(token, 'aws', ids.aws());
    expect((await unbind(token, cloud.id)).statusCode).toBe(204);
    expect((await list(token)).items).toEqual([]);
    expectProblem(await unbind(token, cloud.id), 404, 'not-found');
  });

  it('frees the id for binding again, by anyone', async () => {
    const first = await testApp.customer();
    const second = await testApp.customer();
    const aws = ids.aws();
    const cloud = await bound(first.token, 'aws', aws);
    expect((await unbind(first.token, cloud.id)).statusCode).toBe(204);
    expect((await bound(second.token, 'aws', aws)).externalAccountId).toBe(aws);
  });

  it('refuses with 409 while a workspace settles to it, lists that workspace, and allows it once the workspace moves', async () => {
    const { token, accountId } = await testApp.customer();
    const cloud = await bound(token, 'aliyun', ids.aliyun());
    const workspace = await app.inject({
      method: 'POST',
      url: '/v1/workspaces',
      headers: bearer(token),
      payload: { workspaceId: `ws-settles-${cloud.id}`, site: 'cn-hangzhou', name: 'Settles to the cloud' },
    });
    expect(workspace.statusCode).toBe(201);
    const workspaceId = (workspace.json() as { id: string }).id;
    // Settlement changes are their own issue; set the state they would leave behind directly.
    await testApp.db.prisma.workspace.update({ where: { id: workspaceId }, data: { settlement: 'cloud_account', cloudAccountId: cloud.id } });

    const refused = expectProblem(await unbind(token, cloud.id), 409, 'cloud-account-in-use');
    expect(refused.detail).toContain(workspaceId);
    const listed = await list(token);
    expect(listed.items).toEqual([expect.objectContaining({ id: cloud.id, workspaceIds: [workspaceId] })]);
    const row = await testApp.db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
    expect(row).toMatchObject({ accountId, settlement: 'cloud_account', cloudAccountId: cloud.id });

    await testApp.db.prisma.workspace.update({ where: { id: workspaceId }, data: { settlement: 'billing_center', cloudAccountId: null } });
    expect((await unbind(token, cloud.id)).statusCode).toBe(204);
    expect((await list(token)).items).toEqual([]);
  });

  it('refuses with 409 while its usage is still to be reported to the marketplace, and allows it once reported', async () => {
    const { token, accountId } = await testApp.customer();
    const cloud = await bound(token, 'aws', ids.aws());
    const hour = new Date(Date.UTC(2026, 10, 1, 10));
    await testApp.db.prisma.usageRecord.create({
      data: {
        id: `unreported-${cloud.id}`, workspaceId: 'ws-moved-away', site: 'cn1', item: 'logs', unit: 'GB', quantity: '1', periodStart: hour,
        periodEnd: new Date(hour.getTime() + 3_600_000), receivedAt: hour, accountId, status: 'cloud', cloudAccountId: cloud.id, contentHash: 'x'.repeat(64),
      },
    });
    expectProblem(await unbind(token, cloud.id), 409, 'cloud-account-metering-open');
    const report = await testApp.db.prisma.marketplaceReport.create({
      data: {
        cloudAccountId: cloud.id, accountId, provider: 'aws', externalAccountId: cloud.externalAccountId, hourStart: hour, item: 'logs', quantity: '1',
        reportedQuantity: '1', recordCount: 1, status: 'reported', deadline: hour, createdAt: hour,
      },
    });
    await testApp.db.prisma.usageRecord.update({ where: { id: `unreported-${cloud.id}` }, data: { marketplaceReportId: report.id } });
    expect((await unbind(token, cloud.id)).statusCode).toBe(204);
  });

  it('answers 404 for an unknown id and 400 for one that is not a UUID', async () => {
    const { token } = await testApp.customer();
    expectProblem(await unbind(token, '00000000-0000-4000-8000-000000000000'), 404, 'not-found');
    const body = expectProblem(await unbind(token, 'not-a-uuid'), 400, 'validation');
    expect(body.errors?.map((e) => e.path)).toEqual(['/params/id']);
  });
});

describe('cloud accounts belong to their account', () => {
  it('hides them from other customers: not listed, and 404 on unbind, which leaves them in place', async () => {
    const owner = await testApp.customer();
    const other = await testApp.customer();
    const cloud = await bound(owner.token, 'aws', ids.aws());
    expect((await list(other.token)).items).toEqual([]);
    const foreign = expectProblem(await unbind(other.token, cloud.id), 404, 'not-found');
    const unknown = expectProblem(await unbind(other.token, '00000000-0000-4000-8000-000000000000'), 404, 'not-found');
    expect(foreign.detail).toBe(unknown.detail);
    expect((await list(owner.token)).items.map((c) => c.id)).toEqual([cloud.id]);
  });

  it('answers 401 without credentials and 403 to staff and the platform', async () => {
    const support = await testApp.staff(['support', 'admin']);
    const key = await testApp.apiKey();
    const url = '/v1/account/cloud-accounts';
    const payload = { provider: 'aws', externalAccountId: ids.aws() };
    expectProblem(await app.inject({ method: 'GET', url }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'POST', url, payload }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'DELETE', url: `${url}/00000000-0000-4000-8000-000000000000` }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'GET', url, headers: bearer(support.token) }), 403, 'forbidden');
    expectProblem(await app.inject({ method: 'POST', url, headers: bearer(support.token), payload }), 403, 'forbidden');
    expectProblem(await app.inject({ method: 'GET', url, headers: { authorization: `ApiKey ${key}` } }), 403, 'forbidden');
    expect(await testApp.db.prisma.cloudAccount.count({ where: { externalAccountId: payload.externalAccountId } })).toBe(0);
  });
});

describe('listing cloud accounts', () => {
  it('pages newest first through every cloud account exactly once', async () => {
    const { token } = await testApp.customer();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await bound(token, 'aws', ids.aws())).id);

    const seen: CloudAccountBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const result = await list(token, query);
      expect(result.items.length).toBeLessThanOrEqual(2);
      seen.push(...result.items);
      cursor = result.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((c) => c.id).sort()).toEqual([...created].sort());
    const times = seen.map((c) => c.createdAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('refuses a cursor it did not give out and a limit out of range', async () => {
    const { token } = await testApp.customer();
    const get = (query: string) => app.inject({ method: 'GET', url: `/v1/account/cloud-accounts${query}`, headers: bearer(token) });
    expect(expectProblem(await get('?cursor=garbage'), 400, 'validation').errors?.map((e) => e.path)).toEqual(['/query/cursor']);
    for (const query of ['?limit=0', '?limit=201']) {
      const body = expectProblem(await get(query), 400, 'validation');
      expect(body.errors?.map((e) => e.path)).toEqual(['/query/limit']);
    }
  });
});
