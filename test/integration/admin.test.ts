import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ensureBootstrapAdmin } from '../../src/services/identity/staff.js';
import { bearer, createTestApp, STRONG_PASSWORD, type TestApp } from '../support/app.js';

let t: TestApp;
let admin: { token: string; userId: string };
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.staff(['admin']);
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, token: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

describe('staff administration', () => {
  it('lets an admin create a staff user who can then sign in with those roles, and audits it', async () => {
    const created = await post('/v1/admin/staff', admin.token, { email: 'Sam@Example.com', name: 'Sam', password: STRONG_PASSWORD, roles: ['support', 'sales'] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email: 'sam@example.com', roles: ['support', 'sales'] });
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'sam@example.com', password: STRONG_PASSWORD } });
    expect(login.json().roles).toEqual(['support', 'sales']);

    const audit = await t.app.inject({ method: 'GET', url: `/v1/admin/audit-events?targetId=${created.json().id}`, headers: bearer(admin.token) });
    expect(audit.json().items).toEqual([
      expect.objectContaining({ actorId: admin.userId, action: 'staff.created', targetType: 'user', details: { email: 'sam@example.com', roles: ['support', 'sales'] } }),
    ]);
  });

  it('grants and withdraws roles, recording before and after', async () => {
    const created = (await post('/v1/admin/staff', admin.token, { email: 'fin@example.com', name: 'Fin', password: STRONG_PASSWORD, roles: ['support'] })).json();
    const changed = await t.app.inject({ method: 'PUT', url: `/v1/admin/staff/${created.id}/roles`, headers: bearer(admin.token), payload: { roles: ['finance'] } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().roles).toEqual(['finance']);
    const events = await t.db.prisma.auditEvent.findMany({ where: { targetId: created.id, action: 'staff.roles_changed' } });
    expect(events.map((e) => e.details)).toEqual([{ before: ['support'], after: ['finance'] }]);
  });

  it("refuses to change a customer's roles (404) and an admin's own admin role (409)", async () => {
    const customer = await t.customer();
    const user = await t.db.prisma.user.findFirstOrThrow({ where: { accountId: customer.accountId } });
    expect((await t.app.inject({ method: 'PUT', url: `/v1/admin/staff/${user.id}/roles`, headers: bearer(admin.token), payload: { roles: ['admin'] } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PUT', url: `/v1/admin/staff/${admin.userId}/roles`, headers: bearer(admin.token), payload: { roles: ['support'] } })).statusCode).toBe(409);
  });

  it('refuses customers as staff roles, weak passwords and taken emails, creating nothing', async () => {
    const before = await t.db.prisma.user.count();
    expect((await post('/v1/admin/staff', admin.token, { email: 'c@example.com', name: 'C', password: STRONG_PASSWORD, roles: ['customer'] })).statusCode).toBe(400);
    expect((await post('/v1/admin/staff', admin.token, { email: 'c@example.com', name: 'C', password: 'short', roles: ['support'] })).statusCode).toBe(400);
    expect((await post('/v1/admin/staff', admin.token, { email: 'sam@example.com', name: 'C', password: STRONG_PASSWORD, roles: ['support'] })).statusCode).toBe(409);
    expect(await t.db.prisma.user.count()).toBe(before);
  });

  it('keeps every admin route from everyone else', async () => {
    for (const roles of [['support'], ['sales'], ['finance'], ['operator']] as const) {
      const staff = await t.staff([...roles]);
      expect((await post('/v1/admin/api-keys', staff.token, { name: 'k' })).statusCode, roles[0]).toBe(403);
    }
    const customer = await t.customer();
    expect((await post('/v1/admin/staff', customer.token, { email: 'x@example.com', name: 'X', password: STRONG_PASSWORD, roles: ['admin'] })).statusCode).toBe(403);
  });
});

describe('platform API keys', () => {
  it('are shown once, stored only as a hash, and authenticate the platform', async () => {
    const created = await post('/v1/admin/api-keys', admin.token, { name: 'observability platform' });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json();
    const stored = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(stored.keyHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(key.startsWith(stored.prefix)).toBe(true);

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `ApiKey ${key}` } });
    expect(metrics.statusCode).toBe(200);
    // A key is not a person: it opens no person's route.
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/audit-events', headers: { authorization: `ApiKey ${key}` } })).statusCode).toBe(403);
    expect(await t.db.prisma.auditEvent.count({ where: { targetId: id, action: 'api_key.created' } })).toBe(1);
  });
});

describe('the first admin', () => {
  it('is created once from ADMIN_EMAIL and never overwritten', async () => {
    const log = createLogger({ env: 'test', logLevel: 'silent' });
    await ensureBootstrapAdmin(t.services, { email: 'Root@Example.com', password: 'First-Admin-Password' }, log);
    await ensureBootstrapAdmin(t.services, { email: 'root@example.com', password: 'Another-Admin-Password' }, log);
    const ok = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'root@example.com', password: 'First-Admin-Password' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().roles).toEqual(['admin']);
    const overwritten = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'root@example.com', password: 'Another-Admin-Password' }, remoteAddress: '10.3.3.3' });
    expect(overwritten.statusCode).toBe(401);
  });
});
