import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/free-port.js';
import { loadConfig, type Config } from '../../src/config.js';
import { connectDatabase, type PrismaClient } from '../../src/db/client.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startRoles, type Started } from '../../src/roles/compose.js';
import type { Stoppable } from '../../src/runtime/lifecycle.js';
import type { ServiceContext } from '../../src/services/context.js';

/** The whole service (embedded PostgreSQL and Temporal, migrations, worker, API) in this process, on a throwaway data folder. */
export interface BenchStack {
  config: Config;
  log: Logger;
  started: Started;
  apiUrl: string;
  databaseUrl: string;
  /** The benchmark's own database client (the service's is not exposed), for setup and checks. */
  prisma: PrismaClient;
  services: ServiceContext;
  admin: { email: string; password: string };
  dataDir: string;
  /** Registers something to stop before the stack itself (stopped in reverse order of registration). */
  onStop(part: Stoppable): void;
  stop(): Promise<void>;
}

const ADMIN = { email: 'bench-admin@example.com', password: 'Quiet-Harbor-Lantern-4821' };

const active = new Set<() => Promise<void>>();

/** Stops every stack still running (on Ctrl+C). */
export async function stopActiveStacks(): Promise<void> {
  await Promise.all([...active].map((stop) => stop()));
}

/**
 * Starts everything `npm start` starts, on free ports and a fresh temporary DATA_DIR (never the developer's
 * .data), and returns a handle whose `stop()` stops the parts in reverse order and deletes the folder.
 * `stop()` is also safe after a failed start: whatever had started is stopped.
 */
export async function startStack(options: { logLevel?: string } = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-center-bench-'));
  // When run as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_METRICS_PORT: '0',
    LOG_LEVEL: options.logLevel ?? 'warn',
    NODE_ENV: 'production',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  // The benchmark always runs its own PostgreSQL and Temporal.
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const config = loadConfig(env);
  const log = createLogger(config, 'billing-center-bench');

  const parts: Stoppable[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const part of [...parts].reverse()) {
        try {
          await part.stop();
        } catch (error) {
          log.error({ err: error, part: part.name }, 'failed to stop cleanly');
        }
      }
      await rm(dataDir, { recursive: true, force: true }).catch(() => {});
      active.delete(stop);
    })();
    return stopping;
  };
  active.add(stop);

  try {
    const started = await startRoles(config, log, { embedded: true, migrate: true, worker: true, api: true }, parts);
    if (!started.apiUrl) throw new Error('the API did not start');
    const database = connectDatabase(started.databaseUrl, { maxConnections: 8 });
    parts.push({ name: 'bench database client', stop: database.close });
    const services: ServiceContext = { prisma: database.prisma, now: () => new Date(), tokenTtlMs: config.auth.tokenTtlMs };
    return {
      config,
      log,
      started,
      apiUrl: started.apiUrl,
      databaseUrl: started.databaseUrl,
      prisma: database.prisma,
      services,
      admin: ADMIN,
      dataDir,
      onStop: (part) => parts.push(part),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
