import path from 'node:path';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { runProcess } from '../../runtime/lifecycle.js';
import { startSandboxGateway } from './server.js';

// The sandbox gateway alone (`node --import tsx src/sandbox/payment-gateway/main.ts`), for a service started
// with PAYMENT_GATEWAY_URL pointing here. `npm start` runs the same server in-process when that is unset.
const config = loadConfig();
const log = createLogger(config, 'sandbox-payment-gateway');

await runProcess({
  log,
  timeoutMs: config.shutdownTimeoutMs,
  start: async (started) => {
    if (config.env === 'production' && config.payments.webhookSecretIsDevDefault) {
      log.warn('PAYMENT_WEBHOOK_SECRET is not set: notifications are signed with the published dev-only key. Set it.');
    }
    const gateway = await startSandboxGateway({
      host: config.http.host,
      port: config.payments.sandboxPort,
      secret: config.payments.webhookSecret,
      stateFile: path.join(config.dataDir, 'sandbox-payment-gateway.json'),
      log,
    });
    started.push(gateway);
    process.stdout.write(`Sandbox payment gateway at ${gateway.url} (pay pages at ${gateway.url}/pay/<orderId>)\n`);
  },
});
