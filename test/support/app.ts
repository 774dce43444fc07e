import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '../../api/app.js';
import type { ReadinessChecks } from '../../api/health/routes.js';
import { inTransaction } from '../../src/db/transaction.js';
import { createLogger } from '../../src/logger.js';
import { createPaymentGateways, type PaymentGateways } from '../../src/payments/gateways.js';
import { createMarketplaces, type Marketplaces } from '../../src/marketplaces/marketplaces.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createFileMailer, type Mailer } from '../../src/services/notifications/mailer.js';
import { createApiKey } from '../../src/services/identity/api-keys.js';
import { hashPassword } from '../../src/services/identity/passwords.js';
import type { StaffRole } from '../../src/domain/identity/roles.js';
import { DEFAULT_TICKET_CLOCKS, type TicketClockSettings } from '../../src/domain/tickets/clocks.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { Workflows } from '../../src/temporal/workflows.js';
import { startWorker, type WorkerHandle } from '../../src/temporal/worker.js';
import { connectTestTemporal, type TestTemporal } from './temporal.js';
import { keepPrincipalCacheCurrent, PrincipalCache } from '../../src/services/identity/principal-cache.js';

export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export interface TestApp {
  app: App;
  db: TestDatabase;
  services: ServiceContext;
  clock: TestClock;
  /**
   * Sets the service's clock to the time-skipping server's, which earlier files moved ahead: a card's or
   * voucher's validity, set by the service's clock, then means the same instant to its lifetime workflow.
   */
  followServerClock(): Promise<void>;
  /** The shared time-skipping Temporal server, with a task queue of this app's own. */
  temporal: TestTemporal;
  /** The service's way to start workflows, as the app and the worker use it (what it starts is cleaned up on close). */
  workflows: Workflows;
  /** The payment gateways the webhook verifies against (the app's clock judges signature age). */
  payments: PaymentGateways;
  /**
   * Starts the real worker (every workflow and activity) on this app's database and task queue. Email goes to
   * the `mailer` given to createTestApp, by default into .eml files in a temporary folder (`mailDir`).
   */
  startWorker(options?: { maxCachedWorkflows?: number }): Promise<WorkerHandle>;
  /** The folder of the default file mailer; created by the first startWorker() without a mailer of the test's. */
  mailDir: string | undefined;
  /** Registers a customer through the API; returns its token and account id. */
  customer(overrides?: { email?: string; name?: string }): Promise<{ token: string; accountId: string; email: string; password: string }>;
  /** A staff user with these roles, created directly (the admin API is tested on its own), signed in. */
  staff(roles: StaffRole[]): Promise<{ token: string; userId: string }>;
  /** A platform API key. */
  apiKey(): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
export const STRONG_PASSWORD = 'Correct-Horse-Battery-9';
/** The merchant key of the test app's payment gateways, unless a test brings its own `payments`. */
export const TEST_PAYMENT_WEBHOOK_SECRET = 'test-payment-webhook-secret-0123456789';

/** The real application on a fresh database of its own, with a clock the test controls. */
export async function createTestApp(
  options: {
    readiness?: ReadinessChecks;
    mailer?: Mailer;
    payments?: PaymentGateways;
    marketplaces?: Marketplaces;
    /** The clocks of new tickets (default: the service's defaults). */
    ticketClocks?: TicketClockSettings;
    /** Where the worker sends ticket escalations (default: every admin). */
    ticketEscalationEmails?: string[];
  } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  let offset = 0;
  const clock: TestClock = { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
  const services: ServiceContext = { prisma: db.prisma, now: clock.now, tokenTtlMs: 12 * 3_600_000, principals: new PrincipalCache() };
  // As in an API process: tokens are answered from memory while the database's announcements are heard.
  const principalWatch = keepPrincipalCacheCurrent(db.url, services.principals, createLogger({ env: 'test', logLevel: 'silent' }));
  const ok = async () => undefined;
  const temporal = await connectTestTemporal();
  // Workflows left running on the shared time-skipping server would hold its clock for every later file.
  const started = new Set<string>();
  const workflows = new Workflows(temporal.client, temporal.taskQueue, (id) => started.add(id));
  // No gateway URL: webhooks verify; opening an order needs a test to start a sandbox and pass its own.
  const payments =
    options.payments ??
    createPaymentGateways({ gatewayUrl: undefined, webhookSecret: TEST_PAYMENT_WEBHOOK_SECRET, publicApiUrl: 'http://127.0.0.1:3000', now: clock.now });
  const app = await buildApp({
    log: createLogger({ env: 'test', logLevel: 'silent' }),
    services,
    workflows,
    payments,
    cashLimits: { min: '1.00', max: '1000000.00' },
    ticketClocks: options.ticketClocks ?? DEFAULT_TICKET_CLOCKS,
    version: '0.0.0-test',
    bodyLimitBytes: 1024 * 1024,
    readiness: options.readiness ?? { database: () => db.ping(), temporal: ok, worker: ok },
  });

  const workers: WorkerHandle[] = [];
  let mailer = options.mailer;
  const testApp: TestApp = {
    app,
    db,
    services,
    clock,
    async followServerClock() {
      clock.advance((await temporal.serverNow()) - clock.now().getTime());
    },
    temporal,
    workflows,
    payments,
    mailDir: undefined,
    async startWorker(workerOptions = {}) {
      if (!mailer) {
        testApp.mailDir = await mkdtemp(path.join(os.tmpdir(), 'billing-center-mail-'));
        mailer = createFileMailer({ dir: testApp.mailDir });
      }
      const worker = await startWorker({
        address: temporal.address,
        namespace: 'default',
        taskQueue: temporal.taskQueue,
        ...workerOptions,
        dependencies: {
          log: createLogger({ env: 'test', logLevel: 'silent' }),
          services,
          workflows,
          mailer,
          paymentGateways: payments,
          ticketEscalationEmails: options.ticketEscalationEmails ?? [],
          // No marketplace URL unless a test starts a sandbox marketplace and passes its own.
          marketplaces: options.marketplaces ?? createMarketplaces({ aws: undefined, aliyun: undefined, huawei: undefined }),
        },
      });
      workers.push(worker);
      return worker;
    },
    async customer(overrides = {}) {
      const email = overrides.email ?? `customer-${unique()}@example.com`;
      const response = await app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email, password: STRONG_PASSWORD, name: overrides.name ?? 'Test Customer' },
        // Each test customer from an address of its own, so fixtures never trip the per-address limit.
        remoteAddress: `10.250.${(counter >> 8) & 255}.${counter & 255}`,
      });
      if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
      const body = response.json() as { token: string; account: { id: string } };
      return { token: body.token, accountId: body.account.id, email, password: STRONG_PASSWORD };
    },
    async staff(roles) {
      const email = `staff-${unique()}@example.com`;
      const user = await db.prisma.user.create({
        data: { email, name: 'Staff', passwordHash: await hashPassword(STRONG_PASSWORD), roles },
      });
      const response = await app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password: STRONG_PASSWORD },
        remoteAddress: `10.251.${(counter >> 8) & 255}.${counter & 255}`,
      });
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
      return { token: (response.json() as { token: string }).token, userId: user.id };
    },
    async apiKey() {
      const admin = await db.prisma.user.create({
        data: { email: `key-admin-${unique()}@example.com`, name: 'Admin', passwordHash: 'x', roles: ['admin'] },
      });
      return (await inTransaction(db.prisma, (tx) => createApiKey(tx, admin.id, 'test platform'))).key;
    },
    async close() {
      // The app first: closing it sends the usage wake-ups it still owes, which may start workflows.
      await app.close();
      await Promise.all(
        [...started].map((id) => temporal.client.workflow.getHandle(id).terminate('test finished').catch(() => undefined)),
      );
      for (const worker of workers) await worker.shutdown();
      if (testApp.mailDir) await rm(testApp.mailDir, { recursive: true, force: true });
      await temporal.close();
      await principalWatch.stop();
      await db.drop();
    },
  };
  return testApp;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
