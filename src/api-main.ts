import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRoles } from './roles/compose.js';
import { runProcess } from './runtime/lifecycle.js';

// `npm run api`: the HTTP API alone, for production, against DATABASE_URL and TEMPORAL_ADDRESS.
const config = loadConfig();
const log = createLogger(config, 'billing-center-api');
await runProcess({
  log,
  timeoutMs: config.shutdownTimeoutMs,
  start: async (started) => {
    const at = await startRoles(config, log, { embedded: false, migrate: false, worker: false, api: true }, started);
    log.info({ url: at.apiUrl }, 'API listening');
  },
});
