import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import type { DeliveryCounts } from '../../src/services/notifications/deliver.js';
import { createSmtpMailer, messageIdFor } from '../../src/services/notifications/mailer.js';
import { queueEmail } from '../../src/services/notifications/outbox.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { recordHistory } from '../support/histories.js';
import { waitFor } from '../support/processes.js';
import { spawnWorkerProcess } from '../support/worker-process.js';

/** A real SMTP server on a free port; `onMessage` runs before the server answers, and may refuse (false). */
async function startSmtpSink() {
  const messageIds: string[] = [];
  const sink = {
    messageIds,
    url: '',
    onMessage: undefined as ((messageId: string) => Promise<boolean>) | undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const messageId = /^Message-ID: (.+)$/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1]?.trim() ?? '';
        if ((await sink.onMessage?.(messageId)) === false) return callback(new Error('not accepted'));
        messageIds.push(messageId);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return sink;
}

const FROM = 'Billing Center <billing@localhost>';
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let t: TestApp;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await createTestApp({ mailer: createSmtpMailer({ url: sink.url, from: FROM }) });
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

/** What the `outbox-delivery` schedule does every 30 s (the time-skipping server has no schedules). */
async function runOutboxDelivery(workflowId: string) {
  const handle = await t.temporal.workflow.start('outboxDelivery', { taskQueue: t.temporal.taskQueue, workflowId });
  return { handle, counts: (await t.temporal.workflow.result(workflowId)) as DeliveryCounts };
}

describe('outbox delivery', () => {
  it('sends the balance alerts the ledger queued, without anyone asking', async () => {
    const worker = await t.startWorker();
    try {
      // A customer whose first usage puts the account into arrears: the ledger queues the alert.
      const customer = await t.customer();
      const workspaceId = `ws-outbox-${Date.now()}`;
      const bound = await t.app.inject({ method: 'POST', url: '/v1/workspaces', headers: bearer(customer.token), payload: { workspaceId, site: 'cn1', name: 'W' } });
      expect(bound.statusCode).toBe(201);
      const usage = await t.app.inject({
        method: 'POST',
        url: '/v1/usage',
        headers: { authorization: `ApiKey ${await t.apiKey()}` },
        payload: {
          records: [{ id: `rec-outbox-${Date.now()}`, workspaceId, site: 'cn1', item: 'logs', unit: 'GB', periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-11-01T01:00:00Z', amount: { amount: '10.00', currency: 'CNY' } }],
        },
      });
      expect(usage.statusCode).toBe(202);
      const alert = await waitFor(
        async () => (await t.db.prisma.outboxMessage.findFirst({ where: { accountId: customer.accountId, kind: 'balance-arrears' } })) ?? undefined,
        30_000,
        'the arrears alert to be queued',
      );

      const run = await runOutboxDelivery(`outbox-delivery/test-${Date.now()}`);
      expect(run.counts).toEqual({ sent: 1, failed: 0, failures: [] });
      await recordHistory(run.handle, 'outbox-delivery');
      expect(sink.messageIds).toEqual([messageIdFor(alert.businessKey, FROM)]);
      expect(await t.db.prisma.outboxMessage.count({ where: { sentAt: null } })).toBe(0);

      // The next run finds nothing to send.
      expect((await runOutboxDelivery(`outbox-delivery/test-${Date.now()}-again`)).counts).toMatchObject({ sent: 0 });
      expect(sink.messageIds).toHaveLength(1);
    } finally {
      await worker.shutdown();
    }
  });

  it('sends each email once when the worker is killed after sending one and before the activity completed', { timeout: 180_000 }, async () => {
    sink.messageIds.length = 0;
    const keys = [`crash-test/${Date.now()}/first`, `crash-test/${Date.now()}/second`];
    for (const businessKey of keys) {
      await inTransaction(t.db.prisma, (tx) => queueEmail(tx, { businessKey, kind: 'test', to: 'someone@example.com', subject: businessKey, body: 'Hello' }));
    }

    // The real worker in a process of its own, so it can be killed outright (SIGKILL: no shutdown, no goodbye).
    const doomed = spawnWorkerProcess({ databaseUrl: t.db.url, temporalAddress: t.temporal.address, taskQueue: t.temporal.taskQueue, mail: { smtpUrl: sink.url, from: FROM } });
    // The hook: when the second email arrives, the first has been sent *and marked* (its mark is committed before
    // the next message is taken) and the activity is still running. Kill the worker there, before the server
    // answers, so the second is not accepted and the activity never reports completion.
    let killed = false;
    sink.onMessage = async (messageId) => {
      if (messageId !== messageIdFor(keys[1]!, FROM) || killed) return true;
      killed = true;
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      return false;
    };
    try {
      const workflowId = `outbox-delivery/crash-${Date.now()}`;
      await t.temporal.workflow.start('outboxDelivery', { taskQueue: t.temporal.taskQueue, workflowId });
      await doomed.waitForOutput(/worker polling/, 60_000);
      expect(await doomed.exited).toBe('SIGKILL');
      expect(sink.messageIds).toEqual([messageIdFor(keys[0]!, FROM)]);
      expect((await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { businessKey: keys[0]! } })).sentAt).not.toBeNull();

      // A new worker. Temporal never heard from the dead one: once its heartbeat times out (30 s of real time:
      // the test server skips no time while an activity is out), the activity is retried on the new worker,
      // which finds the first email marked and sends only the second.
      const worker = await t.startWorker();
      try {
        expect(await t.temporal.workflow.result(workflowId)).toEqual({ sent: 1, failed: 0, failures: [] });
      } finally {
        await worker.shutdown();
      }
      expect(sink.messageIds).toEqual(keys.map((key) => messageIdFor(key, FROM)));
    } finally {
      sink.onMessage = undefined;
      if (!killed) doomed.child.kill('SIGKILL');
    }
  });
});

