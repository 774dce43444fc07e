import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRoles } from './roles/compose.js';
import { runProcess } from './runtime/lifecycle.js';

// `npm run db:migrate`: apply pending migrations and exit (the embedded PostgreSQL when DATABASE_URL is unset).
const config = loadConfig();
const log = createLogger(config, 'billing-center-migrate');
await runProcess({
  log,
  timeoutMs: config.shutdownTimeoutMs,
  start: async (started) => {
    await startRoles(config, log, { embedded: true, migrate: true, worker: false, api: false }, started);
    for (const part of started.reverse()) await part.stop();
    process.exit(0);
  },
});
