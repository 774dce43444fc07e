import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { bearer, createTestApp, STRONG_PASSWORD, type TestApp } from '../support/app.js';

let testApp: TestApp;
let app: App;
let platformKey: string;

beforeAll(async () => {
  testApp = await createTestApp();
  app = testApp.app;
  platformKey = await testApp.apiKey();
});

afterAll(async () => {
  await testApp.close();
});

interface WorkspaceBody {
  id: string;
  site: string;
  name: string;
  settlement: { method: string; cloudAccountId?: string; provider?: string };
  boundAt: string;
}

let serial = 0;
const newWorkspaceId = () => `ws-${Date.now().toString(36)}-${++serial}`;

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, type: string) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as { type: string; detail?: string; errors?: { path: string; message: string }[] };
  expect(body.type).toBe(`urn:billing-center:problem:${type}`);
  return body;
}

/** Each field once, however many of its rules it broke. */
const paths = (body: { errors?: { path: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.path))].sort();

const bind = (token: string, payload: unknown) =>
  app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(token), payload: payload as object });
const read = (token: string, id: string) => app.inject({ method: 'GET', url: `/v1/workspaces/${id}`, headers: bearer(token) });
const unbind = (token: string, id: string) => app.inject({ method: 'DELETE', url: `/v1/workspaces/${id}`, headers: bearer(token) });
const standing = (id: string, headers: Record<string, string> = { authorization: `ApiKey ${platformKey}` }) =>
  app.inject({ method: 'GET', url: `/v1/workspaces/${id}/standing`, headers });

async function list(token: string, query = ''): Promise<{ items: WorkspaceBody[]; nextCursor: string | null }> {
  const response = await app.inject({ method: 'GET', url: `/v1/workspaces${query}`, headers: bearer(token) });
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function bound(token: string, overrides: Partial<{ workspaceId: string; site: string; name: string }> = {}): Promise<WorkspaceBody> {
  const response = await bind(token, { workspaceId: newWorkspaceId(), site: 'cn-hangzhou', name: 'Production', ...overrides });
  expect(response.statusCode).toBe(201);
  return response.json();
}

describe('binding a workspace', () => {
  it('binds it to the caller, settled by the billing center, and shows it in the list and on its own', async () => {
    const { token } = await testApp.customer();
    const workspaceId = `Team.A:prod_1-${++serial}`;
    const response = await bind(token, { workspaceId, site: 'us1.example.com', name: 'Team A production' });
    expect(response.statusCode).toBe(201);
    const body = response.json() as WorkspaceBody;
    expect(body).toEqual({
      id: workspaceId,
      site: 'us1.example.com',
      name: 'Team A production',
      settlement: { method: 'billing_center' },
      boundAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect((await read(token, workspaceId)).json()).toEqual(body);
    expect((await list(token)).items).toEqual([body]);
  });

  it('refuses a workspace the caller already has with 409 workspace-already-bound, leaving it as it was', async () => {
    const { token } = await testApp.customer();
    const first = await bound(token, { name: 'Original' });
    expectProblem(await bind(token, { workspaceId: first.id, site: 'eu1', name: 'Renamed' }), 409, 'workspace-already-bound');
    expect((await read(token, first.id)).json()).toEqual(first);
  });

  it('refuses a workspace bound to another account with 409 workspace-bound-elsewhere, without naming it', async () => {
    const owner = await testApp.customer({ name: 'Rightful Owner' });
    const other = await testApp.customer();
    const first = await bound(owner.token, { name: 'Original' });
    const refused = await bind(other.token, { workspaceId: first.id, site: 'eu1', name: 'Hijack' });
    expectProblem(refused, 409, 'workspace-bound-elsewhere');
    expect(refused.body).not.toContain(owner.accountId);
    expect(refused.body).not.toContain(owner.email);
    expect(refused.body).not.toContain('Rightful Owner');
    expect((await read(owner.token, first.id)).json()).toEqual(first);
    expect((await list(other.token)).items).toEqual([]);
  });

  it('gives exactly one of 20 concurrent binds of one workspace by different customers', async () => {
    const customers = await Promise.all(Array.from({ length: 20 }, () => testApp.customer()));
    const workspaceId = newWorkspaceId();
    const responses = await Promise.all(customers.map((c, i) => bind(c.token, { workspaceId, site: 'cn-beijing', name: `Claim ${i}` })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, ...Array(19).fill(409)]);
    for (const response of responses.filter((r) => r.statusCode === 409)) expectProblem(response, 409, 'workspace-bound-elsewhere');

    const winner = customers[responses.findIndex((r) => r.statusCode === 201)]!;
    const rows = await testApp.db.prisma.workspace.findMany({ where: { id: workspaceId } });
    expect(rows.map((row) => row.accountId)).toEqual([winner.accountId]);
    for (const customer of customers.filter((c) => c !== winner)) expect((await read(customer.token, workspaceId)).statusCode).toBe(404);
  });

  it('gives exactly one of concurrent binds of one workspace by the same customer; the rest are already-bound', async () => {
    const { token } = await testApp.customer();
    const workspaceId = newWorkspaceId();
    const responses = await Promise.all(Array.from({ length: 5 }, () => bind(token, { workspaceId, site: 'cn-beijing', name: 'Twice' })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const response of responses.filter((r) => r.statusCode === 409)) expectProblem(response, 409, 'workspace-already-bound');
    expect((await list(token)).items.map((w) => w.id)).toEqual([workspaceId]);
  });

  const valid = { workspaceId: 'ws-valid', site: 'cn-hangzhou', name: 'Fine' };
  it.each([
    ['an empty workspace id', { ...valid, workspaceId: '' }, ['/body/workspaceId']],
    ['a workspace id of 65 characters', { ...valid, workspaceId: 'w'.repeat(65) }, ['/body/workspaceId']],
    ['a workspace id with a slash', { ...valid, workspaceId: 'ws/1' }, ['/body/workspaceId']],
    ['a workspace id with a space', { ...valid, workspaceId: 'ws 1' }, ['/body/workspaceId']],
    ['a workspace id with non-ASCII letters', { ...valid, workspaceId: 'wörkspace' }, ['/body/workspaceId']],
    ['a workspace id that is an object', { ...valid, workspaceId: { id: 'ws-1' } }, ['/body/workspaceId']],
    ['an empty site', { ...valid, site: '' }, ['/body/site']],
    ['a site of 65 characters', { ...valid, site: 's'.repeat(65) }, ['/body/site']],
    ['a site with a slash', { ...valid, site: 'cn/hangzhou' }, ['/body/site']],
    ['an empty name', { ...valid, name: '' }, ['/body/name']],
    ['a blank name', { ...valid, name: '   ' }, ['/body/name']],
    ['a name of 101 characters', { ...valid, name: 'n'.repeat(101) }, ['/body/name']],
    ['every field missing', {}, ['/body/name', '/body/site', '/body/workspaceId']],
    ['an extra field', { ...valid, accountId: '00000000-0000-4000-8000-000000000000' }, ['/body/accountId']],
    ['a settlement of its own', { ...valid, settlement: 'cloud_account' }, ['/body/settlement']],
  ])('refuses %s with 400 naming the field, and binds nothing', async (_case, payload, expected) => {
    const { token } = await testApp.customer();
    const body = expectProblem(await bind(token, payload), 400, 'validation');
    expect(paths(body)).toEqual(expected);
    expect((await list(token)).items).toEqual([]);
    expect(await testApp.db.prisma.workspace.count({ where: { id: 'ws-valid' } })).toBe(0);
  });

  it('accepts the edges of each field: 64-character id and site, 100-character name', async () => {
    const { token } = await testApp.customer();
    const workspaceId = `${++serial}`.padEnd(64, 'x');
    const body = await bound(token, { workspaceId, site: 'S'.repeat(64), name: 'N'.repeat(100) });
    expect(body).toMatchObject({ id: workspaceId, site: 'S'.repeat(64), name: 'N'.repeat(100) });
  });

  it('refuses a body that is not JSON with 415 and binds nothing', async () => {
    const { token } = await testApp.customer();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/workspaces',
      headers: { ...bearer(token), 'content-type': 'text/plain' },
      payload: 'workspaceId=ws-text',
    });
    expectProblem(response, 415, 'unsupported-media-type');
    expect((await list(token)).items).toEqual([]);
  });
});

describe('a workspace belongs to its account', () => {
  it('is 404 to another customer on read and unbind, exactly like an unknown one, and stays bound', async () => {
    const owner = await testApp.customer();
    const other = await testApp.customer();
    const workspace = await bound(owner.token);

    const foreignRead = expectProblem(await read(other.token, workspace.id), 404, 'not-found');
    const unknownRead = expectProblem(await read(other.token, 'ws-never-bound'), 404, 'not-found');
    expect(foreignRead.detail).toBe(unknownRead.detail);
    const foreignUnbind = expectProblem(await unbind(other.token, workspace.id), 404, 'not-found');
    expect(foreignUnbind.detail).toBe(expectProblem(await unbind(other.token, 'ws-never-bound'), 404, 'not-found').detail);

    expect((await list(other.token)).items).toEqual([]);
    expect((await read(owner.token, workspace.id)).json()).toEqual(workspace);
  });

  it('is for customers only: 401 without credentials, 403 to staff and to the platform', async () => {
    const staff = await testApp.staff(['support', 'finance', 'admin']);
    const payload = { workspaceId: newWorkspaceId(), site: 'cn-hangzhou', name: 'Nope' };
    expectProblem(await app.inject({ method: 'GET', url: '/v1/workspaces' }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'POST', url: '/v1/workspaces', payload }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'GET', url: '/v1/workspaces/ws-1' }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'DELETE', url: '/v1/workspaces/ws-1' }), 401, 'unauthenticated');
    expectProblem(await app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(staff.token), payload }), 403, 'forbidden');
    expectProblem(await app.inject({ method: 'GET', url: '/v1/workspaces', headers: bearer(staff.token) }), 403, 'forbidden');
    const asPlatform = { authorization: `ApiKey ${platformKey}` };
    expectProblem(await app.inject({ method: 'POST', url: '/v1/workspaces', headers: asPlatform, payload }), 403, 'forbidden');
    expectProblem(await app.inject({ method: 'GET', url: '/v1/workspaces', headers: asPlatform }), 403, 'forbidden');
    expect(await testApp.db.prisma.workspace.count({ where: { id: payload.workspaceId } })).toBe(0);
  });

  it('answers 400 for a workspace id in the path that could never be one', async () => {
    const { token } = await testApp.customer();
    const body = expectProblem(await read(token, 'w'.repeat(65)), 400, 'validation');
    expect(paths(body)).toEqual(['/params/workspaceId']);
  });
});

describe('unbinding a workspace', () => {
  it('unbinds it: 204, then 404 to its former owner, and free for another account to bind', async () => {
    const first = await testApp.customer();
    const second = await testApp.customer();
    const workspace = await bound(first.token);
    expect((await unbind(first.token, workspace.id)).statusCode).toBe(204);
    expectProblem(await read(first.token, workspace.id), 404, 'not-found');
    expectProblem(await unbind(first.token, workspace.id), 404, 'not-found');
    expect((await list(first.token)).items).toEqual([]);
    expect((await bound(second.token, { workspaceId: workspace.id })).id).toBe(workspace.id);
  });
});

describe('settlement as customers see it', () => {
  it('shows the cloud account and provider of a workspace settled by a cloud account', async () => {
    const { token } = await testApp.customer();
    const cloud = await app.inject({
      method: 'POST',
      url: '/v1/account/cloud-accounts',
      headers: bearer(token),
      payload: { provider: 'aws', externalAccountId: String(200_000_000_000 + ++serial) },
    });
    expect(cloud.statusCode).toBe(201);
    const cloudAccountId = (cloud.json() as { id: string }).id;
    const workspace = await bound(token);
    // Settlement changes are their own issue; set the state they would leave behind directly.
    await testApp.db.prisma.workspace.update({ where: { id: workspace.id }, data: { settlement: 'cloud_account', cloudAccountId } });

    const expected = { method: 'cloud_account', cloudAccountId, provider: 'aws' };
    expect(((await read(token, workspace.id)).json() as WorkspaceBody).settlement).toEqual(expected);
    expect((await list(token)).items.map((w) => w.settlement)).toEqual([expected]);
  });
});

describe('listing workspaces', () => {
  it('pages most recently bound first through every workspace exactly once, ties included', async () => {
    const { token, accountId } = await testApp.customer();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await bound(token)).id);
      testApp.clock.advance(1_000);
    }
    // Three bound in the same millisecond: the id breaks the tie, so none is skipped or repeated at a page edge.
    const tie = new Date(testApp.clock.now().getTime() - 86_400_000);
    await testApp.db.prisma.workspace.updateMany({ where: { id: { in: created.slice(1, 4) } }, data: { boundAt: tie } });
    const other = await testApp.customer();
    await bound(other.token);

    const seen: WorkspaceBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const result = await list(token, query);
      expect(result.items.length).toBeLessThanOrEqual(2);
      seen.push(...result.items);
      cursor = result.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);

    expect(pages).toBe(4);
    expect(seen.map((w) => w.id).sort()).toEqual([...created].sort());
    const ordered = await testApp.db.prisma.workspace.findMany({ where: { accountId }, orderBy: [{ boundAt: 'desc' }, { id: 'desc' }] });
    expect(seen.map((w) => w.id)).toEqual(ordered.map((row) => row.id));
    expect(seen.slice(0, 4).map((w) => w.id)).toEqual([created[6], created[5], created[4], created[0]]);
  });

  it('returns everything on one page with no next cursor when it fits', async () => {
    const { token } = await testApp.customer();
    await bound(token);
    await bound(token);
    const result = await list(token, '?limit=2');
    expect(result.items).toHaveLength(2);
    expect(result.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not give out and a limit out of range', async () => {
    const { token } = await testApp.customer();
    const get = (query: string) => app.inject({ method: 'GET', url: `/v1/workspaces${query}`, headers: bearer(token) });
    expect(paths(expectProblem(await get('?cursor=not-a-cursor'), 400, 'validation'))).toEqual(['/query/cursor']);
    for (const query of ['?limit=0', '?limit=201', '?limit=ten']) {
      expect(paths(expectProblem(await get(query), 400, 'validation'))).toEqual(['/query/limit']);
    }
  });
});

describe('workspace standing for the platform', () => {
  it('tells the platform a bound workspace is payable, who pays, how it settles, and zero arrears', async () => {
    const { token, accountId } = await testApp.customer();
    const workspace = await bound(token, { site: 'cn-shanghai' });
    const response = await standing(workspace.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      workspaceId: workspace.id,
      site: 'cn-shanghai',
      accountId,
      payable: true,
      settlement: 'billing_center',
      arrears: { amount: '0.00', currency: 'CNY' },
    });
  });

  it("states arrears in the paying account's currency and follows a cloud-account settlement", async () => {
    const register = await app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: `usd-${++serial}@example.com`, password: STRONG_PASSWORD, name: 'Dollar Customer', currency: 'USD' },
      remoteAddress: '10.99.0.1',
    });
    expect(register.statusCode).toBe(201);
    const { token } = register.json() as { token: string };
    const workspace = await bound(token);
    const cloud = await app.inject({
      method: 'POST',
      url: '/v1/account/cloud-accounts',
      headers: bearer(token),
      payload: { provider: 'huawei', externalAccountId: (++serial).toString(16).padStart(32, '0') },
    });
    expect(cloud.statusCode).toBe(201);
    await testApp.db.prisma.workspace.update({
      where: { id: workspace.id },
      data: { settlement: 'cloud_account', cloudAccountId: (cloud.json() as { id: string }).id },
    });
    expect((await standing(workspace.id)).json()).toMatchObject({
      settlement: 'cloud_account',
      payable: true,
      arrears: { amount: '0.00', currency: 'USD' },
    });
  });

  it('is 404 for a workspace bound to no account, including one just unbound', async () => {
    const { token } = await testApp.customer();
    expectProblem(await standing('ws-nobody-has'), 404, 'not-found');
    const workspace = await bound(token);
    expect((await standing(workspace.id)).statusCode).toBe(200);
    expect((await unbind(token, workspace.id)).statusCode).toBe(204);
    expectProblem(await standing(workspace.id), 404, 'not-found');
  });

  it('is for the platform key only: 403 to a customer (even the owner) and to staff, 401 without or with a bad key', async () => {
    const owner = await testApp.customer();
    const admin = await testApp.staff(['admin', 'finance']);
    const workspace = await bound(owner.token);
    expectProblem(await standing(workspace.id, bearer(owner.token)), 403, 'forbidden');
    expectProblem(await standing(workspace.id, bearer(admin.token)), 403, 'forbidden');
    expectProblem(await standing(workspace.id, {}), 401, 'unauthenticated');
    expectProblem(await standing(workspace.id, { authorization: 'ApiKey bck_not-a-real-key' }), 401, 'unauthenticated');
  });

  it('answers 400 for a workspace id that could never be one', async () => {
    const body = expectProblem(await standing('bad%20id'), 400, 'validation');
    expect(paths(body)).toEqual(['/params/workspaceId']);
  });
});
