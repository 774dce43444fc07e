import type { CloudProvider } from '../../src/domain/identity/cloud-account-id.js';
import { createLogger } from '../../src/logger.js';
import { createMarketplaces } from '../../src/marketplaces/marketplaces.js';
import { startSandboxMarketplace, type SandboxMarketplaceHandle } from '../../src/sandbox/marketplace/server.js';
import { bearer, createTestApp, type TestApp } from './app.js';

/**
 * A test app with a running worker whose marketplaces are a sandbox marketplace judging by the Temporal test
 * server's clock: the workflows and the marketplace agree on what time it is however far a test skips.
 */
export async function createMarketplaceTestApp(): Promise<{ t: TestApp; sandbox: SandboxMarketplaceHandle; close(): Promise<void> }> {
  let app: TestApp | undefined;
  const sandbox = await startSandboxMarketplace({
    host: '127.0.0.1',
    port: 0,
    log: createLogger({ env: 'test', logLevel: 'silent' }),
    now: async () => new Date(await app!.temporal.serverNow()),
  });
  const t = await createTestApp({ marketplaces: createMarketplaces(sandbox.urls) });
  app = t;
  await t.startWorker();
  return {
    t,
    sandbox,
    async close() {
      await t.close();
      await sandbox.stop();
    },
  };
}

/** Fresh external account ids in each provider's format; `seed` (1 to 9) keeps one file's ids apart from another's. */
export function externalAccountIds(seed: number): Record<CloudProvider, () => string> {
  let n = 0;
  return {
    aws: () => `${seed * 100000000000 + ++n}`,
    aliyun: () => `${seed * 1000000000000000 + ++n}`,
    huawei: () => (++n).toString(16).padStart(32, 'abcdef'[seed % 6]!),
  };
}

/** Binds a fresh cloud account of `provider` to the customer through the API. */
export async function bindCloudAccount(t: TestApp, token: string, provider: CloudProvider, ids: Record<CloudProvider, () => string>) {
  const bound = await t.app.inject({
    method: 'POST',
    url: '/v1/account/cloud-accounts',
    headers: bearer(token),
    payload: { provider, externalAccountId: ids[provider]() },
  });
  if (bound.statusCode !== 201) throw new Error(`binding a ${provider} cloud account failed: ${bound.statusCode} ${bound.body}`);
  return bound.json() as { id: string; externalAccountId: string };
}
