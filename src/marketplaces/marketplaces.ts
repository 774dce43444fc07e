import type { CloudProvider } from '../domain/identity/cloud-account-id.js';
import { AliyunMarketplace } from './aliyun.js';
import { AwsMarketplace } from './aws.js';
import { HuaweiMarketplace } from './huawei.js';
import type { Marketplace } from './marketplace.js';

/** The marketplace of each provider a cloud account can be bound at. */
export type Marketplaces = Record<CloudProvider, Marketplace>;

/** Base URLs per provider (MARKETPLACE_*_URL, or the sandbox that `npm start` runs); unset: not configured. */
export type MarketplaceUrls = Record<CloudProvider, string | undefined>;

export function createMarketplaces(urls: MarketplaceUrls): Marketplaces {
  return { aws: new AwsMarketplace(urls.aws), aliyun: new AliyunMarketplace(urls.aliyun), huawei: new HuaweiMarketplace(urls.huawei) };
}
