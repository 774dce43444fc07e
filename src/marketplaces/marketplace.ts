import type { CloudProvider } from '../domain/identity/cloud-account-id.js';

/**
 * The cloud-marketplace port: what metering and settlement need from AWS Marketplace, Alibaba Cloud Market
 * and Huawei Cloud KooGallery, in the service's own terms. One adapter per provider speaks its protocol
 * (aws.ts, aliyun.ts, huawei.ts); the project's sandbox marketplace (src/sandbox/marketplace) speaks all three.
 * Callers plan their calls with src/domain/marketplaces/rules.ts (batch sizes, deadlines, pacing): an adapter
 * sends what it is given as one call and says what the marketplace answered.
 */

/** The customer at the marketplace: a bound cloud account. */
export interface MarketplaceCustomer {
  provider: CloudProvider;
  /** The provider's account id (AWS customer identifier, Alibaba Cloud instance owner, Huawei customer id). */
  externalAccountId: string;
}

/** One hour of one billing item, as the marketplace is told it. */
export interface MeteringRecord {
  /** Our reference (the report id): the same record sent twice is recognised, never counted twice. */
  ref: string;
  /** Start of the clock hour, epoch ms. */
  hourStart: number;
  /** The billing item; the provider's dimension (AWS), entity key (Alibaba) or usage type (Huawei). */
  item: string;
  /** Exact decimal string, already in the provider's terms (whole units for AWS). */
  quantity: string;
}

export type RecordOutcome =
  | { ref: string; status: 'accepted'; marketplaceRecordId: string }
  | { ref: string; status: 'refused'; code: string; reason: string };

export type Entitlement = { entitled: true } | { entitled: false; reason: string };

export interface Marketplace {
  readonly provider: CloudProvider;
  /** Whether the customer may be metered (has a subscription or instance for our product). */
  checkEntitlement(customer: MarketplaceCustomer): Promise<Entitlement>;
  /**
   * Sends `records` (at most the provider's batch size) as one call. Identical records sent again are
   * accepted again and not counted twice. Throws `MarketplaceRefused` when the whole call is refused,
   * `MarketplaceThrottled` when it must wait, `MarketplaceUnavailable` when it could not be asked.
   */
  meter(customer: MarketplaceCustomer, records: readonly MeteringRecord[]): Promise<RecordOutcome[]>;
}

/**
 * Why a whole call was refused. `too_late`: an hour past the provider's deadline; `not_entitled`: no
 * subscription; `account_refused`: the provider refuses the account; `conflict`: a record of that hour and
 * item was reported before with another quantity; `invalid`: the call broke a rule (batch size, fields).
 */
export type RefusalCode = 'too_late' | 'not_entitled' | 'account_refused' | 'conflict' | 'invalid' | 'not_configured';

/** The marketplace refused: retrying the same call will not help. Its name is the Temporal failure type. */
export class MarketplaceRefused extends Error {
  override readonly name = 'MarketplaceRefused';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** Too many calls: the same call may go again after `retryAfterMs`. */
export class MarketplaceThrottled extends Error {
  override readonly name = 'MarketplaceThrottled';
  constructor(
    readonly retryAfterMs: number,
    message: string,
  ) {
    super(message);
  }
}

/** No answer, a server error or an unreadable one: worth retrying. */
export class MarketplaceUnavailable extends Error {
  override readonly name = 'MarketplaceUnavailable';
}
