import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketplaceActivities } from '../../activities/marketplaces.js';
import { createLogger } from '../../src/logger.js';
import { MarketplaceRefused } from '../../src/marketplaces/marketplace.js';
import { createMarketplaces } from '../../src/marketplaces/marketplaces.js';
import { startSandboxMarketplace, type SandboxMarketplaceHandle } from '../../src/sandbox/marketplace/server.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The entitlement check the settlement migration validates a cloud target with, against the sandbox marketplace. */

let t: TestApp;
let sandbox: SandboxMarketplaceHandle;
let activities: ReturnType<typeof marketplaceActivities>;
beforeAll(async () => {
  sandbox = await startSandboxMarketplace({ host: '127.0.0.1', port: 0, log: createLogger({ env: 'test', logLevel: 'silent' }) });
  t = await createTestApp();
  activities = marketplaceActivities(t.services, createMarketplaces(sandbox.urls));
});
afterAll(async () => {
  await t.close();
  await sandbox.stop();
});

let n = 0;
async function cloudAccount(provider: 'aws' | 'aliyun' | 'huawei') {
  const { accountId } = await t.customer();
  const externalAccountId = { aws: `${400000000000 + ++n}`, aliyun: `${2000000000000000 + ++n}`, huawei: (++n).toString(16).padStart(32, 'c') }[provider];
  return t.db.prisma.cloudAccount.create({ data: { accountId, provider, externalAccountId } });
}

describe('checking a cloud account\'s entitlement at its marketplace', () => {
  it.each(['aws', 'aliyun', 'huawei'] as const)('%s: entitled until the marketplace withdraws it, then not, with its reason', async (provider) => {
    const cloud = await cloudAccount(provider);
    expect(await activities.checkMarketplaceEntitlement(cloud.id)).toEqual({ entitled: true });
    sandbox.book.refuse(provider, cloud.externalAccountId, 'entitlement', 'subscription ended');
    expect(await activities.checkMarketplaceEntitlement(cloud.id)).toEqual({ entitled: false, reason: expect.stringContaining(cloud.externalAccountId) });
    sandbox.book.refuse(provider, cloud.externalAccountId, 'account', 'account frozen');
    expect(await activities.checkMarketplaceEntitlement(cloud.id)).toEqual({ entitled: false, reason: expect.stringContaining('account frozen') });
  });

  it('fails for good on an unknown cloud account, and retryably where no marketplace is configured', async () => {
    const unknown = await activities.checkMarketplaceEntitlement('00000000-0000-4000-8000-000000000000').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(ApplicationFailure);
    expect(unknown).toMatchObject({ type: 'CloudAccountNotFound', nonRetryable: true });
    const unconfigured = marketplaceActivities(t.services, createMarketplaces({ aws: undefined, aliyun: undefined, huawei: undefined }));
    const cloud = await cloudAccount('aws');
    await expect(unconfigured.checkMarketplaceEntitlement(cloud.id)).rejects.toBeInstanceOf(MarketplaceRefused);
  });
});
