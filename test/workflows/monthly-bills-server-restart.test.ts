import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/free-port.js';
import { loadConfig } from '../../src/config.js';
import { monthAt } from '../../src/domain/billing/period.js';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../../src/embedded/temporal.js';
import { createLogger } from '../../src/logger.js';
import type { MonthlyBillsTotals } from '../../workflows/monthly-bills.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { seedAccounts, slowBillInserts } from '../support/bills.js';
import { waitFor } from '../support/processes.js';
import { spawnWorkerProcess } from '../support/worker-process.js';

/**
 * The one test here needs a Temporal server that can be stopped and started again with its state: the dev server
 * `npm start` embeds (SQLite in a folder), not the in-memory time-skipping one. The monthly run has no timers.
 */
let t: TestApp;
let dataDir: string;
beforeAll(async () => {
  t = await createTestApp();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-center-restart-'));
});
afterAll(async () => {
  await t.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a monthly run across a Temporal server restart', () => {
  it('issues each bill once when the server (and its worker) stop mid-run and start again', { timeout: 240_000 }, async () => {
    const [port, uiPort] = [await freePort(), await freePort()];
    const startServer = () =>
      startEmbeddedTemporal({
        dataDir: path.join(dataDir, 'temporal'),
        cacheDir: loadConfig().cacheDir,
        port,
        uiPort,
        namespace: 'default',
        log: createLogger({ env: 'test', logLevel: 'silent' }),
      });
    const taskQueue = 'monthly-bills-restart';
    const startWorker = (server: EmbeddedTemporal) =>
      spawnWorkerProcess({ databaseUrl: t.db.url, temporalAddress: server.address, taskQueue, mail: { dir: path.join(dataDir, 'mail') } });

    await seedAccounts(t, 60, ['Asia/Shanghai']);
    const accounts = await t.db.prisma.account.count();
    const month = monthAt(t.clock.now(), 'Asia/Shanghai');
    const fastAgain = await slowBillInserts(t);

    let server = await startServer();
    let worker = startWorker(server);
    try {
      await worker.waitForOutput(/worker polling/, 60_000);
      const first = await Connection.connect({ address: server.address });
      const workflowId = `monthly-bills/restart-${Date.now()}`;
      await new Client({ connection: first }).workflow.start('monthlyBills', { taskQueue, workflowId, args: [{ asOf: month.end.getTime() + 60_000, pageSize: 2 }] });
      await waitFor(async () => ((await t.db.prisma.bill.count()) >= 6 ? true : undefined), 60_000, 'some bills');

      worker.child.kill('SIGKILL');
      await worker.exited;
      await first.close();
      await server.stop();
      const halfway = await t.db.prisma.bill.count();
      expect(halfway).toBeLessThan(accounts);
      await fastAgain();

      server = await startServer();
      worker = startWorker(server);
      await worker.waitForOutput(/worker polling/, 60_000);
      const second = await Connection.connect({ address: server.address });
      try {
        const totals = (await new Client({ connection: second }).workflow.getHandle(workflowId).result()) as MonthlyBillsTotals;
        expect(totals.accounts).toBe(accounts);
      } finally {
        await second.close();
      }
    } finally {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      await server.stop();
    }
    const perAccount = await t.db.prisma.bill.groupBy({ by: ['subjectId'], where: { kind: 'account', month: month.month }, _count: true });
    expect(perAccount).toHaveLength(accounts);
    expect(perAccount.every((row) => row._count === 1)).toBe(true);
  });
});
