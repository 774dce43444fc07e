import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRoles } from './roles/compose.js';
import { runProcess } from './runtime/lifecycle.js';

// `npm run worker`: the Temporal worker alone, for production, against DATABASE_URL and TEMPORAL_ADDRESS.
const config = loadConfig();
const log = createLogger(config, 'billing-center-worker');
await runProcess({
  log,
  timeoutMs: config.shutdownTimeoutMs,
  start: async (started) => {
    await startRoles(config, log, { embedded: false, migrate: false, worker: true, api: false }, started);
    log.info({ taskQueue: config.temporal.taskQueue }, 'worker polling');
  },
});
