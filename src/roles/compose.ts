import path from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import { connectDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from '../embedded/postgres.js';
import { startEmbeddedTemporal } from '../embedded/temporal.js';
import type { Logger } from '../logger.js';
import { createPaymentGateways } from '../payments/gateways.js';
import { startSandboxGateway } from '../sandbox/payment-gateway/server.js';
import { startSandboxMarketplace } from '../sandbox/marketplace/server.js';
import { createMarketplaces } from '../marketplaces/marketplaces.js';
import type { Stoppable } from '../runtime/lifecycle.js';
import { assertPortsFree, type PortClaim } from '../runtime/ports.js';
import { connectTemporalClient } from '../temporal/client.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';
import { startWorker } from '../temporal/worker.js';
import { Workflows } from '../temporal/workflows.js';
import { startApi } from './api.js';
import type { ServiceContext } from '../services/context.js';
import { keepPrincipalCacheCurrent, PrincipalCache } from '../services/identity/principal-cache.js';
import { createMailer } from '../services/notifications/mailer.js';

export interface Roles {
  /** Start PostgreSQL and Temporal in-process when no DATABASE_URL / TEMPORAL_ADDRESS is given. */
  embedded: boolean;
  migrate: boolean;
  worker: boolean;
  api: boolean;
}

export interface Started {
  apiUrl?: string;
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  temporalBinary?: string;
  /** The payment gateway cash recharges use: the embedded sandbox's URL, or PAYMENT_GATEWAY_URL. */
  paymentGateway?: { url: string; embedded: boolean };
  /** Where the worker sends email (an SMTP server, or the folder of .eml files). */
  mail?: string;
  /** The sandbox marketplace `npm start` runs for the providers without a MARKETPLACE_*_URL. */
  sandboxMarketplace?: { url: string; providers: string[] };
}

/** PostgreSQL connections of the worker's activities when it shares a process with the API (which keeps its 20). */
const WORKER_DATABASE_CONNECTIONS = 10;

function require(value: string | undefined, name: string, role: string): string {
  if (value) return value;
  throw new ConfigError(`${name} is required for ${role} (only \`npm start\` runs the embedded one).`);
}

/**
 * Starts the parts of the service a process runs, in dependency order, pushing each onto `started` so the
 * lifecycle stops them in reverse. `npm start` runs them all; `npm run api`, `npm run worker` and
 * `npm run db:migrate` run one role against external PostgreSQL and Temporal.
 */
export async function startRoles(config: Config, log: Logger, roles: Roles, started: Stoppable[]): Promise<Started> {
  const role = roles.api && roles.worker ? 'npm start' : roles.api ? 'npm run api' : roles.worker ? 'npm run worker' : 'npm run db:migrate';
  const embedPostgres = roles.embedded && !config.databaseUrl;
  const embedTemporal = roles.embedded && !config.temporal.address && (roles.api || roles.worker);
  const embedSandboxGateway = roles.embedded && !config.payments.gatewayUrl && (roles.api || roles.worker);
  const sandboxedProviders = Object.entries(config.marketplaces.urls).filter(([, url]) => !url).map(([provider]) => provider);
  const embedSandboxMarketplace = roles.embedded && roles.worker && sandboxedProviders.length > 0;

  const claims: PortClaim[] = [];
  if (roles.api) claims.push({ port: config.http.port, host: config.http.host, what: 'API', envVar: 'PORT' });
  if (embedPostgres) claims.push({ port: config.embeddedPostgres.port, host: '127.0.0.1', what: 'Embedded PostgreSQL', envVar: 'EMBEDDED_PG_PORT or DATABASE_URL' });
  if (embedTemporal) {
    claims.push({ port: config.temporal.devServer.port, host: '127.0.0.1', what: 'Temporal dev server', envVar: 'TEMPORAL_DEV_PORT or TEMPORAL_ADDRESS' });
    claims.push({ port: config.temporal.devServer.uiPort, host: '127.0.0.1', what: 'Temporal Web UI', envVar: 'TEMPORAL_UI_PORT' });
  }
  if (roles.worker) claims.push({ port: config.temporal.metricsPort, host: '127.0.0.1', what: 'Worker metrics', envVar: 'TEMPORAL_METRICS_PORT' });
  if (embedSandboxGateway) {
    claims.push({ port: config.payments.sandboxPort, host: config.http.host, what: 'Sandbox payment gateway', envVar: 'SANDBOX_GATEWAY_PORT or PAYMENT_GATEWAY_URL' });
  }
  if (embedSandboxMarketplace) {
    claims.push({ port: config.marketplaces.sandboxPort, host: config.http.host, what: 'Sandbox marketplace', envVar: 'SANDBOX_MARKETPLACE_PORT or MARKETPLACE_*_URL' });
  }
  await assertPortsFree(claims);

  let databaseUrl = config.databaseUrl;
  if (embedPostgres) {
    const postgres = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgres.port, log });
    started.push({ name: 'embedded PostgreSQL', stop: postgres.stop });
    databaseUrl = postgres.url();
  }
  const dbUrl = require(databaseUrl, 'DATABASE_URL', role);

  if (roles.migrate) {
    const applied = await migrate(dbUrl, log);
    log.info({ applied: applied.length }, applied.length ? 'migrations applied' : 'database schema is up to date');
  }
  const result: Started = { databaseUrl: dbUrl, temporalAddress: config.temporal.address ?? '' };
  if (!roles.api && !roles.worker) return result;

  if (roles.worker) installTemporalRuntime(log, config.temporal.metricsPort);
  let temporalAddress = config.temporal.address;
  if (embedTemporal) {
    const server = await startEmbeddedTemporal({
      dataDir: config.dataDir,
      cacheDir: config.cacheDir,
      port: config.temporal.devServer.port,
      uiPort: config.temporal.devServer.uiPort,
      namespace: config.temporal.namespace,
      log,
    });
    started.push({ name: 'embedded Temporal', stop: server.stop });
    temporalAddress = server.address;
    result.temporalUiUrl = server.uiUrl;
    result.temporalBinary = server.binarySource;
  }
  result.temporalAddress = require(temporalAddress, 'TEMPORAL_ADDRESS', role);

  const database = connectDatabase(dbUrl);
  started.push({ name: 'database client', stop: database.close });
  const temporal = await connectTemporalClient(result.temporalAddress, config.temporal.namespace);
  started.push({ name: 'Temporal client', stop: temporal.close });
  const services: ServiceContext = { prisma: database.prisma, now: () => new Date(), tokenTtlMs: config.auth.tokenTtlMs, principals: new PrincipalCache() };

  const workflows = new Workflows(temporal.client, config.temporal.taskQueue);

  if (config.env === 'production' && config.payments.webhookSecretIsDevDefault) {
    log.warn('PAYMENT_WEBHOOK_SECRET is not set: payment notifications are checked with the published dev-only key. Set it.');
  }
  let gatewayUrl = config.payments.gatewayUrl;
  if (embedSandboxGateway) {
    // Where customers pay, so it listens where the API does (their browsers must reach both).
    const sandbox = await startSandboxGateway({
      host: config.http.host,
      port: config.payments.sandboxPort,
      secret: config.payments.webhookSecret,
      stateFile: path.join(config.dataDir, 'sandbox-payment-gateway.json'),
      log: log.child({ name: 'sandbox-payment-gateway' }),
    });
    started.push(sandbox);
    gatewayUrl = sandbox.url;
  }
  if (gatewayUrl) result.paymentGateway = { url: gatewayUrl, embedded: embedSandboxGateway };
  const payments = createPaymentGateways({ gatewayUrl, webhookSecret: config.payments.webhookSecret, publicApiUrl: config.payments.publicApiUrl });
  const marketplaceUrls = { ...config.marketplaces.urls };
  if (embedSandboxMarketplace) {
    const sandbox = await startSandboxMarketplace({ host: config.http.host, port: config.marketplaces.sandboxPort, log: log.child({ name: 'sandbox-marketplace' }) });
    started.push(sandbox);
    for (const provider of ['aws', 'aliyun', 'huawei'] as const) marketplaceUrls[provider] ??= sandbox.urls[provider];
    result.sandboxMarketplace = { url: sandbox.url, providers: sandboxedProviders };
  }
  if (roles.worker && !embedSandboxMarketplace) {
    for (const [provider, url] of Object.entries(marketplaceUrls)) {
      if (!url) log.warn({ provider }, `MARKETPLACE_${provider.toUpperCase()}_URL is not set: usage settled to ${provider} cloud accounts stays pending, then late`);
    }
  }
  if (roles.worker) {
    // On an external server too: operators filter by these in the Web UI, and workflows set them.
    await ensureSearchAttributes(temporal.connection, config.temporal.namespace);
    const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, dataDir: config.dataDir });
    started.push({ name: 'mailer', stop: mailer.close });
    result.mail = await mailer.describe();
    log.info({ mail: result.mail }, 'outgoing email');
    // With the API in the same process, the worker's activities get a pool of their own: a burst of charging
    // transactions queued on one another's locks must never leave the API without a connection.
    const workerDatabase = roles.api ? connectDatabase(dbUrl, { maxConnections: WORKER_DATABASE_CONNECTIONS }) : database;
    if (workerDatabase !== database) started.push({ name: 'worker database client', stop: workerDatabase.close });
    const worker = await startWorker({
      address: result.temporalAddress,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      dependencies: {
        log,
        services: { ...services, prisma: workerDatabase.prisma },
        workflows,
        mailer,
        paymentGateways: payments,
        marketplaces: createMarketplaces(marketplaceUrls),
        ticketEscalationEmails: config.tickets.escalationEmails,
      },
    });
    started.push({ name: 'worker', stop: worker.shutdown });
    await workflows.ensureSchedules();
  }

  if (roles.api) {
    started.push(keepPrincipalCacheCurrent(dbUrl, services.principals, log));
    const api = await startApi({
      config,
      log,
      database,
      services,
      workflows,
      payments,
      temporal,
      ...(roles.worker && config.temporal.metricsPort > 0
        ? { workerMetricsUrl: `http://127.0.0.1:${config.temporal.metricsPort}/metrics` }
        : {}),
    });
    started.push(api);
    result.apiUrl = api.url;
  }
  return result;
}
