import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { bearer, createTestApp, STRONG_PASSWORD, type TestApp } from '../support/app.js';

let testApp: TestApp;
let app: App;

beforeAll(async () => {
  testApp = await createTestApp();
  app = testApp.app;
});

afterAll(async () => {
  await testApp.close();
});

const NEW_PASSWORD = 'Purple-Stapler-Lantern-42';

async function profile(token: string) {
  const response = await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(token) });
  expect(response.statusCode).toBe(200);
  return response.json() as Record<string, unknown>;
}

function patch(token: string, payload: unknown) {
  return app.inject({ method: 'PATCH', url: '/v1/account', headers: bearer(token), payload: payload as object });
}

function changePassword(token: string, payload: unknown) {
  return app.inject({ method: 'POST', url: '/v1/account/password', headers: bearer(token), payload: payload as object });
}

async function logIn(email: string, password: string) {
  const response = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  return { status: response.statusCode, token: (response.json() as { token?: string }).token ?? '' };
}

function problemOf(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return response.json() as { type: string; status: number; errors?: { path: string; message: string }[] };
}

describe('the profile', () => {
  it('shows the registered customer their own account, with no real-name verification yet', async () => {
    const customer = await testApp.customer({ name: 'Ada Lovelace' });
    expect(await profile(customer.token)).toEqual({
      id: customer.accountId,
      name: 'Ada Lovelace',
      email: customer.email,
      contactEmail: customer.email,
      phone: null,
      currency: 'CNY',
      timezone: 'Asia/Shanghai',
      realNameStatus: 'none',
      createdAt: expect.any(String),
    });
  });

  it('changes name, phone, contact email and time zone, and keeps them', async () => {
    const customer = await testApp.customer();
    const response = await patch(customer.token, {
      name: 'Grace Hopper',
      phone: '+8613812345678',
      contactEmail: 'Billing@Example.COM',
      timezone: 'Europe/Berlin',
    });
    expect(response.statusCode).toBe(200);
    const expected = {
      name: 'Grace Hopper',
      phone: '+8613812345678',
      contactEmail: 'billing@example.com',
      timezone: 'Europe/Berlin',
      email: customer.email,
    };
    expect(response.json()).toMatchObject(expected);
    expect(await profile(customer.token)).toMatchObject(expected);
  });

  it('changes only the fields it is sent', async () => {
    const customer = await testApp.customer({ name: 'Unchanged Name' });
    const response = await patch(customer.token, { timezone: 'America/New_York' });
    expect(response.statusCode).toBe(200);
    expect(await profile(customer.token)).toMatchObject({ name: 'Unchanged Name', timezone: 'America/New_York', contactEmail: customer.email });
  });

  it('clears the phone number when sent null', async () => {
    const customer = await testApp.customer();
    expect((await patch(customer.token, { phone: '+14155550123' })).statusCode).toBe(200);
    const cleared = await patch(customer.token, { phone: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ phone: null });
    expect(await profile(customer.token)).toMatchObject({ phone: null });
  });

  const refusals: [string, unknown, string][] = [
    ['no field at all', {}, '/body'],
    ['a phone without +', { phone: '8613812345678' }, '/body/phone'],
    ['a phone with too few digits', { phone: '+12345' }, '/body/phone'],
    ['a phone with too many digits', { phone: '+1234567890123456' }, '/body/phone'],
    ['a phone with separators', { phone: '+86 138 1234 5678' }, '/body/phone'],
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, '/body/timezone'],
    ['a contact email that is not one', { contactEmail: 'not-an-email' }, '/body/contactEmail'],
    ['an empty name', { name: '' }, '/body/name'],
    ['a blank name', { name: '   ' }, '/body/name'],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, '/body/name'],
    ['an unknown property', { name: 'Fine Name', nickname: 'x' }, '/body/nickname'],
    ['a field it may not change', { currency: 'USD' }, '/body/currency'],
  ];

  // One customer for all refusals (registration is rate-limited per address); each compares before and after.
  let refused: { token: string } | undefined;
  it.each(refusals)('refuses %s with 400 at its field and changes nothing', async (_label, payload, path) => {
    if (!refused) {
      refused = await testApp.customer();
      expect((await patch(refused.token, { phone: '+8613800000000' })).statusCode).toBe(200);
    }
    const customer = refused;
    const before = await profile(customer.token);

    const response = await patch(customer.token, payload);
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors?.map((e) => e.path)).toContain(path);
    expect(await profile(customer.token)).toEqual(before);
  });

  it('asks for a token (401) and refuses staff (403): the profile is a customer’s', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/account' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer('bct_not-a-real-token') })).statusCode).toBe(401);
    expect((await app.inject({ method: 'PATCH', url: '/v1/account', payload: { name: 'Nobody' } })).statusCode).toBe(401);
    const support = await testApp.staff(['support']);
    expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(support.token) })).statusCode).toBe(403);
  });
});

describe('changing the password', () => {
  it('revokes every other token of the person, keeps the one that changed it, and swaps the password', async () => {
    const customer = await testApp.customer();
    const other = await logIn(customer.email, STRONG_PASSWORD);
    const third = await logIn(customer.email, STRONG_PASSWORD);
    const outsider = await testApp.customer();

    const response = await changePassword(customer.token, { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');

    expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(customer.token) })).statusCode).toBe(200);
    for (const token of [other.token, third.token]) {
      expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(token) })).statusCode).toBe(401);
    }
    expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(outsider.token) })).statusCode).toBe(200);
    expect((await logIn(customer.email, STRONG_PASSWORD)).status).toBe(401);
    expect((await logIn(customer.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses a wrong current password with 403 and keeps the password and every token', async () => {
    const customer = await testApp.customer();
    const other = await logIn(customer.email, STRONG_PASSWORD);

    const response = await changePassword(customer.token, { currentPassword: 'Not-The-Password-123', newPassword: NEW_PASSWORD });
    expect(response.statusCode).toBe(403);
    expect(problemOf(response).type).toBe('urn:billing-center:problem:wrong-password');

    expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(other.token) })).statusCode).toBe(200);
    expect((await logIn(customer.email, NEW_PASSWORD)).status).toBe(401);
    expect((await logIn(customer.email, STRONG_PASSWORD)).status).toBe(200);
  });

  it.each([
    ['too short', 'short1!'],
    ['one of the most common', 'password123'],
  ])('refuses a new password that is %s with 400 at newPassword, and keeps the old one', async (_label, weak) => {
    const customer = await testApp.customer();
    const other = await logIn(customer.email, STRONG_PASSWORD);

    const response = await changePassword(customer.token, { currentPassword: STRONG_PASSWORD, newPassword: weak });
    expect(response.statusCode).toBe(400);
    const body = problemOf(response);
    expect(body.type).toBe('urn:billing-center:problem:weak-password');
    expect(body.errors).toEqual([expect.objectContaining({ path: '/body/newPassword' })]);

    expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(other.token) })).statusCode).toBe(200);
    expect((await logIn(customer.email, STRONG_PASSWORD)).status).toBe(200);
  });

  it('refuses a new password equal to the current one with 400 and revokes nothing', async () => {
    const customer = await testApp.customer();
    const other = await logIn(customer.email, STRONG_PASSWORD);

    const response = await changePassword(customer.token, { currentPassword: STRONG_PASSWORD, newPassword: STRONG_PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toEqual([expect.objectContaining({ path: '/body/newPassword' })]);
    expect((await app.inject({ method: 'GET', url: '/v1/account', headers: bearer(other.token) })).statusCode).toBe(200);
  });

  it('refuses a body with a missing or unknown field with 400', async () => {
    const customer = await testApp.customer();
    const missing = await changePassword(customer.token, { newPassword: NEW_PASSWORD });
    expect(missing.statusCode).toBe(400);
    expect(problemOf(missing).errors?.map((e) => e.path)).toContain('/body/currentPassword');
    const unknown = await changePassword(customer.token, { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(unknown.statusCode).toBe(400);
    expect((await logIn(customer.email, STRONG_PASSWORD)).status).toBe(200);
  });

  it('asks for a token first (401)', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/account/password',
      payload: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(response.statusCode).toBe(401);
  });
});
