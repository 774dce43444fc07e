
import { callMarketplace } from './http.js';
import { MarketplaceRefused, MarketplaceThrottled, type Entitlement, type Marketplace, type MarketplaceCustomer, type MeteringRecord, type RecordOutcome } from './marketplace.js';
import { AWS_PRODUCT_CODE, AwsBatchMeterUsageResult, AwsGetEntitlementsResult, type AwsBatchMeterUsage, type AwsGetEntitlements } from './wire.js';

/**
 * AWS Marketplace: `GetEntitlements` (Entitlement Service) and `BatchMeterUsage` (Metering Service). Each record
 * is one hour of one dimension for one customer, in whole units; results come per record.
 */
export class AwsMarketplace implements Marketplace {
  readonly provider = 'aws' as const;
  constructor(private readonly baseUrl: string | undefined) {}

  async checkEntitlement(customer: MarketplaceCustomer): Promise<Entitlement> {
    const body: AwsGetEntitlements = { ProductCode: AWS_PRODUCT_CODE, Filter: { CUSTOMER_IDENTIFIER: [customer.externalAccountId] } };
    const result = await this.call('/GetEntitlements', body, AwsGetEntitlementsResult);
    return result.Entitlements.some((e) => e.CustomerIdentifier === customer.externalAccountId)
      ? { entitled: true }
      : { entitled: false, reason: `AWS customer ${customer.externalAccountId} has no entitlement to product ${AWS_PRODUCT_CODE}.` };
  }

  async meter(customer: MarketplaceCustomer, records: readonly MeteringRecord[]): Promise<RecordOutcome[]> {
    const body: AwsBatchMeterUsage = {
      ProductCode: AWS_PRODUCT_CODE,
      UsageRecords: records.map((record) => {
        const quantity = Number(record.quantity);
        if (!/^[0-9]+$/.test(record.quantity) || quantity > 2_147_483_647) {
          throw new MarketplaceRefused('invalid', `AWS meters whole units up to 2147483647; ${record.item} at ${new Date(record.hourStart).toISOString()} is ${record.quantity}.`);
        }
        return { Timestamp: new Date(record.hourStart).toISOString(), CustomerIdentifier: customer.externalAccountId, Dimension: record.item, Quantity: quantity };
      }),
    };
    const result = await this.call('/BatchMeterUsage', body, AwsBatchMeterUsageResult);
    const key = (timestamp: string, dimension: string) => `${Date.parse(timestamp)}|${dimension}`;
    const byKey = new Map(result.Results.map((r) => [key(r.UsageRecord.Timestamp, r.UsageRecord.Dimension), r]));
    return records.map((record): RecordOutcome => {
      const answer = byKey.get(key(new Date(record.hourStart).toISOString(), record.item));
      // Unprocessed (or missing from the answer): not refused, so the caller sends it again later.
      if (!answer) throw new MarketplaceThrottled(60_000, `AWS left ${record.item} at ${new Date(record.hourStart).toISOString()} unprocessed.`);
      if (answer.Status === 'Success') return { ref: record.ref, status: 'accepted', marketplaceRecordId: answer.MeteringRecordId };
      return answer.Status === 'CustomerNotSubscribed'
        ? { ref: record.ref, status: 'refused', code: 'not_entitled', reason: `AWS: customer ${customer.externalAccountId} is not subscribed.` }
        : { ref: record.ref, status: 'refused', code: 'conflict', reason: `AWS: a record of this hour and dimension was metered before with another quantity.` };
    });
  }

  private call<S extends typeof AwsBatchMeterUsageResult | typeof AwsGetEntitlementsResult>(path: string, body: unknown, response: S) {
    return callMarketplace({ provider: this.provider, baseUrl: this.baseUrl, method: 'POST', path, body, response, errorName: (b) => b.__type as string | undefined });
  }
}


