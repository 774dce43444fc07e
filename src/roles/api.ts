import { buildApp } from '../../api/app.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { PaymentGateways } from '../payments/gateways.js';
import type { Stoppable } from '../runtime/lifecycle.js';
import { checkTemporal, checkWorkerPolling } from '../temporal/readiness.js';
import type { Workflows } from '../temporal/workflows.js';
import type { TemporalClientHandle } from '../temporal/client.js';
import { version } from '../version.js';
import type { ServiceContext } from '../services/context.js';
import { ensureBootstrapAdmin } from '../services/identity/staff.js';
import { listeningUrl } from '../runtime/ports.js';

export interface ApiRole extends Stoppable {
  url: string;
}

/** Starts the HTTP API. Stopping it stops accepting connections and waits for in-flight requests. */
export async function startApi(options: {
  config: Config;
  log: Logger;
  database: Database;
  services: ServiceContext;
  workflows: Workflows;
  payments: PaymentGateways;
  temporal: TemporalClientHandle;
  workerMetricsUrl?: string;
}): Promise<ApiRole> {
  const { config, database, temporal, services, workflows } = options;
  if (config.auth.bootstrapAdmin) await ensureBootstrapAdmin(services, config.auth.bootstrapAdmin, options.log);
  const app = await buildApp({
    log: options.log,
    services,
    workflows,
    payments: options.payments,
    cashLimits: { min: config.recharge.cashMin, max: config.recharge.cashMax },
    ticketClocks: config.tickets.clocks,
    version,
    bodyLimitBytes: config.http.bodyLimitBytes,
    ...(options.workerMetricsUrl ? { workerMetricsUrl: options.workerMetricsUrl } : {}),
    readiness: {
      database: () => database.ping(),
      temporal: () => checkTemporal(temporal.connection, config.temporal.namespace),
      worker: () => checkWorkerPolling(temporal.connection, config.temporal.namespace, config.temporal.taskQueue),
    },
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  return { name: 'api', url: listeningUrl(app.server, config.http.host, config.http.port), stop: () => app.close() };
}
