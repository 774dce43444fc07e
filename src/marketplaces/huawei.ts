import { HOUR_MS } from '../domain/marketplaces/rules.js';
import { callMarketplace } from './http.js';
import type { Entitlement, Marketplace, MarketplaceCustomer, MeteringRecord, RecordOutcome } from './marketplace.js';
import { HuaweiSubscription, HuaweiUsageResult, type HuaweiUsageRecords } from './wire.js';

/** Huawei Cloud KooGallery: the customer's subscription, and hourly usage records (all or nothing per call). */
export class HuaweiMarketplace implements Marketplace {
  readonly provider = 'huawei' as const;
  constructor(private readonly baseUrl: string | undefined) {}

  async checkEntitlement(customer: MarketplaceCustomer): Promise<Entitlement> {
    const subscription = await this.call('GET', `/subscriptions/${encodeURIComponent(customer.externalAccountId)}`, undefined, HuaweiSubscription);
    return subscription.status === 'active'
      ? { entitled: true }
      : { entitled: false, reason: `Huawei Cloud customer ${customer.externalAccountId}'s subscription is ${subscription.status}.` };
  }

  async meter(customer: MarketplaceCustomer, records: readonly MeteringRecord[]): Promise<RecordOutcome[]> {
    const body: HuaweiUsageRecords = {
      usage_records: records.map((record) => ({
        record_id: record.ref,
        customer_id: customer.externalAccountId,
        usage_type: record.item,
        usage_value: record.quantity,
        start_time: new Date(record.hourStart).toISOString(),
        end_time: new Date(record.hourStart + HOUR_MS).toISOString(),
      })),
    };
    const result = await this.call('POST', '/usage-records', body, HuaweiUsageResult);
    const ids = new Map(result.result.map((r) => [r.record_id, r.id]));
    return records.map((record) => ({ ref: record.ref, status: 'accepted', marketplaceRecordId: ids.get(record.ref) ?? record.ref }));
  }

  private call<S extends typeof HuaweiUsageResult | typeof HuaweiSubscription>(method: 'GET' | 'POST', path: string, body: unknown, response: S) {
    return callMarketplace({ provider: this.provider, baseUrl: this.baseUrl, method, path, body, response, errorName: (b) => b.error_code as string | undefined });
  }
}
