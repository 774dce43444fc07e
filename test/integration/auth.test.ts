import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, STRONG_PASSWORD, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const register = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/auth/register', payload });
const login = (email: string, password: string, ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress: ip });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/audit-events', headers: bearer(token) });
const logout = (token: string) => t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) });

describe('registration', () => {
  it('opens an account with the defaults and signs its owner in', async () => {
    const response = await register({ email: 'Alice@Example.com', password: STRONG_PASSWORD, name: 'Alice' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.account).toMatchObject({ email: 'alice@example.com', name: 'Alice', currency: 'CNY', timezone: 'Asia/Shanghai', realNameStatus: 'none' });
    expect(body.token).toMatch(/^bct_/);
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.com' } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user.roles).toEqual(['customer']);
  });

  it('keeps the currency and time zone asked for', async () => {
    const response = await register({ email: 'usd@example.com', password: STRONG_PASSWORD, name: 'U', currency: 'USD', timezone: 'America/New_York' });
    expect(response.json().account).toMatchObject({ currency: 'USD', timezone: 'America/New_York' });
  });

  it('refuses an email that differs from an existing one only in case', async () => {
    await register({ email: 'bob@example.com', password: STRONG_PASSWORD, name: 'Bob' });
    const again = await register({ email: 'BOB@example.COM', password: STRONG_PASSWORD, name: 'Bob 2' });
    expect(again.statusCode).toBe(409);
    expect(await t.db.prisma.account.count({ where: { name: 'Bob 2' } })).toBe(0);
  });

  it.each([
    ['short', 'Abc-12345', /at least 10/],
    ['common', 'password123', /common/i],
    ['the email itself', 'weak-pw-user@example.com', /email/i],
  ])('refuses a weak password (%s) with 400 and the reason, saving nothing', async (_case, password, reason) => {
    const response = await register({ email: 'weak-pw-user@example.com', password, name: 'W' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ path: '/body/password', message: expect.stringMatching(reason) });
    expect(await t.db.prisma.user.count({ where: { email: 'weak-pw-user@example.com' } })).toBe(0);
  });

  it.each([
    [{ email: 'not-an-email', password: STRONG_PASSWORD, name: 'X' }, '/body/email'],
    [{ email: 'x@example.com', password: STRONG_PASSWORD, name: '' }, '/body/name'],
    [{ email: 'x@example.com', password: STRONG_PASSWORD, name: 'X', currency: 'EUR' }, '/body/currency'],
    [{ email: 'x@example.com', password: STRONG_PASSWORD, name: 'X', timezone: 'Mars/Base' }, '/body/timezone'],
    [{ email: 'x@example.com', password: STRONG_PASSWORD, name: 'X', roles: ['admin'] }, '/body/roles'],
  ])('refuses bad input %j at %s', async (payload, path) => {
    const response = await register(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await t.db.prisma.user.count({ where: { email: 'x@example.com' } })).toBe(0);
  });
});

describe('signing in and out', () => {
  it('gives a token with its expiry and roles', async () => {
    const customer = await t.customer();
    const response = await login(customer.email.toUpperCase(), customer.password);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.roles).toEqual(['customer']);
    const hours = (new Date(body.expiresAt).getTime() - t.clock.now().getTime()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
  });

  it('answers a wrong email and a wrong password identically', async () => {
    const customer = await t.customer();
    const wrongPassword = await login(customer.email, 'Not-The-Password-1', '10.0.1.1');
    const wrongEmail = await login('nobody-here@example.com', 'Not-The-Password-1', '10.0.1.2');
    expect(wrongPassword.statusCode).toBe(401);
    expect(wrongEmail.statusCode).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined });
    expect(strip(wrongPassword.json())).toEqual(strip(wrongEmail.json()));
  });

  it('stops accepting a token after logout, and only that token', async () => {
    const staff = await t.staff(['admin']);
    const other = await login((await t.db.prisma.user.findUniqueOrThrow({ where: { id: staff.userId } })).email, STRONG_PASSWORD);
    const otherToken = other.json().token as string;
    expect((await me(staff.token)).statusCode).toBe(200);
    expect((await logout(staff.token)).statusCode).toBe(204);
    expect((await me(staff.token)).statusCode).toBe(401);
    expect((await me(otherToken)).statusCode).toBe(200);
  });

  it('stops accepting a token once it expires', async () => {
    const staff = await t.staff(['admin']);
    expect((await me(staff.token)).statusCode).toBe(200);
    t.clock.advance(12 * 3_600_000 + 1000);
    try {
      expect((await me(staff.token)).statusCode).toBe(401);
    } finally {
      t.clock.advance(-(12 * 3_600_000 + 1000));
    }
  });

  it('answers 401 to a missing, malformed or unknown credential', async () => {
    for (const authorization of [undefined, 'Bearer', 'Basic abc', 'Bearer bct_unknown', 'Bearer a b']) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/admin/audit-events',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode, String(authorization)).toBe(401);
    }
  });
});

describe('the sign-in lockout', () => {
  it('refuses every attempt for an email with 429 for 15 minutes after 5 failures within 15 minutes', async () => {
    const customer = await t.customer();
    for (let i = 0; i < 5; i++) expect((await login(customer.email, 'Wrong-Password-00', `10.1.0.${i}`)).statusCode).toBe(401);

    const locked = await login(customer.email, customer.password, '10.1.1.1');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);

    t.clock.advance(15 * 60_000 + 1000);
    try {
      expect((await login(customer.email, customer.password, '10.1.1.2')).statusCode).toBe(200);
    } finally {
      t.clock.advance(-(15 * 60_000 + 1000));
    }
  });

  it('does not lock for failures spread beyond the 15-minute window', async () => {
    const customer = await t.customer();
    for (let i = 0; i < 4; i++) await login(customer.email, 'Wrong-Password-00', `10.2.0.${i}`);
    t.clock.advance(16 * 60_000);
    try {
      await login(customer.email, 'Wrong-Password-00', '10.2.1.1');
      expect((await login(customer.email, customer.password, '10.2.1.2')).statusCode).toBe(200);
    } finally {
      t.clock.advance(-16 * 60_000);
    }
  });

  it('limits sign-in attempts per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await login(`flood-${i}@example.com`, 'Whatever-Password-1', '10.9.9.9')).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    const last = await login('flood-last@example.com', 'Whatever-Password-1', '10.9.9.9');
    expect(last.statusCode).toBe(429);
    expect(last.headers['retry-after']).toBeDefined();
    expect(last.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
