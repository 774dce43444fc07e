import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../scripts/free-port.js';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/embedded/postgres.js';
import { createLogger } from '../../src/logger.js';
import { describeMissingServer, resolveServerExecutable, TemporalBinaryNotFoundError } from '../../src/temporal/binaries.js';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes.js';
import { TEMPLATE_DATABASE } from '../support/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL, `__DB__` standing for the database name. */
    postgresUrlPattern: string;
    /**
     * How to start a time-skipping test server. Each file of the `workflows` group (which runs workers) starts
     * its own, so nothing a file leaves running can hold another file's clock.
     */
    temporalTestServer: { type: 'existing-path'; path: string } | { type: 'cached-download'; downloadDir?: string };
    /** A Temporal dev server: for groups that only start workflows and never run them, so what they leave
     * behind cannot hold the time-skipping server's clock. */
    temporalDevAddress: string;
    /** Set per group in vitest.config.ts. */
    timeSkipping: boolean;
  }
}

/**
 * One real PostgreSQL (fresh, in a temporary folder) and one time-skipping Temporal test server for the whole
 * run. Migrations are applied once to a template database; each test file clones it (see test/support).
 */
export default async function setup(project: TestProject) {
  const config = loadConfig();
  const log = createLogger({ env: 'test', logLevel: 'warn' });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-center-test-'));
  // When tests run as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);

  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), log, databases: [TEMPLATE_DATABASE] });
  await migrate(postgres.url(TEMPLATE_DATABASE), log);

  // Started once here, so a binary that cannot be had fails the run at once with one clear message.
  const resolved = await resolveServerExecutable('test-server', { cacheDir: config.cacheDir });
  try {
    const probe = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: resolved.executable } });
    await probe.teardown();
  } catch (error) {
    throw new TemporalBinaryNotFoundError(describeMissingServer('test-server', resolved, error));
  }

  const devResolved = await resolveServerExecutable('dev-server', { cacheDir: config.cacheDir });
  const dev = await TestWorkflowEnvironment.createLocal({ server: { executable: devResolved.executable, ip: '127.0.0.1', log: { format: 'json', level: 'error' } } });
  await ensureSearchAttributes(dev.connection, 'default');

  project.provide('postgresUrlPattern', postgres.url('__DB__'));
  project.provide('temporalTestServer', resolved.executable as never);
  project.provide('temporalDevAddress', dev.address);

  return async () => {
    await dev.teardown();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
