import type { CloudProvider } from '../identity/cloud-account-id.js';
import { canonicalQuantity, ceilQuantity } from './quantity.js';

/**
 * Each marketplace's documented metering rules, as data and pure functions. The adapters plan their calls
 * with them and the sandbox marketplace enforces them, so the two cannot disagree. Every report covers one
 * clock hour of one billing item of one cloud account; times are epoch milliseconds (UTC).
 */

export const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export interface MarketplaceRules {
  provider: CloudProvider;
  /** What the provider's metering call is called (for messages and docs). */
  call: string;
  /** Most usage records one call may carry. */
  maxRecordsPerCall: number;
  /** Every hour is reported, with zero for billing items that had no usage (AWS: "including zero-usage hours"). */
  reportsZeroHours: boolean;
  /** Quantities are whole units (AWS): a fractional hourly sum is rounded up. */
  wholeUnits: boolean;
  /** Least time between two calls for one account ("instance"), or 0 for no limit. */
  minIntervalPerAccountMs: number;
  /** After this many ms from the hour's start, the report is due (still accepted, but late). */
  dueAfterMs: number;
  /** From this many ms after the hour's start, the marketplace refuses the report. */
  refusedFromMs: number;
  /** Checks the customer's entitlement before metering. */
  checksEntitlement: boolean;
}

export const MARKETPLACE_RULES: Record<CloudProvider, MarketplaceRules> = {
  // BatchMeterUsage: ≤ 25 records, hourly records incl. zero-usage hours, whole units, rejected when the
  // record's timestamp is 6 h or more in the past; identical requests are idempotent; GetEntitlements first.
  aws: {
    provider: 'aws',
    call: 'BatchMeterUsage',
    maxRecordsPerCall: 25,
    reportsZeroHours: true,
    wholeUnits: true,
    minIntervalPerAccountMs: 0,
    dueAfterMs: 6 * HOUR_MS,
    refusedFromMs: 6 * HOUR_MS,
    checksEntitlement: true,
  },
  // PushMeteringData: ≤ 100 records, one push per instance per 60 s, an hour's usage pushed before the end
  // of the next hour.
  aliyun: {
    provider: 'aliyun',
    call: 'PushMeteringData',
    maxRecordsPerCall: 100,
    reportsZeroHours: false,
    wholeUnits: false,
    minIntervalPerAccountMs: 60_000,
    dueAfterMs: 2 * HOUR_MS,
    refusedFromMs: 2 * HOUR_MS,
    checksEntitlement: false,
  },
  // KooGallery: hourly usage within 15 minutes after the hour, accepted at most 2 h late. The issue names no
  // batch limit; we send at most 100 records a call, and the sandbox holds us to it.
  huawei: {
    provider: 'huawei',
    call: 'usage-records',
    maxRecordsPerCall: 100,
    reportsZeroHours: false,
    wholeUnits: false,
    minIntervalPerAccountMs: 0,
    dueAfterMs: HOUR_MS + 15 * MINUTE_MS,
    refusedFromMs: HOUR_MS + 2 * HOUR_MS,
    checksEntitlement: false,
  },
};

/** How long after an hour ends we close it: usage of the hour has arrived, and the shortest due time is far. */
export const CLOSE_DELAY_MS = 5 * MINUTE_MS;

export const hourOf = (at: number): number => Math.floor(at / HOUR_MS) * HOUR_MS;

/** When the hour starting at `hourStart` may be closed and reported. */
export const closesAt = (hourStart: number): number => hourStart + HOUR_MS + CLOSE_DELAY_MS;

/** The last moment (exclusive) the provider accepts a report of the hour starting at `hourStart`. */
export const deadlineOf = (provider: CloudProvider, hourStart: number): number => hourStart + MARKETPLACE_RULES[provider].refusedFromMs;

export type Timeliness = 'too_early' | 'on_time' | 'late' | 'refused_late';

/**
 * How the provider judges a report of the hour starting at `hourStart` received at `now`: not before the
 * hour has ended; on time until it is due; late but taken until its deadline; refused from then on.
 */
export function timeliness(provider: CloudProvider, hourStart: number, now: number): Timeliness {
  const rules = MARKETPLACE_RULES[provider];
  if (hourStart % HOUR_MS !== 0 || now < hourStart + HOUR_MS) return 'too_early';
  if (now >= hourStart + rules.refusedFromMs) return 'refused_late';
  return now >= hourStart + rules.dueAfterMs ? 'late' : 'on_time';
}

/** The quantity the provider is sent for an exact hourly sum. */
export function reportedQuantity(provider: CloudProvider, quantity: string): string {
  return MARKETPLACE_RULES[provider].wholeUnits ? ceilQuantity(quantity) : canonicalQuantity(quantity);
}

export interface HourlyUsage {
  item: string;
  quantity: string;
}

/**
 * The records to report for one closed hour: the items with usage, plus (where zero hours are reported) a
 * zero for every item the account has been metered for before and that had none this hour.
 */
export function hourlyRecords(provider: CloudProvider, usage: readonly HourlyUsage[], knownItems: readonly string[]): HourlyUsage[] {
  const records = usage.map((u) => ({ item: u.item, quantity: u.quantity }));
  if (MARKETPLACE_RULES[provider].reportsZeroHours) {
    const used = new Set(records.map((r) => r.item));
    for (const item of [...new Set(knownItems)].sort()) if (!used.has(item)) records.push({ item, quantity: '0' });
  }
  return records;
}

/** Splits records into calls of at most the provider's batch size, in order. */
export function batches<T>(provider: CloudProvider, records: readonly T[]): T[][] {
  const size = MARKETPLACE_RULES[provider].maxRecordsPerCall;
  const out: T[][] = [];
  for (let i = 0; i < records.length; i += size) out.push(records.slice(i, i + size));
  return out;
}

/** When the next call for an account may go out, given when the last one did (undefined: never). */
export function nextCallAllowedAt(provider: CloudProvider, lastCallAt: number | undefined): number {
  const interval = MARKETPLACE_RULES[provider].minIntervalPerAccountMs;
  return lastCallAt === undefined || interval === 0 ? Number.NEGATIVE_INFINITY : lastCallAt + interval;
}
