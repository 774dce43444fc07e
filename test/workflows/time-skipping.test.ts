import os from 'node:os';
import path from 'node:path';
import { createMarketplaces } from '../../src/marketplaces/marketplaces.js';
import { createPaymentGateways } from '../../src/payments/gateways.js';
import { createFileMailer } from '../../src/services/notifications/mailer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { Workflows } from '../../src/temporal/workflows.js';
import { startWorker, type WorkerHandle } from '../../src/temporal/worker.js';
import { connectTestTemporal, type TestTemporal } from '../support/temporal.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { PrincipalCache } from '../../src/services/identity/principal-cache.js';

describe('the time-skipping test server', () => {
  let temporal: TestTemporal;
  let worker: WorkerHandle;
  let db: TestDatabase;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    db = await createTestDatabase();
    worker = await startWorker({
      address: temporal.address,
      namespace: 'default',
      taskQueue: temporal.taskQueue,
      dependencies: {
        log: createLogger({ env: 'test', logLevel: 'silent' }),
        services: { prisma: db.prisma, now: () => new Date(), tokenTtlMs: 3_600_000, principals: new PrincipalCache() },
        workflows: new Workflows(temporal.client, temporal.taskQueue),
        mailer: createFileMailer({ dir: os.tmpdir() }),
        paymentGateways: createPaymentGateways({ gatewayUrl: undefined, webhookSecret: 'not-used-in-this-test', publicApiUrl: 'http://127.0.0.1' }),
        marketplaces: createMarketplaces({ aws: undefined, aliyun: undefined, huawei: undefined }),
      },
      workflowsPath: path.resolve(import.meta.dirname, '../fixtures/workflows/index.ts'),
    });
  });

  afterAll(async () => {
    await worker?.shutdown();
    await temporal?.close();
    await db?.drop();
  });

  it('completes a 30-day timer in under 5 seconds of wall time', async () => {
    const started = Date.now();
    const handle = await temporal.workflow.start('waitThirtyDays', {
      taskQueue: temporal.taskQueue,
      workflowId: `time-skipping/${started}`,
    });
    await expect(temporal.workflow.result(handle.workflowId)).resolves.toBe('woke up');
    expect(Date.now() - started).toBeLessThan(5000);

    // The workflow really slept 30 days of workflow time, not zero.
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const first = Number(events[0]?.eventTime?.seconds ?? 0);
    const last = Number(events.at(-1)?.eventTime?.seconds ?? 0);
    expect(last - first).toBeGreaterThanOrEqual(30 * 24 * 3600);
  });
});
