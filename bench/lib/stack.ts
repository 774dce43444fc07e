import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
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

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Free ports below Linux's ephemeral range (32768+). Ports the OS hands out (`listen(0)`) are the very ones the
 * Temporal dev server picks for its own internal listeners while it starts, before our API binds: taking ours
 * from outside that range keeps the two from colliding.
 */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.includes(port) && (await canListen(port))) ports.push(port);
  }
  return ports;
}

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
  const [apiPort, postgresPort, temporalPort, temporalUiPort, sandboxPort] = await freePorts(5);
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    EMBEDDED_PG_PORT: String(postgresPort),
    TEMPORAL_DEV_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(temporalUiPort),
    TEMPORAL_METRICS_PORT: '0',
    // Read by configurations that run an embedded sandbox payment gateway; ignored by those that do not.
    SANDBOX_GATEWAY_PORT: String(sandboxPort),
    LOG_LEVEL: options.logLevel ?? 'warn',
    NODE_ENV: 'production',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  // The benchmark always runs its own services, on loopback, and reaches nothing outside.
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PAYMENT_GATEWAY_URL', 'PUBLIC_API_URL', 'SMTP_URL']) delete env[name];
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
