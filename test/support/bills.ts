import type { MonthlyBillsTotals } from '../../workflows/monthly-bills.js';
import type { TestApp } from './app.js';

let runs = 0;

/**
 * Runs `monthly-bills` as its schedule would, billing as of `asOf`, and waits for the chain to finish. With the
 * plain client: waiting must not let the time-skipping server jump ahead (cards' lifetimes would expire them).
 */
export async function runMonthlyBills(t: TestApp, asOf: Date, options: { pageSize?: number } = {}) {
  const workflowId = `monthly-bills/test-${Date.now()}-${++runs}`;
  const handle = await t.temporal.client.workflow.start('monthlyBills', {
    taskQueue: t.temporal.taskQueue,
    workflowId,
    args: [{ asOf: asOf.getTime(), ...options }],
  });
  return { handle, totals: (await handle.result()) as MonthlyBillsTotals };
}

/** Bulk-creates accounts (the API's registration costs an argon2 hash each), in the given time zones in turn. */
export async function seedAccounts(t: TestApp, count: number, timeZones: readonly string[] = ['Asia/Shanghai']): Promise<string[]> {
  const zones = [...timeZones];
  const rows = await t.db.prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO accounts (id, name, contact_email, timezone, updated_at)
    SELECT gen_random_uuid(), 'Seeded ' || n, 'seeded-' || n || '-' || gen_random_uuid() || '@example.com',
           (${zones}::text[])[1 + (n % ${zones.length})], now()
    FROM generate_series(1, ${count}) AS n
    RETURNING id::text`;
  return rows.map((row) => row.id);
}

/**
 * Makes every insert of bills take 0.3 s more (a trigger), so that a test can surely catch a run halfway; the
 * function returned takes it away again.
 */
export async function slowBillInserts(t: TestApp): Promise<() => Promise<void>> {
  await t.db.prisma.$executeRawUnsafe(`CREATE FUNCTION slow_bills() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); RETURN NULL; END $$`);
  await t.db.prisma.$executeRawUnsafe('CREATE TRIGGER slow_bills AFTER INSERT ON bills FOR EACH STATEMENT EXECUTE FUNCTION slow_bills()');
  return async () => {
    await t.db.prisma.$executeRawUnsafe('DROP TRIGGER slow_bills ON bills');
    await t.db.prisma.$executeRawUnsafe('DROP FUNCTION slow_bills()');
  };
}
