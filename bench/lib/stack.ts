import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { loadConfig, projectRoot, type Config } from '../../src/config.js';
import { connectDatabase, type PrismaClient } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/embedded/postgres.js';
import { startEmbeddedTemporal } from '../../src/embedded/temporal.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { Stoppable } from '../../src/runtime/lifecycle.js';
import { startSandboxMarketplace } from '../../src/sandbox/marketplace/server.js';
import { startSandboxGateway } from '../../src/sandbox/payment-gateway/server.js';
import type { ServiceContext } from '../../src/services/context.js';
import { PrincipalCache } from '../../src/services/identity/principal-cache.js';

/**
 * The service as docker-compose runs it: the API (`npm run api`) and the worker (`npm run worker`) in processes
 * of their own, here against the embedded PostgreSQL and Temporal dev server (and the sandbox gateway and
 * marketplace) that this process starts on a throwaway data folder. The benchmark's own client code runs in this
 * process, so it never shares an event loop with the service it measures.
 */
export interface BenchStack {
  config: Config;
  log: Logger;
  started: { apiUrl: string; databaseUrl: string; temporalAddress: string };
  apiUrl: string;
  databaseUrl: string;
  /** The benchmark's own database client (the service's is not exposed), for setup and checks. */
  prisma: PrismaClient;
  services: ServiceContext;
  admin: { email: string; password: string };
  dataDir: string;
  /** How the service runs, for the results file. */
  topology: string;
  /** Registers something to stop before the stack itself (stopped in reverse order of registration). */
  onStop(part: Stoppable): void;
  stop(): Promise<void>;
}

const ADMIN = { email: 'bench-admin@example.com', password: 'Quiet-Harbor-Lantern-4821' };
const TOPOLOGY =
  'API and worker in processes of their own (npm run api, npm run worker, as in docker-compose.yml); embedded PostgreSQL and Temporal dev server; the benchmark calls the API with node:http (keep-alive), not fetch';

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

/** BENCH_CPU_PROFILE_DIR=<dir>: each service process writes V8 CPU profiles there (open them in Chrome DevTools). */
function cpuProfile(role: string): string[] {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir, role.replace(/ /g, '-'))}`] : [];
}

/** Runs one of the service's roles (`src/api-main.ts`, `src/worker-main.ts`) as a child process; stopping it is SIGTERM, as an orchestrator would. */
function startRole(name: string, entry: string, env: Record<string, string | undefined>, log: Logger): Stoppable & { exited: Promise<number | null> } {
  const child: ChildProcess = spawn(process.execPath, [...cpuProfile(name), '--import', 'tsx', entry], { cwd: projectRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    if (!stopping) log.error({ role: name, code }, 'a service process of the benchmark exited by itself');
  });
  return {
    name,
    exited,
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

/** Waits until the API answers /readyz with 200: database and Temporal reachable, a worker polling. */
async function waitUntilReady(apiUrl: string, exited: Promise<unknown>[], timeoutMs: number): Promise<void> {
  let gone = false;
  void Promise.race(exited).then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) throw new Error('a service process exited while starting');
    const status = await fetch(`${apiUrl}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${apiUrl}/readyz did not answer 200 within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const active = new Set<() => Promise<void>>();

/** Stops every stack still running (on Ctrl+C). */
export async function stopActiveStacks(): Promise<void> {
  await Promise.all([...active].map((stop) => stop()));
}

/**
 * Starts everything `npm start` starts, on free ports and a fresh temporary DATA_DIR (never the developer's
 * .data), with the API and the worker as processes of their own, and returns a handle whose `stop()` stops
 * the parts in reverse order and deletes the folder. `stop()` is also safe after a failed start: whatever had
 * started is stopped.
 */
export async function startStack(options: { logLevel?: string } = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-center-bench-'));
  // When run as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const [apiPort, postgresPort, temporalPort, temporalUiPort, sandboxPort, marketplacePort] = await freePorts(6);
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    EMBEDDED_PG_PORT: String(postgresPort),
    TEMPORAL_DEV_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(temporalUiPort),
    TEMPORAL_METRICS_PORT: '0',
    SANDBOX_GATEWAY_PORT: String(sandboxPort),
    SANDBOX_MARKETPLACE_PORT: String(marketplacePort),
    LOG_LEVEL: options.logLevel ?? 'warn',
    NODE_ENV: 'production',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  // The benchmark always runs its own services, on loopback, and reaches nothing outside.
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PAYMENT_GATEWAY_URL', 'PUBLIC_API_URL', 'SMTP_URL', 'MARKETPLACE_AWS_URL', 'MARKETPLACE_ALIYUN_URL', 'MARKETPLACE_HUAWEI_URL']) {
    delete env[name];
  }
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
    const postgres = await startEmbeddedPostgres({ dataDir, port: config.embeddedPostgres.port, log });
    parts.push({ name: 'embedded PostgreSQL', stop: postgres.stop });
    const databaseUrl = postgres.url();
    await migrate(databaseUrl, log);
    const temporal = await startEmbeddedTemporal({
      dataDir,
      cacheDir: config.cacheDir,
      port: config.temporal.devServer.port,
      uiPort: config.temporal.devServer.uiPort,
      namespace: config.temporal.namespace,
      log,
    });
    parts.push({ name: 'embedded Temporal', stop: temporal.stop });
    const gateway = await startSandboxGateway({ host: '127.0.0.1', port: config.payments.sandboxPort, secret: config.payments.webhookSecret, log });
    parts.push(gateway);
    const marketplace = await startSandboxMarketplace({ host: '127.0.0.1', port: config.marketplaces.sandboxPort, log });
    parts.push(marketplace);

    const roleEnv = {
      ...env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      PAYMENT_GATEWAY_URL: gateway.url,
      MARKETPLACE_AWS_URL: marketplace.urls.aws,
      MARKETPLACE_ALIYUN_URL: marketplace.urls.aliyun,
      MARKETPLACE_HUAWEI_URL: marketplace.urls.huawei,
    };
    const worker = startRole('worker process', 'src/worker-main.ts', roleEnv, log);
    parts.push(worker);
    const api = startRole('API process', 'src/api-main.ts', roleEnv, log);
    parts.push(api);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitUntilReady(apiUrl, [worker.exited, api.exited], 120_000);

    const database = connectDatabase(databaseUrl, { maxConnections: 8 });
    parts.push({ name: 'bench database client', stop: database.close });
    const services: ServiceContext = { prisma: database.prisma, now: () => new Date(), tokenTtlMs: config.auth.tokenTtlMs, principals: new PrincipalCache() };
    return {
      config,
      log,
      started: { apiUrl, databaseUrl, temporalAddress: temporal.address },
      apiUrl,
      databaseUrl,
      prisma: database.prisma,
      services,
      admin: ADMIN,
      dataDir,
      topology: TOPOLOGY,
      onStop: (part) => parts.push(part),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
