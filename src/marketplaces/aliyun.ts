import { HOUR_MS } from '../domain/marketplaces/rules.js';
import { callMarketplace } from './http.js';
import type { Entitlement, Marketplace, MarketplaceCustomer, MeteringRecord, RecordOutcome } from './marketplace.js';
import { AliyunInstance, AliyunResult, type AliyunDescribeInstance, type AliyunPushMeteringData } from './wire.js';

/**
 * Alibaba Cloud Market: `DescribeInstance` and `PushMeteringData`. A push is all or nothing: one answer for
 * the call, so every record of an accepted push is accepted under the push's request id.
 */
export class AliyunMarketplace implements Marketplace {
  readonly provider = 'aliyun' as const;
  constructor(private readonly baseUrl: string | undefined) {}

  async checkEntitlement(customer: MarketplaceCustomer): Promise<Entitlement> {
    const body: AliyunDescribeInstance = { InstanceId: customer.externalAccountId };
    const instance = await this.call('/DescribeInstance', body, AliyunInstance);
    return instance.Status === 'NORMAL'
      ? { entitled: true }
      : { entitled: false, reason: `Alibaba Cloud instance ${customer.externalAccountId} is ${instance.Status.toLowerCase()}.` };
  }

  async meter(customer: MarketplaceCustomer, records: readonly MeteringRecord[]): Promise<RecordOutcome[]> {
    const body: AliyunPushMeteringData = {
      Metering: records.map((record) => ({
        InstanceId: customer.externalAccountId,
        StartTime: record.hourStart / 1000,
        EndTime: (record.hourStart + HOUR_MS) / 1000,
        Entities: [{ Key: record.item, Value: record.quantity }],
      })),
    };
    const result = await this.call('/PushMeteringData', body, AliyunResult);
    return records.map((record) => ({ ref: record.ref, status: 'accepted', marketplaceRecordId: `${result.RequestId}/${record.ref}` }));
  }

  private call<S extends typeof AliyunResult | typeof AliyunInstance>(path: string, body: unknown, response: S) {
    return callMarketplace({ provider: this.provider, baseUrl: this.baseUrl, method: 'POST', path, body, response, errorName: (b) => b.Code as string | undefined });
  }
}
