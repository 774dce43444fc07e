import { createHash } from 'node:crypto';
import { formatMinor, randomInt, seededRandom } from './stats.js';

export const SITE = 'cn-hangzhou';
const ITEMS = ['compute', 'storage', 'egress', 'gpu'] as const;
const PERIOD_BASE = Date.parse('2026-10-01T00:00:00.000Z');
const HOUR = 3_600_000;

export interface BenchRecord {
  id: string;
  workspaceId: string;
  site: string;
  item: string;
  unit: string;
  periodStart: string;
  periodEnd: string;
  amount: { amount: string; currency: 'CNY' };
}

export interface UsageData {
  records: BenchRecord[];
  /** Per record: which account (index) pays it, and its amount in minor units. */
  accountOf: Int32Array;
  amountMinor: bigint[];
  /** Per account index: the sum of its records' amounts. */
  expectedCharged: bigint[];
}

export const workspaceId = (index: number) => `bench-ws-${index}`;
/** Workspaces are bound in blocks: account k owns workspaces k*perAccount .. (k+1)*perAccount-1. */
export const accountOfWorkspace = (workspace: number, workspacesPerAccount: number) => Math.floor(workspace / workspacesPerAccount);

/**
 * The records every run sends: each goes to a workspace drawn uniformly at random (seeded), with an amount
 * between 0.01 and 20.00 CNY, so one batch of 500 touches most of the 200 accounts, as a platform's meter
 * export would.
 */
export function generateUsage(options: { records: number; workspaces: number; accounts: number; seed: number }): UsageData {
  const random = seededRandom(options.seed);
  const perAccount = options.workspaces / options.accounts;
  const records: BenchRecord[] = new Array(options.records);
  const accountOf = new Int32Array(options.records);
  const amountMinor: bigint[] = new Array(options.records);
  const expectedCharged: bigint[] = Array.from({ length: options.accounts }, () => 0n);
  for (let n = 0; n < options.records; n++) {
    const workspace = randomInt(random, 0, options.workspaces - 1);
    const minor = BigInt(randomInt(random, 1, 2000));
    const start = PERIOD_BASE + (n % 720) * HOUR;
    records[n] = {
      id: `bench-usage-${n}`,
      workspaceId: workspaceId(workspace),
      site: SITE,
      item: ITEMS[n % ITEMS.length]!,
      unit: 'hour',
      periodStart: new Date(start).toISOString(),
      periodEnd: new Date(start + HOUR).toISOString(),
      amount: { amount: formatMinor(minor), currency: 'CNY' },
    };
    const account = accountOfWorkspace(workspace, perAccount);
    accountOf[n] = account;
    amountMinor[n] = minor;
    expectedCharged[account] = expectedCharged[account]! + minor;
  }
  return { records, accountOf, amountMinor, expectedCharged };
}

/** The same fingerprint the ingest service stores (src/services/usage/ingest.ts), so the baseline writes the same row. */
export function contentHash(record: BenchRecord): string {
  const canonical = [record.workspaceId, record.site, record.item, record.unit, record.periodStart, record.periodEnd,
    record.amount.amount, record.amount.currency, '', ''];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
