import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { runProcess } from '../../runtime/lifecycle.js';
import { startSandboxMarketplace } from './server.js';

// The sandbox marketplace alone (`node --import tsx src/sandbox/marketplace/main.ts`), for a service started with
// MARKETPLACE_*_URL pointing here. `npm start` runs the same server in-process when those are unset.
const config = loadConfig();
const log = createLogger(config, 'sandbox-marketplace');

await runProcess({
  log,
  timeoutMs: config.shutdownTimeoutMs,
  start: async (started) => {
    const marketplace = await startSandboxMarketplace({ host: config.http.host, port: config.marketplaces.sandboxPort, log });
    started.push(marketplace);
    process.stdout.write(`Sandbox marketplace at ${marketplace.url} (${Object.values(marketplace.urls).join(', ')}; control at ${marketplace.url}/control)\n`);
  },
});
