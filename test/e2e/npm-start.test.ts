import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/free-port.js';
import { projectRoot } from '../../src/config.js';
import { descendants, isAlive, spawnProcess, waitFor, type Spawned } from '../support/processes.js';

/**
 * `npm start` as a new user runs it: the real entry point, embedded PostgreSQL and Temporal, on free ports
 * and a data folder of its own; then SIGTERM, as a process manager sends it.
 */

let dataDir: string;
let env: NodeJS.ProcessEnv;
let ports: { api: number; postgres: number; temporal: number; ui: number; metrics: number; marketplace: number };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-center-e2e-'));
  await chmod(dataDir, 0o755);
  ports = { api: await freePort(), postgres: await freePort(), temporal: await freePort(), ui: await freePort(), metrics: await freePort(), marketplace: await freePort() };
  env = { ...process.env };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'HOST', 'NODE_ENV']) delete env[name];
  Object.assign(env, {
    DATA_DIR: dataDir,
    PORT: String(ports.api),
    EMBEDDED_PG_PORT: String(ports.postgres),
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    TEMPORAL_METRICS_PORT: String(ports.metrics),
    SANDBOX_MARKETPLACE_PORT: String(ports.marketplace),
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: 'first-admin@example.com',
    ADMIN_PASSWORD: 'Admin-Password-For-E2E',
  });
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const api = (route: string) => `http://127.0.0.1:${ports.api}${route}`;
const databaseUrl = () => `postgresql://postgres:postgres@127.0.0.1:${ports.postgres}/billing_center`;

async function start(): Promise<{ service: Spawned; readyAfterMs: number }> {
  const began = Date.now();
  const service = spawnProcess('npm', ['start'], { cwd: projectRoot, env });
  await service.waitForOutput(/Billing Center is running/, 150_000);
  await waitFor(async () => ((await fetch(api('/readyz'))).status === 200 ? true : undefined), 60_000, '/readyz 200');
  return { service, readyAfterMs: Date.now() - began };
}

/**
 * SIGTERM to npm, as a process manager would. npm itself dies of the signal (its exit status is npm's, not
 * ours), so a clean stop is judged by the service's own log and by every process of the tree being gone.
 */
async function stop(service: Spawned): Promise<{ clean: boolean; tree: number[]; tookMs: number }> {
  const tree = descendants(service.child.pid!);
  const began = Date.now();
  service.child.kill('SIGTERM');
  await service.exited;
  await waitFor(async () => (tree.every((pid) => !isAlive(pid)) ? true : undefined), 15_000, 'every child process to exit');
  const tookMs = Date.now() - began;
  const log = service.output();
  return { clean: /INFO.*: stopped/.test(log) && !/shutdown timed out|failed to stop/.test(log), tree, tookMs };
}

async function withDatabase<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function withTemporal<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
  try {
    return await use(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

describe('npm start', () => {
  const probeWorkflowId = `restart-probe/${Date.now()}`;

  it('brings up PostgreSQL, Temporal with its UI, the worker and the API, then stops cleanly on SIGTERM', async () => {
    const { service, readyAfterMs } = await start();
    console.info(`first start: /readyz 200 after ${readyAfterMs} ms`);
    const banner = service.output();
    expect(banner).toContain(`API          http://127.0.0.1:${ports.api}`);
    expect(banner).toContain(`Swagger UI   http://127.0.0.1:${ports.api}/docs`);
    expect(banner).toContain(`Temporal UI  http://127.0.0.1:${ports.ui}`);
    expect(banner).toContain(`Data folder  ${dataDir}`);
    // The sandbox marketplace serves all three providers, since no MARKETPLACE_*_URL is set.
    expect(banner).toContain(`Marketplaces sandbox http://127.0.0.1:${ports.marketplace} (/aws, /aliyun, /huawei; control at /control)`);
    expect((await fetch(`http://127.0.0.1:${ports.marketplace}/control/received`)).status).toBe(200);

    const readiness = await (await fetch(api('/readyz'))).json();
    expect(readiness).toEqual({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: true } } });
    const document = (await (await fetch(api('/docs/json'))).json()) as { openapi: string };
    expect(document.openapi).toMatch(/^3\./);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    // The first admin exists (from ADMIN_EMAIL / ADMIN_PASSWORD) and may read the metrics, worker's included.
    expect((await fetch(api('/metrics'))).status).toBe(401);
    const login = await fetch(api('/v1/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'first-admin@example.com', password: 'Admin-Password-For-E2E' }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const metrics = await (await fetch(api('/metrics'), { headers: { authorization: `Bearer ${token}` } })).text();
    expect(metrics).toContain('http_requests_total');
    expect(metrics).toMatch(/temporal_/);

    // State that must survive a restart: a row in PostgreSQL and a running workflow with a timer in Temporal.
    await withDatabase(async (db) => {
      await db.query('CREATE TABLE restart_probe (note text)');
      await db.query(`INSERT INTO restart_probe VALUES ('written before the restart')`);
    });
    await withTemporal((client) =>
      client.workflow.start('restartProbe', { taskQueue: 'restart-probe', workflowId: probeWorkflowId }),
    );

    // A second copy fails at once with one line that says what is in use, and disturbs nothing.
    const second = spawnProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env });
    expect(await second.exited).toBe(1);
    const lines = second.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^billing-center: API port \d+ on 127\.0\.0\.1 is already in use/);
    expect((await fetch(api('/readyz'))).status).toBe(200);

    const stopped = await stop(service);
    console.info(`SIGTERM: ${stopped.tree.length} processes gone after ${stopped.tookMs} ms`);
    expect(stopped.clean).toBe(true);
    expect(stopped.tree.length).toBeGreaterThanOrEqual(3); // node, postgres, temporal at the least
    expect(stopped.tookMs).toBeLessThan(15_000);
  });

  it('keeps data and workflows across a restart', async () => {
    const { service, readyAfterMs } = await start();
    console.info(`second start: /readyz 200 after ${readyAfterMs} ms`);
    try {
      const rows = await withDatabase(async (db) => (await db.query('SELECT note FROM restart_probe')).rows);
      expect(rows).toEqual([{ note: 'written before the restart' }]);
      const description = await withTemporal((client) => client.workflow.getHandle(probeWorkflowId).describe());
      expect(description.status.name).toBe('RUNNING');
    } finally {
      expect((await stop(service)).clean).toBe(true);
    }
  });
});
