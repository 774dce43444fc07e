import { randomBytes } from 'node:crypto';
import { Client, Connection, WorkflowClient } from '@temporalio/client';
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { TestWorkflowEnvironment, TimeSkippingWorkflowClient } from '@temporalio/testing';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes.js';
import { inject } from 'vitest';

export interface TestTemporal {
  /** A workflow client; on the time-skipping server its `result()` lets time skip while it waits. */
  workflow: WorkflowClient;
  /** A plain client, as the service itself uses. */
  client: Client;
  connection: Connection;
  address: string;
  /** A task queue of this file's own, so its worker never takes another file's tasks. */
  taskQueue: string;
  /** The test server's clock (ms): it runs ahead of the wall clock by every skip so far. */
  serverNow(): Promise<number>;
  /** Lets the server skip `ms` of time now (timers due in between fire). */
  skip(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Temporal server for this test file: in the `workflows` group (which runs workers), a time-skipping test
 * server of the file's own, so no other file's leftovers can hold its clock; elsewhere the run's shared dev
 * server (see test/setup/global.ts), where workflows are only started.
 */
export async function connectTestTemporal(): Promise<TestTemporal> {
  const timeSkipping = inject('timeSkipping');
  let ownServer: TestWorkflowEnvironment | undefined;
  if (timeSkipping) {
    ownServer = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: inject('temporalTestServer') } });
    await ensureSearchAttributes(ownServer.connection, 'default');
  }
  const address = ownServer?.address ?? inject('temporalDevAddress');
  // The SDK exposes the test service only to connections it opens itself; this flag is how it does that.
  const options: InternalConnectionOptions = { address, [InternalConnectionOptionsSymbol]: { supportsTestService: timeSkipping } };
  const connection = await Connection.connect(options);
  return {
    workflow: timeSkipping
      ? new TimeSkippingWorkflowClient({ connection, namespace: 'default' })
      : new WorkflowClient({ connection, namespace: 'default' }),
    client: new Client({ connection, namespace: 'default' }),
    connection,
    address,
    taskQueue: `test-${randomBytes(4).toString('hex')}`,
    async serverNow() {
      const { time } = await connection.testService!.getCurrentTime({});
      return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
    },
    async skip(ms: number) {
      await connection.testService!.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
    },
    async close() {
      await connection.close();
      await ownServer?.teardown();
    },
  };
}
