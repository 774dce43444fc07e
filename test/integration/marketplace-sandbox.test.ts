import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, hourOf } from '../../src/domain/marketplaces/rules.js';
import { createLogger } from '../../src/logger.js';
import { MarketplaceThrottled, MarketplaceUnavailable, type MeteringRecord } from '../../src/marketplaces/marketplace.js';
import { createMarketplaces, type Marketplaces } from '../../src/marketplaces/marketplaces.js';
import { startSandboxMarketplace, type SandboxMarketplaceHandle } from '../../src/sandbox/marketplace/server.js';

/**
 * The three adapters against the sandbox marketplace, its own HTTP service: each provider's batch size,
 * deadlines, pacing, idempotency and refusals, and the control endpoints that set them up.
 */

let sandbox: SandboxMarketplaceHandle;
let markets: Marketplaces;
let clock = 0;
const H = hourOf(Date.UTC(2026, 10, 27, 10, 30)); // 10:00 UTC
let n = 0;
const customer = (provider: 'aws' | 'aliyun' | 'huawei') => ({ provider, externalAccountId: `${100000000000 + ++n}` });
const record = (hourStart: number, item: string, quantity: string): MeteringRecord => ({ ref: `${++n}`, hourStart, item, quantity });
const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sandbox.url}/control${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
const received = async (provider: string, account: string) =>
  ((await (await control('GET', `/received?provider=${provider}&account=${account}`)).json()) as { records: { item: string; quantity: string; hourStart: string; late: boolean }[] }).records;

beforeAll(async () => {
  sandbox = await startSandboxMarketplace({ host: '127.0.0.1', port: 0, log: createLogger({ env: 'test', logLevel: 'silent' }), now: () => new Date(clock) });
  markets = createMarketplaces(sandbox.urls);
});
beforeEach(() => {
  clock = H + HOUR_MS + 10 * 60_000; // 11:10, ten minutes after the hour ended
});
afterAll(async () => {
  await sandbox.stop();
});

describe('the sandbox marketplace, through the adapters', () => {
  it('AWS: meters up to 25 records a call, per record, and takes an identical record again without counting it twice', async () => {
    const c = customer('aws');
    const records = Array.from({ length: 25 }, (_, i) => record(H, `item-${i}`, String(i)));
    const outcomes = await markets.aws.meter(c, records);
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    const again = await markets.aws.meter(c, records.slice(0, 2));
    expect(again.map((o) => o.status === 'accepted' && o.marketplaceRecordId)).toEqual(outcomes.slice(0, 2).map((o) => o.status === 'accepted' && o.marketplaceRecordId));
    expect(await received('aws', c.externalAccountId)).toHaveLength(25);

    const changed = await markets.aws.meter(c, [record(H, 'item-3', '4')]);
    expect(changed[0]).toMatchObject({ status: 'refused', code: 'conflict' });
    await expect(markets.aws.meter(c, Array.from({ length: 26 }, (_, i) => record(H, `x-${i}`, '1')))).rejects.toMatchObject({ name: 'MarketplaceRefused', code: 'invalid' });
  });

  it('AWS: refuses an hour 6 h or more after it, and one that has not ended', async () => {
    const c = customer('aws');
    clock = H + 6 * HOUR_MS;
    await expect(markets.aws.meter(c, [record(H, 'logs', '1')])).rejects.toMatchObject({ name: 'MarketplaceRefused', code: 'too_late' });
    clock = H + 6 * HOUR_MS - 1;
    expect((await markets.aws.meter(c, [record(H, 'logs', '1')]))[0]!.status).toBe('accepted');
    await expect(markets.aws.meter(c, [record(hourOf(clock), 'logs', '1')])).rejects.toMatchObject({ code: 'invalid' });
  });

  it('AWS: an entitlement refused by control is seen by the check and refuses each record', async () => {
    const c = customer('aws');
    expect(await markets.aws.checkEntitlement(c)).toEqual({ entitled: true });
    await control('PUT', `/refusals/aws/${c.externalAccountId}`, { refuse: 'entitlement', reason: 'subscription cancelled' });
    expect(await markets.aws.checkEntitlement(c)).toMatchObject({ entitled: false });
    expect((await markets.aws.meter(c, [record(H, 'logs', '1')]))[0]).toMatchObject({ status: 'refused', code: 'not_entitled' });
    expect(await received('aws', c.externalAccountId)).toEqual([]);
    expect((await control('DELETE', `/refusals/aws/${c.externalAccountId}`)).status).toBe(204);
    expect(await markets.aws.checkEntitlement(c)).toEqual({ entitled: true });
  });

  it('Alibaba Cloud: up to 100 records a push, one push per instance a minute, before the end of the next hour', async () => {
    const c = customer('aliyun');
    const records = Array.from({ length: 100 }, (_, i) => record(H, `item-${i}`, '1.5'));
    expect(await markets.aliyun.meter(c, records)).toHaveLength(100);
    const throttled = await markets.aliyun.meter(c, [record(H, 'more', '1')]).catch((error: unknown) => error);
    expect(throttled).toBeInstanceOf(MarketplaceThrottled);
    expect((throttled as MarketplaceThrottled).retryAfterMs).toBe(60_000);
    clock += 60_000;
    expect(await markets.aliyun.meter(c, [record(H, 'more', '1')])).toHaveLength(1);
    clock += 60_000;
    await expect(markets.aliyun.meter(c, Array.from({ length: 101 }, (_, i) => record(H, `y-${i}`, '1')))).rejects.toMatchObject({ code: 'invalid' });
    clock = H + 2 * HOUR_MS;
    await expect(markets.aliyun.meter(c, [record(H, 'late', '1')])).rejects.toMatchObject({ code: 'too_late' });
    expect((await received('aliyun', c.externalAccountId)).filter((r) => r.item === 'item-0')).toEqual([expect.objectContaining({ quantity: '1.5' })]);
  });

  it('Alibaba Cloud: a released instance is not entitled, and its push is refused whole', async () => {
    const c = customer('aliyun');
    await control('PUT', `/refusals/aliyun/${c.externalAccountId}`, { refuse: 'entitlement' });
    expect(await markets.aliyun.checkEntitlement(c)).toMatchObject({ entitled: false });
    await expect(markets.aliyun.meter(c, [record(H, 'logs', '1')])).rejects.toMatchObject({ name: 'MarketplaceRefused', code: 'not_entitled' });
  });

  it('Huawei Cloud: takes usage within 15 minutes as on time, up to 2 h late as late, refuses it after', async () => {
    const c = customer('huawei');
    await markets.huawei.meter(c, [record(H, 'on-time', '2')]);
    clock = H + HOUR_MS + 30 * 60_000;
    await markets.huawei.meter(c, [record(H, 'late', '2')]);
    clock = H + 3 * HOUR_MS;
    await expect(markets.huawei.meter(c, [record(H, 'too-late', '2')])).rejects.toMatchObject({ code: 'too_late' });
    expect((await received('huawei', c.externalAccountId)).map((r) => [r.item, r.late])).toEqual([
      ['late', true],
      ['on-time', false],
    ]);
  });

  it('refuses every call of an account it was told to refuse, and fakes outages on request', async () => {
    const c = customer('huawei');
    await control('PUT', `/refusals/huawei/${c.externalAccountId}`, { refuse: 'account', reason: 'account frozen' });
    await expect(markets.huawei.checkEntitlement(c)).rejects.toMatchObject({ code: 'account_refused' });
    await expect(markets.huawei.meter(c, [record(H, 'logs', '1')])).rejects.toThrow(/account frozen/);
    await control('POST', '/outages/aws', { calls: 1 });
    await expect(markets.aws.meter(customer('aws'), [record(H, 'logs', '1')])).rejects.toBeInstanceOf(MarketplaceUnavailable);
    expect((await markets.aws.meter(customer('aws'), [record(H, 'logs', '1')]))[0]!.status).toBe('accepted');
  });

  it('judges deadlines by its own clock, which control can set', async () => {
    const set = await control('PUT', '/clock', { now: new Date(H + 7 * HOUR_MS).toISOString() });
    expect(((await set.json()) as { now: string }).now).toBe(new Date(H + 7 * HOUR_MS).toISOString());
    await expect(markets.aws.meter(customer('aws'), [record(H, 'logs', '1')])).rejects.toMatchObject({ code: 'too_late' });
    await control('PUT', '/clock', { now: null });
    expect((await markets.aws.meter(customer('aws'), [record(H, 'logs', '1')]))[0]!.status).toBe('accepted');
  });

  it('says when a provider is not configured, and when it does not answer', async () => {
    const none = createMarketplaces({ aws: undefined, aliyun: undefined, huawei: undefined });
    await expect(none.huawei.meter(customer('huawei'), [record(H, 'logs', '1')])).rejects.toMatchObject({ code: 'not_configured' });
    const down = createMarketplaces({ aws: 'http://127.0.0.1:1/aws', aliyun: undefined, huawei: undefined });
    await expect(down.aws.checkEntitlement(customer('aws'))).rejects.toBeInstanceOf(MarketplaceUnavailable);
  });
});
