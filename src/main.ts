import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRoles } from './roles/compose.js';
import { runProcess } from './runtime/lifecycle.js';

// `npm start`: the whole service on one machine, on embedded PostgreSQL and Temporal unless told otherwise.
const config = loadConfig();
const log = createLogger(config);

await runProcess({
  log,
  timeoutMs: config.shutdownTimeoutMs,
  start: async (started) => {
    const at = await startRoles(config, log, { embedded: true, migrate: true, worker: true, api: true }, started);
    const lines = [
      '',
      'Billing Center is running',
      `  API          ${at.apiUrl}`,
      `  Swagger UI   ${at.apiUrl}/docs`,
      `  Temporal UI  ${at.temporalUiUrl ?? '(external Temporal server: use its own Web UI)'}`,
      `  Temporal     ${at.temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`,
      ...(at.temporalBinary ? [`               binary: ${at.temporalBinary}`] : []),
      `  PostgreSQL   ${at.databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')}`,
      `  Data folder  ${config.dataDir}`,
      ...(at.paymentGateway
        ? [`  Payments     ${at.paymentGateway.embedded ? 'sandbox gateway ' : 'gateway '}${at.paymentGateway.url}${at.paymentGateway.embedded ? ' (pay pages at /pay/<orderId>)' : ''}`]
        : []),
      ...(at.sandboxMarketplace
        ? [`  Marketplaces sandbox ${at.sandboxMarketplace.url} (${at.sandboxMarketplace.providers.map((p) => `/${p}`).join(', ')}; control at /control)`]
        : []),
      ...(at.mail ? [`  Mail         ${at.mail}`] : []),
      'Press Ctrl+C to stop.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
  },
});
