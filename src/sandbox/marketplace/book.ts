import { randomBytes } from 'node:crypto';
import type { CloudProvider } from '../../domain/identity/cloud-account-id.js';
import { canonicalQuantity } from '../../domain/marketplaces/quantity.js';
import { MARKETPLACE_RULES, nextCallAllowedAt, timeliness } from '../../domain/marketplaces/rules.js';
import type { WireRefusal } from '../../marketplaces/wire.js';

/**
 * What the sandbox marketplace knows: the usage records it took, the accounts and entitlements it was told
 * to refuse, when each account last called, and outages it was told to fake. In memory only: a stand-in for
 * three marketplaces, not a record of anything. It judges every metering call by the same rules module the
 * adapters plan with (src/domain/marketplaces/rules.ts).
 */

export interface IncomingRecord {
  ref: string;
  hourStart: number;
  item: string;
  quantity: string;
}

export interface ReceivedRecord extends IncomingRecord {
  provider: CloudProvider;
  account: string;
  marketplaceRecordId: string;
  receivedAt: string;
  /** Taken after it was due (Huawei: more than 15 minutes after the hour), before its deadline. */
  late: boolean;
}

export interface CallLog {
  provider: CloudProvider;
  account: string;
  records: number;
  at: string;
  /** `accepted`, or the refusal. */
  outcome: string;
}

export type Refusal = 'account' | 'entitlement';

export type Judgement =
  | { kind: 'refused'; refusal: WireRefusal; message: string; retryAfterSeconds?: number }
  | { kind: 'unavailable' }
  | { kind: 'taken'; results: { record: IncomingRecord; status: 'accepted' | 'duplicate' | 'conflict' | 'not_entitled'; marketplaceRecordId: string }[] };

const keyOf = (provider: string, account: string, hourStart: number, item: string) => `${provider}|${account}|${hourStart}|${item}`;
const accountKey = (provider: string, account: string) => `${provider}|${account}`;

export class MarketplaceBook {
  private readonly received = new Map<string, ReceivedRecord>();
  private readonly refusals = new Map<string, { refuse: Refusal; reason: string }>();
  private readonly lastCall = new Map<string, number>();
  private readonly outages = new Map<CloudProvider, number>();
  readonly calls: CallLog[] = [];

  refuse(provider: CloudProvider, account: string, refuse: Refusal, reason: string): void {
    this.refusals.set(accountKey(provider, account), { refuse, reason });
  }

  lift(provider: CloudProvider, account: string): boolean {
    return this.refusals.delete(accountKey(provider, account));
  }

  refusalOf(provider: CloudProvider, account: string) {
    return this.refusals.get(accountKey(provider, account));
  }

  /** The next `calls` metering calls to `provider` answer 503, as an outage would. */
  fail(provider: CloudProvider, calls: number): void {
    this.outages.set(provider, calls);
  }

  list(filter: { provider?: CloudProvider; account?: string }): ReceivedRecord[] {
    return [...this.received.values()]
      .filter((r) => (!filter.provider || r.provider === filter.provider) && (!filter.account || r.account === filter.account))
      .sort((a, b) => a.hourStart - b.hourStart || a.item.localeCompare(b.item) || a.account.localeCompare(b.account));
  }

  reset(): void {
    this.received.clear();
    this.refusals.clear();
    this.lastCall.clear();
    this.outages.clear();
    this.calls.length = 0;
  }

  /** Whether the account may be metered at all (GetEntitlements / DescribeInstance / subscription). */
  entitled(provider: CloudProvider, account: string): { ok: true } | { ok: false; refusal: 'account_refused' | 'not_entitled'; reason: string } {
    const refusal = this.refusalOf(provider, account);
    if (!refusal) return { ok: true };
    return { ok: false, refusal: refusal.refuse === 'account' ? 'account_refused' : 'not_entitled', reason: refusal.reason };
  }

  /** Judges one metering call at `now` and, when it is taken, keeps its records. */
  meter(provider: CloudProvider, account: string, records: readonly IncomingRecord[], now: number): Judgement {
    const judgement = this.judge(provider, account, records, now);
    this.calls.push({ provider, account, records: records.length, at: new Date(now).toISOString(), outcome: judgement.kind === 'refused' ? judgement.refusal : judgement.kind === 'unavailable' ? 'unavailable' : 'accepted' });
    if (judgement.kind !== 'taken') return judgement;
    this.lastCall.set(accountKey(provider, account), now);
    for (const result of judgement.results) {
      if (result.status !== 'accepted') continue;
      const { record } = result;
      this.received.set(keyOf(provider, account, record.hourStart, record.item), {
        ...record,
        provider,
        account,
        marketplaceRecordId: result.marketplaceRecordId,
        receivedAt: new Date(now).toISOString(),
        late: timeliness(provider, record.hourStart, now) === 'late',
      });
    }
    return judgement;
  }

  private judge(provider: CloudProvider, account: string, records: readonly IncomingRecord[], now: number): Judgement {
    const rules = MARKETPLACE_RULES[provider];
    const outage = this.outages.get(provider) ?? 0;
    if (outage > 0) {
      this.outages.set(provider, outage - 1);
      return { kind: 'unavailable' };
    }
    const refuse = (refusal: WireRefusal, message: string): Judgement => ({ kind: 'refused', refusal, message });
    if (records.length > rules.maxRecordsPerCall) return refuse('invalid', `${rules.call} takes at most ${rules.maxRecordsPerCall} records a call; got ${records.length}.`);
    const allowedAt = nextCallAllowedAt(provider, this.lastCall.get(accountKey(provider, account)));
    if (now < allowedAt) {
      return { kind: 'refused', refusal: 'throttled', message: `One ${rules.call} per account every ${rules.minIntervalPerAccountMs / 1000} s.`, retryAfterSeconds: Math.ceil((allowedAt - now) / 1000) };
    }
    const refusal = this.refusalOf(provider, account);
    if (refusal?.refuse === 'account') return refuse('account_refused', refusal.reason);
    const seen = new Set<string>();
    for (const record of records) {
      const when = timeliness(provider, record.hourStart, now);
      const hour = new Date(record.hourStart).toISOString();
      if (when === 'too_early') return refuse('invalid', `The hour ${hour} has not ended (or is not a clock hour).`);
      if (when === 'refused_late') return refuse('too_late', `Usage of the hour ${hour} came after the deadline (${rules.refusedFromMs / 60_000} min after the hour's start).`);
      const key = keyOf(provider, account, record.hourStart, record.item);
      if (seen.has(key)) return refuse('invalid', `The call has ${record.item} at ${hour} twice.`);
      seen.add(key);
    }
    // AWS answers entitlement and duplicates per record; the others refuse the whole call.
    const perRecord = provider === 'aws';
    if (refusal?.refuse === 'entitlement' && !perRecord) return refuse('not_entitled', refusal.reason);
    const results = records.map((record) => {
      const before = this.received.get(keyOf(provider, account, record.hourStart, record.item));
      const same = before && canonicalQuantity(before.quantity) === canonicalQuantity(record.quantity);
      const status = refusal ? ('not_entitled' as const) : !before ? ('accepted' as const) : same ? ('duplicate' as const) : ('conflict' as const);
      return { record, status, marketplaceRecordId: before?.marketplaceRecordId ?? `${provider}-${randomBytes(8).toString('hex')}` };
    });
    if (!perRecord && results.some((r) => r.status === 'conflict')) {
      return refuse('conflict', 'A record of the same hour and item was reported before with another quantity.');
    }
    return { kind: 'taken', results };
  }
}
