import { createHash } from 'node:crypto';
import { DomainError, type FieldProblem } from '../../domain/errors.js';
import { InvalidAmountError, isCurrency, Money, priceUsage, type Currency } from '../../domain/money.js';
import { routeByPeriod, type WorkspaceSettlements } from '../../domain/settlement/routing.js';
import type { ServiceContext } from '../context.js';

interface WorkspaceRow {
  id: string;
  site: string;
  account_id: string;
  currency: string;
  settlement: string;
  cloud_account_id: string | null;
  settled_since: Date | null;
  changing_at: Date | null;
  history: { method: string; cloudAccountId: string | null; from: string | null; until: string }[];
}

/**
 * The batch's workspaces with what routes their usage, in one query (ingestion is benchmarked): the current
 * settlement, the earlier ones that end after the batch's earliest period, and the cut-over of a change in flight.
 */
async function settlementsOf(ctx: ServiceContext, workspaceIds: string[], earliest: Date) {
  const rows = await ctx.prisma.$queryRaw<WorkspaceRow[]>`
    SELECT w.id, w.site, w.account_id::text, a.currency, w.settlement, w.cloud_account_id::text, w.settled_since,
           c.cutover_at AS changing_at,
           CASE WHEN w.settled_since IS NULL OR w.settled_since <= ${earliest} THEN '[]'::json ELSE COALESCE(
             (SELECT json_agg(json_build_object('method', p.method, 'cloudAccountId', p.cloud_account_id,
                                                'from', p.effective_from, 'until', p.effective_until))
              FROM settlement_periods p WHERE p.workspace_id = w.id AND p.effective_until > ${earliest}), '[]'::json) END AS history
    FROM workspaces w
    JOIN accounts a ON a.id = w.account_id
    LEFT JOIN settlement_changes c ON c.in_flight_workspace_id = w.id
    WHERE w.id = ANY(${workspaceIds}::text[])`;
  return new Map(
    rows.map((row) => {
      const settlements: WorkspaceSettlements = {
        current: { method: row.settlement, cloudAccountId: row.cloud_account_id },
        since: row.settled_since,
        history: row.history.map((p) => ({ method: p.method, cloudAccountId: p.cloudAccountId, from: p.from === null ? null : new Date(p.from), until: new Date(p.until) })),
        changingAt: row.changing_at,
      };
      return [row.id, { id: row.id, site: row.site, accountId: row.account_id, account: { currency: row.currency }, settlements }];
    }),
  );
}

export interface UsageRecordInput {
  id: string;
  workspaceId: string;
  site: string;
  item: string;
  unit: string;
  periodStart: string;
  periodEnd: string;
  amount?: { amount: string; currency: string };
  quantity?: string;
  unitPrice?: string;
}

export interface IngestResult {
  /** New records stored now. */
  accepted: number;
  /** Ids already stored: nothing changed for them. */
  duplicates: number;
  /** Of the duplicates, the ids whose content differs from what was first stored (the first one stands). */
  conflicting: string[];
  /** Of the accepted: to be charged to a billing-center account, settled by a cloud account, or bound to none. */
  billable: number;
  cloud: number;
  unbilled: number;
  /** Of the accepted: periods from the cut-over of a settlement change in flight, routed when it ends. */
  held: number;
  /** Accounts with newly pending records, for the caller to wake their charging. */
  accountsToCharge: string[];
  /** Cloud accounts with new records, for the caller to wake their marketplace metering. */
  cloudAccountsToMeter: string[];
}

type Routed = {
  input: UsageRecordInput;
  accountId: string | null;
  cloudAccountId: string | null;
  status: 'pending' | 'cloud' | 'unbilled' | 'held';
  /** The period as epoch milliseconds, read once. */
  startMs: number;
  endMs: number;
  amount: Money | null;
  contentHash: string;
};

/** A stable fingerprint of what the platform said about a record. */
function contentHash(record: UsageRecordInput): string {
  const canonical = [record.workspaceId, record.site, record.item, record.unit, record.periodStart, record.periodEnd,
    record.amount?.amount ?? '', record.amount?.currency ?? '', record.quantity ?? '', record.unitPrice ?? ''];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * Stores a batch of usage records, all or nothing: if any record is invalid, the batch is refused with a
 * reason per record and nothing is stored. Each record is routed by the settlement in force at its period
 * (not at its arrival): to its billing-center account (charged asynchronously), to a cloud account (reported
 * to the marketplace), held while a settlement change decides (see routeByPeriod), or to nobody (kept, not
 * charged). A record id seen before is a duplicate and changes nothing.
 */
export async function ingestUsage(ctx: ServiceContext, records: UsageRecordInput[]): Promise<IngestResult> {
  const workspaceIds = [...new Set(records.map((r) => r.workspaceId))];
  const starts = records.map((r) => new Date(r.periodStart).getTime()).filter((t) => !Number.isNaN(t));
  const earliest = new Date(starts.length > 0 ? Math.min(...starts) : 0);
  const workspaceById = await settlementsOf(ctx, workspaceIds, earliest);

  const problems: FieldProblem[] = [];
  const routed: Routed[] = [];
  const batchCurrencies = new Set(records.flatMap((r) => (r.amount ? [r.amount.currency] : [])));
  records.forEach((record, index) => {
    const at = (field: string) => `/body/records/${index}/${field}`;
    const fail = (field: string, message: string) => problems.push({ path: at(field), message });
    const start = new Date(record.periodStart);
    const end = new Date(record.periodEnd);
    if (end.getTime() <= start.getTime()) fail('periodEnd', 'must be after periodStart');
    const hasAmount = record.amount !== undefined;
    const hasPrice = record.quantity !== undefined || record.unitPrice !== undefined;
    if (hasAmount === hasPrice) {
      fail(hasAmount ? 'quantity' : 'amount', 'give either amount, or quantity and unitPrice');
      return;
    }
    if (hasPrice && (record.quantity === undefined || record.unitPrice === undefined)) {
      fail(record.quantity === undefined ? 'quantity' : 'unitPrice', 'quantity and unitPrice go together');
      return;
    }
    if (batchCurrencies.size > 1 && record.amount) fail('amount/currency', 'a batch carries one currency');

    const workspace = workspaceById.get(record.workspaceId);
    if (workspace && workspace.site !== record.site) fail('site', `workspace ${record.workspaceId} is on site ${workspace.site}`);
    const accountCurrency = workspace ? (workspace.account.currency as Currency) : undefined;
    let amount: Money | null = null;
    try {
      if (record.amount) {
        if (!isCurrency(record.amount.currency)) throw new InvalidAmountError('unknown_currency', '/amount/currency', record.amount.currency, 'unknown currency');
        amount = Money.parse(record.amount.amount, record.amount.currency, { field: at('amount/amount').slice('/body'.length) });
        if (accountCurrency && amount.currency !== accountCurrency) {
          fail('amount/currency', `the paying account is billed in ${accountCurrency}`);
        }
      } else {
        const currency = accountCurrency ?? 'CNY';
        const priced = priceUsage(record.quantity!, record.unitPrice!, currency, {
          quantityField: at('quantity').slice('/body'.length),
          unitPriceField: at('unitPrice').slice('/body'.length),
        });
        // Without a paying account there is no currency to price in: the marketplace or nobody prices it.
        amount = accountCurrency ? priced : null;
      }
    } catch (error) {
      if (!(error instanceof InvalidAmountError)) throw error;
      problems.push({ path: error.field.startsWith('/records') ? `/body${error.field}` : at(error.field.slice(1)), message: error.message });
      return;
    }
    const route = workspace ? routeByPeriod(workspace.settlements, start) : undefined;
    const status = !route ? 'unbilled' : route.method === 'held' ? 'held' : route.method === 'cloud_account' ? 'cloud' : 'pending';
    const cloudAccountId = route?.method === 'cloud_account' ? route.cloudAccountId : null;
    routed.push({ input: record, accountId: workspace?.accountId ?? null, cloudAccountId, status, startMs: start.getTime(), endMs: end.getTime(), amount, contentHash: contentHash(record) });
  });
  if (problems.length > 0) {
    throw new DomainError('invalid', 'validation', `${new Set(problems.map((p) => p.path.split('/')[3])).size} of ${records.length} records are invalid; none was stored.`, {
      fields: problems,
    });
  }

  // One row per id: within a batch too, the first occurrence stands.
  const firstOf = new Map<string, Routed>();
  for (const r of routed) if (!firstOf.has(r.input.id)) firstOf.set(r.input.id, r);
  const unique = [...firstOf.values()];
  const rows = unique.map((r) => ({
    id: r.input.id, ws: r.input.workspaceId, site: r.input.site, item: r.input.item, unit: r.input.unit,
    q: r.input.quantity ?? null, up: r.input.unitPrice ?? null, am: r.amount ? String(r.amount.minor) : null, cur: r.amount?.currency ?? null,
    ps: r.startMs, pe: r.endMs, acc: r.accountId, st: r.status, h: r.contentHash, ca: r.cloudAccountId,
  }));
  // The batch travels as one JSON parameter that PostgreSQL unpacks, not as fifteen arrays of 1,000 values:
  // binding each value through the client cost more CPU than the insert itself (measured: a quarter of the
  // API's time under the usage benchmark). Only the ids that were not inserted come back: none, usually.
  const notInserted = await ctx.prisma.$queryRaw<{ id: string }[]>`
    WITH batch AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(
        id text, ws text, site text, item text, unit text, q numeric, up numeric, am bigint, cur text,
        ps bigint, pe bigint, acc uuid, st text, h text, ca uuid)
    ), inserted AS (
      INSERT INTO usage_records (id, workspace_id, site, item, unit, quantity, unit_price, amount_minor, currency,
                                 period_start, period_end, received_at, account_id, status, content_hash, cloud_account_id)
      SELECT id, ws, site, item, unit, q, up, am, cur, timestamptz 'epoch' + ps * interval '1 ms', timestamptz 'epoch' + pe * interval '1 ms',
             ${ctx.now()}, acc, st, h, ca
      FROM batch
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    )
    SELECT b.id FROM batch b WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.id = b.id)`;
  const stale = new Set(notInserted.map((r) => r.id));

  // Repeats within the batch are duplicates too: the first occurrence stands.
  const seen = new Set<string>();
  const duplicateIds: string[] = [];
  for (const r of records) {
    if (stale.has(r.id) || seen.has(r.id)) duplicateIds.push(r.id);
    seen.add(r.id);
  }
  const stored = duplicateIds.length
    ? await ctx.prisma.usageRecord.findMany({ where: { id: { in: [...new Set(duplicateIds)] } }, select: { id: true, contentHash: true } })
    : [];
  const storedHash = new Map(stored.map((r) => [r.id, r.contentHash]));
  const duplicated = new Set(duplicateIds);
  const conflicting = [...new Set(routed.filter((r) => duplicated.has(r.input.id) && storedHash.get(r.input.id) !== r.contentHash).map((r) => r.input.id))];

  const fresh = unique.filter((r) => !stale.has(r.input.id));
  return {
    accepted: fresh.length,
    duplicates: duplicateIds.length,
    conflicting,
    billable: fresh.filter((r) => r.status === 'pending').length,
    cloud: fresh.filter((r) => r.status === 'cloud').length,
    unbilled: fresh.filter((r) => r.status === 'unbilled').length,
    held: fresh.filter((r) => r.status === 'held').length,
    accountsToCharge: [...new Set(fresh.filter((r) => r.status === 'pending').map((r) => r.accountId!))],
    cloudAccountsToMeter: [...new Set(fresh.flatMap((r) => (r.cloudAccountId ? [r.cloudAccountId] : [])))],
  };
}
