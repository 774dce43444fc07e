import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';

let testApp: TestApp;
let app: App;
let support: { token: string; userId: string };

beforeAll(async () => {
  testApp = await createTestApp();
  app = testApp.app;
  support = await testApp.staff(['support']);
});

afterAll(async () => {
  await testApp.close();
});

// Numbers that pass the validators, and near-misses with a wrong check character.
const RESIDENT_ID = '11010519491231002X';
const RESIDENT_ID_MASKED = '110*************2X';
const CREDIT_CODE = '91350100M000100Y43';
const CREDIT_CODE_MASKED = '91************0Y43';
const BAD_RESIDENT_ID = '110105194912310021';
const BAD_CREDIT_CODE = '91350100M000100Y44';
const SENSITIVE = [RESIDENT_ID, CREDIT_CODE, BAD_RESIDENT_ID, BAD_CREDIT_CODE, '1101051949123100', '350100M000100Y'];

const individual = { type: 'individual', legalName: '张三', idNumber: RESIDENT_ID };
const enterprise = { type: 'enterprise', companyName: '福州示例科技有限公司', creditCode: CREDIT_CODE, legalRepresentative: '李四' };

interface Call {
  method: 'GET' | 'POST';
  url: string;
  token?: string;
  payload?: object;
}

/**
 * Every request of this file goes through here, so every response body is checked: no document number,
 * nor the middle of one, ever appears unmasked (case-insensitively, as `x` and `X` both occur).
 */
async function call({ method, url, token, payload }: Call) {
  const response = await app.inject({ method, url, ...(token ? { headers: bearer(token) } : {}), ...(payload ? { payload } : {}) });
  for (const number of SENSITIVE) expect(response.body.toUpperCase()).not.toContain(number);
  return response;
}

const submit = (token: string, payload: object) => call({ method: 'POST', url: '/v1/account/real-name', token, payload });
const status = (token: string) => call({ method: 'GET', url: '/v1/account/real-name', token });
const approve = (id: string, token = support.token) => call({ method: 'POST', url: `/v1/support/real-name-reviews/${id}/approve`, token });
const reject = (id: string, reason: unknown, token = support.token) =>
  call({ method: 'POST', url: `/v1/support/real-name-reviews/${id}/reject`, token, payload: { reason } as object });

async function accountStatus(token: string) {
  return ((await call({ method: 'GET', url: '/v1/account', token })).json() as { realNameStatus: string }).realNameStatus;
}

async function submitted(payload: object = individual) {
  const customer = await testApp.customer();
  const response = await submit(customer.token, payload);
  expect(response.statusCode).toBe(201);
  return { ...customer, verificationId: (response.json() as { id: string }).id };
}

const rowsOf = (accountId: string) => testApp.db.prisma.realNameVerification.findMany({ where: { accountId } });

/**
 * Registration is rate-limited per address, and every request here comes from one, so refusals that must
 * leave nothing behind share a customer: each case still checks that nothing was saved.
 */
let refused: Awaited<ReturnType<TestApp['customer']>> | undefined;
const refusedCustomer = async () => (refused ??= await testApp.customer());
let pendingForRefusals: Awaited<ReturnType<typeof submitted>> | undefined;

describe('submitting real-name data', () => {
  it('says "none" before anything was submitted', async () => {
    const customer = await testApp.customer();
    const response = await status(customer.token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'none' });
  });

  it('takes an individual’s submission as pending, stores the normalized number, and shows it masked', async () => {
    const customer = await testApp.customer();
    const response = await submit(customer.token, { ...individual, idNumber: ' 11010519491231002x ' });
    expect(response.statusCode).toBe(201);
    const view = response.json() as Record<string, unknown>;
    expect(view).toEqual({
      id: expect.any(String),
      status: 'pending',
      type: 'individual',
      legalName: '张三',
      companyName: null,
      legalRepresentative: null,
      documentNumber: RESIDENT_ID_MASKED,
      rejectionReason: null,
      submittedAt: expect.any(String),
      reviewedAt: null,
    });

    expect((await status(customer.token)).json()).toEqual(view);
    expect(await accountStatus(customer.token)).toBe('pending');
    const [row, ...more] = await rowsOf(customer.accountId);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ id: view.id, documentNumber: RESIDENT_ID, status: 'pending' });
  });

  it('takes an enterprise’s submission with its legal representative, masked the same way', async () => {
    const customer = await testApp.customer();
    const response = await submit(customer.token, enterprise);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      status: 'pending',
      type: 'enterprise',
      legalName: null,
      companyName: '福州示例科技有限公司',
      legalRepresentative: '李四',
      documentNumber: CREDIT_CODE_MASKED,
    });
    expect((await status(customer.token)).json()).toMatchObject({ type: 'enterprise', documentNumber: CREDIT_CODE_MASKED });
    expect(await rowsOf(customer.accountId)).toEqual([expect.objectContaining({ documentNumber: CREDIT_CODE })]);
  });

  it.each([
    ['a resident ID with a wrong check digit', { ...individual, idNumber: BAD_RESIDENT_ID }, '/body/idNumber', 'invalid-resident-id'],
    ['a resident ID of the wrong length', { ...individual, idNumber: '1101051949123100' }, '/body/idNumber', 'invalid-resident-id'],
    ['a credit code with a wrong check character', { ...enterprise, creditCode: BAD_CREDIT_CODE }, '/body/creditCode', 'invalid-credit-code'],
    ['a credit code of the wrong length', { ...enterprise, creditCode: '350100M000100Y' }, '/body/creditCode', 'invalid-credit-code'],
  ])('refuses %s with 400 at its field, without echoing it, and saves nothing', async (_label, payload, path, type) => {
    const customer = await refusedCustomer();
    const response = await submit(customer.token, payload);
    expect(response.statusCode).toBe(400);
    const body = response.json() as { type: string; detail: string; errors: { path: string; message: string }[] };
    expect(body.type).toBe(`urn:billing-center:problem:${type}`);
    expect(body.errors).toEqual([{ path, message: expect.stringMatching(/\w/) }]);
    expect(await rowsOf(customer.accountId)).toEqual([]);
    expect(await accountStatus(customer.token)).toBe('none');
    expect((await status(customer.token)).json()).toEqual({ status: 'none' });
  });

  it.each([
    ['an unknown property', { ...individual, nationality: 'CN' }],
    ['an unknown type', { ...individual, type: 'government' }],
    ['the fields of the other type', { type: 'individual', companyName: 'X', creditCode: CREDIT_CODE, legalRepresentative: 'Y' }],
    ['an enterprise without its legal representative', { type: 'enterprise', companyName: 'X', creditCode: CREDIT_CODE }],
    ['a blank legal name', { ...individual, legalName: '  ' }],
    ['no type', { legalName: '张三', idNumber: RESIDENT_ID }],
  ])('refuses a body with %s with 400 and saves nothing', async (_label, payload) => {
    const customer = await refusedCustomer();
    const response = await submit(customer.token, payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await rowsOf(customer.accountId)).toEqual([]);
  });

  it('refuses a second submission while the first is pending (409), keeping the first', async () => {
    const customer = await submitted();
    const again = await submit(customer.token, enterprise);
    expect(again.statusCode).toBe(409);
    expect((again.json() as { type: string }).type).toBe('urn:billing-center:problem:real-name-pending');
    expect(await rowsOf(customer.accountId)).toEqual([expect.objectContaining({ id: customer.verificationId, type: 'individual' })]);
  });

  it('lets only one of two simultaneous submissions through', async () => {
    const customer = await testApp.customer();
    const responses = await Promise.all([submit(customer.token, individual), submit(customer.token, enterprise)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await rowsOf(customer.accountId)).toHaveLength(1);
  });

  it('accepts a new submission after a rejection, and shows the new one as the latest', async () => {
    const customer = await submitted();
    expect((await reject(customer.verificationId, 'The name does not match the ID card.')).statusCode).toBe(200);

    const rejected = (await status(customer.token)).json();
    expect(rejected).toMatchObject({
      id: customer.verificationId,
      status: 'rejected',
      rejectionReason: 'The name does not match the ID card.',
      reviewedAt: expect.any(String),
    });
    expect(await accountStatus(customer.token)).toBe('rejected');

    const retry = await submit(customer.token, enterprise);
    expect(retry.statusCode).toBe(201);
    const latest = (await status(customer.token)).json() as { id: string };
    expect(latest).toMatchObject({ status: 'pending', type: 'enterprise', rejectionReason: null, reviewedAt: null });
    expect(latest.id).not.toBe(customer.verificationId);
    expect(await accountStatus(customer.token)).toBe('pending');
  });

  it('refuses any submission after an approval (409)', async () => {
    const customer = await submitted();
    expect((await approve(customer.verificationId)).statusCode).toBe(200);
    const again = await submit(customer.token, individual);
    expect(again.statusCode).toBe(409);
    expect((again.json() as { type: string }).type).toBe('urn:billing-center:problem:real-name-approved');
    expect(await rowsOf(customer.accountId)).toHaveLength(1);
    expect(await accountStatus(customer.token)).toBe('approved');
  });

  it('never shows a customer another customer’s submission', async () => {
    const owner = await submitted();
    const stranger = await testApp.customer();
    expect((await status(stranger.token)).json()).toEqual({ status: 'none' });
    expect(await accountStatus(stranger.token)).toBe('none');
    // Nor can a customer decide on one: review is staff work.
    expect((await approve(owner.verificationId, stranger.token)).statusCode).toBe(403);
    expect((await status(owner.token)).json()).toMatchObject({ status: 'pending' });
  });

  it('asks for a token (401) and refuses staff, who have no account (403)', async () => {
    expect((await call({ method: 'GET', url: '/v1/account/real-name' })).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: '/v1/account/real-name', payload: individual })).statusCode).toBe(401);
    expect((await status(support.token)).statusCode).toBe(403);
  });
});

describe('support reviews real-name submissions', () => {
  it('approves a pending submission, updates the account, and records who did it in the audit trail', async () => {
    const customer = await submitted(enterprise);
    const response = await approve(customer.verificationId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: customer.verificationId,
      accountId: customer.accountId,
      status: 'approved',
      reviewedById: support.userId,
      reviewedAt: expect.any(String),
      rejectionReason: null,
      documentNumber: CREDIT_CODE_MASKED,
    });
    expect(await accountStatus(customer.token)).toBe('approved');
    expect((await status(customer.token)).json()).toMatchObject({ status: 'approved', reviewedAt: expect.any(String) });

    const events = await testApp.db.prisma.auditEvent.findMany({ where: { targetType: 'real_name_verification', targetId: customer.verificationId } });
    expect(events).toEqual([expect.objectContaining({ actorId: support.userId, action: 'real_name.approved' })]);
    expect(JSON.stringify(events[0]?.details)).not.toContain(CREDIT_CODE);
  });

  it('rejects a pending submission with the reason the customer then reads, and audits it', async () => {
    const customer = await submitted();
    const response = await reject(customer.verificationId, 'The ID card photo is unreadable.');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'rejected',
      rejectionReason: 'The ID card photo is unreadable.',
      reviewedById: support.userId,
      documentNumber: RESIDENT_ID_MASKED,
    });
    expect((await status(customer.token)).json()).toMatchObject({ status: 'rejected', rejectionReason: 'The ID card photo is unreadable.' });

    const events = await testApp.db.prisma.auditEvent.findMany({ where: { targetId: customer.verificationId } });
    expect(events).toEqual([
      expect.objectContaining({
        actorId: support.userId,
        action: 'real_name.rejected',
        details: expect.objectContaining({ accountId: customer.accountId, reason: 'The ID card photo is unreadable.' }),
      }),
    ]);
    expect(JSON.stringify(events[0]?.details)).not.toContain(RESIDENT_ID);
  });

  it('lets an admin review too', async () => {
    const admin = await testApp.staff(['admin']);
    const customer = await submitted();
    const response = await approve(customer.verificationId, admin.token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ reviewedById: admin.userId });
  });

  it('decides only once: a reviewed submission cannot be approved or rejected again (409), nor audited twice', async () => {
    const customer = await submitted();
    expect((await approve(customer.verificationId)).statusCode).toBe(200);
    const twice = await approve(customer.verificationId);
    expect(twice.statusCode).toBe(409);
    expect((twice.json() as { type: string }).type).toBe('urn:billing-center:problem:real-name-not-pending');
    expect((await reject(customer.verificationId, 'Changed my mind.')).statusCode).toBe(409);
    expect(await accountStatus(customer.token)).toBe('approved');
    expect(await testApp.db.prisma.auditEvent.count({ where: { targetId: customer.verificationId } })).toBe(1);
  });

  it('answers 404 for an unknown submission and 400 for an id that is not one', async () => {
    expect((await approve('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await reject('00000000-0000-4000-8000-000000000000', 'No such thing.')).statusCode).toBe(404);
    expect((await approve('not-a-uuid')).statusCode).toBe(400);
  });

  it.each([
    ['an empty reason', ''],
    ['a blank reason', '   '],
    ['a reason over 500 characters', 'x'.repeat(501)],
    ['no reason', undefined],
  ])('refuses a rejection with %s (400) and leaves the submission pending', async (_label, reason) => {
    // One pending submission serves every case: each refusal must leave it exactly as it was.
    pendingForRefusals ??= await submitted();
    const customer = pendingForRefusals;
    const response = await reject(customer.verificationId, reason);
    expect(response.statusCode).toBe(400);
    expect((await status(customer.token)).json()).toMatchObject({ status: 'pending', rejectionReason: null });
    expect(await testApp.db.prisma.auditEvent.count({ where: { targetId: customer.verificationId } })).toBe(0);
  });

  it('lists submissions newest first, filtered by status, with masked numbers only', async () => {
    const first = await submitted(individual);
    const second = await submitted(enterprise);
    const response = await call({ method: 'GET', url: '/v1/support/real-name-reviews?status=pending&limit=200', token: support.token });
    expect(response.statusCode).toBe(200);
    const { items } = response.json() as { items: { id: string; status: string; documentNumber: string; accountId: string }[] };
    expect(items.every((item) => item.status === 'pending')).toBe(true);
    const ids = items.map((item) => item.id);
    expect(ids.indexOf(second.verificationId)).toBeLessThan(ids.indexOf(first.verificationId));
    expect(ids.indexOf(first.verificationId)).toBeGreaterThanOrEqual(0);
    expect(items.find((item) => item.id === first.verificationId)).toMatchObject({ accountId: first.accountId, documentNumber: RESIDENT_ID_MASKED });
    expect(items.find((item) => item.id === second.verificationId)).toMatchObject({ documentNumber: CREDIT_CODE_MASKED });

    expect((await reject(first.verificationId, 'Blurry.')).statusCode).toBe(200);
    const rejected = await call({ method: 'GET', url: '/v1/support/real-name-reviews?status=rejected&limit=200', token: support.token });
    const rejectedIds = (rejected.json() as { items: { id: string }[] }).items.map((item) => item.id);
    expect(rejectedIds).toContain(first.verificationId);
    expect(rejectedIds).not.toContain(second.verificationId);
  });

  it('pages through every submission exactly once by cursor', async () => {
    for (let i = 0; i < 3; i++) await submitted();
    const all = await call({ method: 'GET', url: '/v1/support/real-name-reviews?limit=200', token: support.token });
    const expected = (all.json() as { items: { id: string }[] }).items.map((item) => item.id);
    expect(expected.length).toBeGreaterThanOrEqual(3);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/support/real-name-reviews?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await call({ method: 'GET', url, token: support.token });
      expect(response.statusCode).toBe(200);
      const body = response.json() as { items: { id: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it('refuses a cursor it did not give out and a status it does not know (400)', async () => {
    expect((await call({ method: 'GET', url: '/v1/support/real-name-reviews?cursor=garbage', token: support.token })).statusCode).toBe(400);
    expect((await call({ method: 'GET', url: '/v1/support/real-name-reviews?status=maybe', token: support.token })).statusCode).toBe(400);
  });

  it('is staff work: customers and other staff roles get 403, no token 401', async () => {
    const customer = await submitted();
    const sales = await testApp.staff(['sales']);
    for (const token of [customer.token, sales.token]) {
      expect((await call({ method: 'GET', url: '/v1/support/real-name-reviews', token })).statusCode).toBe(403);
      expect((await approve(customer.verificationId, token)).statusCode).toBe(403);
      expect((await reject(customer.verificationId, 'No.', token)).statusCode).toBe(403);
    }
    expect((await call({ method: 'GET', url: '/v1/support/real-name-reviews' })).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: `/v1/support/real-name-reviews/${customer.verificationId}/approve` })).statusCode).toBe(401);
    expect((await status(customer.token)).json()).toMatchObject({ status: 'pending' });
  });
});
