import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { adminQuery } from '../support/database.js';

/**
 * The API answers tokens from memory (src/services/identity/principal-cache.ts). These tests change sessions
 * and users behind the service's back, as another API process or an operator in psql would, and check that
 * no request is let through on a stale answer.
 */

let t: TestApp;
let database: string;
beforeAll(async () => {
  t = await createTestApp();
  database = new URL(t.db.url).pathname.slice(1);
  await until(() => t.services.principals.isListening);
});
afterAll(async () => {
  await t.close();
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const auditEvents = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/audit-events', headers: bearer(token) });
/** Status codes of the same request, repeated until it answers `wanted` or a second has passed. */
async function answersWithin(token: string, wanted: number): Promise<number> {
  let status = 0;
  await until(async () => (status = (await auditEvents(token)).statusCode) === wanted, 1_000).catch(() => undefined);
  return status;
}

const revokeBehindTheServicesBack = (userId: string) =>
  t.db.prisma.$executeRaw`UPDATE sessions SET revoked_at = now() WHERE user_id = ${userId}::uuid`;

/** Runs `work` with the sessions trigger off, so its changes are never announced; then puts it back, and drops what the cache learned meanwhile. */
async function unannounced(work: () => Promise<void>): Promise<void> {
  await t.db.prisma.$executeRawUnsafe('ALTER TABLE sessions DISABLE TRIGGER sessions_principals_changed');
  try {
    await work();
  } finally {
    await t.db.prisma.$executeRawUnsafe('ALTER TABLE sessions ENABLE TRIGGER sessions_principals_changed');
    t.services.principals.forgetAll();
  }
}

describe('tokens answered from memory', () => {
  it('are answered from memory: a revocation nobody announces goes unseen (what the triggers are for)', async () => {
    const staff = await t.staff(['admin']);
    expect((await auditEvents(staff.token)).statusCode).toBe(200);
    await unannounced(async () => {
      await revokeBehindTheServicesBack(staff.userId);
      expect((await auditEvents(staff.token)).statusCode).toBe(200);
    });
  });

  it('stop being accepted once another process revokes their session', async () => {
    const staff = await t.staff(['admin']);
    expect((await auditEvents(staff.token)).statusCode).toBe(200);
    await revokeBehindTheServicesBack(staff.userId);
    expect(await answersWithin(staff.token, 401)).toBe(401);
  });

  it('lose a role as soon as another process takes it away', async () => {
    const staff = await t.staff(['admin']);
    expect((await auditEvents(staff.token)).statusCode).toBe(200);
    await t.db.prisma.$executeRaw`UPDATE users SET roles = ARRAY['sales']::varchar(16)[] WHERE id = ${staff.userId}::uuid`;
    expect(await answersWithin(staff.token, 403)).toBe(403);
  });

  it('are all read from the database again while the notification channel is down, and it comes back', async () => {
    const staff = await t.staff(['admin']);
    expect((await auditEvents(staff.token)).statusCode).toBe(200);
    const { rows } = await adminQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'billing-center listen principals_changed'`,
      [database],
    );
    expect(rows).toHaveLength(1);
    await until(() => !t.services.principals.isListening);
    // Unannounced (the trigger is off) and unheard (nobody listens): only reading the database can see it.
    await unannounced(async () => {
      await revokeBehindTheServicesBack(staff.userId);
      expect((await auditEvents(staff.token)).statusCode).toBe(401);
    });
    await until(() => t.services.principals.isListening);
    const again = await t.staff(['admin']);
    expect((await auditEvents(again.token)).statusCode).toBe(200);
  });
});
