import { Prisma } from '../../db/generated/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { allocateCharge, type BalanceSource, entryKeys, usageChargeEntry } from '../../domain/ledger/index.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { postEntries, type EntryToPost } from '../ledger/post-entries.js';

/** How many records one transaction charges: large enough to be fast, small enough to keep locks short. */
export const CHARGE_BATCH = 1000;

interface PendingRow {
  id: string;
  item: string;
  amount_minor: bigint;
  currency: string;
}

interface SourceRow {
  key: string;
  source: 'cash' | 'voucher' | 'prepaid_card';
  source_id: string | null;
  net_minor: bigint;
  status: string;
  valid_from: Date | null;
  expires_at: Date | null;
  scope: string[];
  min_spend_minor: bigint | null;
  created_at: Date;
}

/** The account's balance sources as the pure allocation rule wants them; cash exists even before its first posting. */
async function balanceSources(tx: Tx, accountId: string, currency: Currency): Promise<BalanceSource[]> {
  const rows = await tx.$queryRaw<SourceRow[]>`
    SELECT key, source, source_id, net_minor, status, valid_from, expires_at, scope, min_spend_minor, created_at
    FROM ledger_accounts WHERE account_id = ${accountId}::uuid`;
  const sources: BalanceSource[] = [];
  let hasCash = false;
  for (const row of rows) {
    const remaining = Money.ofMinor(-row.net_minor, currency);
    const status = row.status as 'active' | 'expired' | 'revoked';
    if (row.source === 'cash') {
      hasCash = true;
      sources.push({ kind: 'cash', id: 'cash', remaining, createdAt: row.created_at, status: 'active', expiresAt: null });
    } else if (row.source === 'voucher') {
      sources.push({
        kind: 'voucher',
        id: row.source_id!,
        remaining,
        createdAt: row.created_at,
        status,
        expiresAt: row.expires_at!,
        validFrom: row.valid_from,
        scope: row.scope,
        minSpend: row.min_spend_minor === null ? null : Money.ofMinor(row.min_spend_minor, currency),
      });
    } else {
      sources.push({ kind: 'prepaid_card', id: row.source_id!, remaining, createdAt: row.created_at, status, expiresAt: row.expires_at! });
    }
  }
  if (!hasCash) sources.push({ kind: 'cash', id: 'cash', remaining: Money.zero(currency), createdAt: new Date(0), status: 'active', expiresAt: null });
  return sources;
}

/**
 * Charges the oldest pending usage records of one account, up to CHARGE_BATCH, in one transaction: each is
 * drawn from the account's sources in order (soonest expiry first, cash last, arrears beyond) and posted
 * under its record's business key. Safe to run twice at once or to retry: the account lock serializes
 * runs, and a charged record is no longer pending.
 */
export async function chargePendingUsage(ctx: ServiceContext, accountId: string): Promise<{ charged: number; more: boolean }> {
  return inTransaction(
    ctx.prisma,
    async (tx) => {
      const [account] = await tx.$queryRaw<{ currency: string }[]>`SELECT currency FROM accounts WHERE id = ${accountId}::uuid FOR UPDATE`;
      if (!account) return { charged: 0, more: false };
      const currency = account.currency as Currency;
      const pending = await tx.$queryRaw<PendingRow[]>`
        SELECT id, item, amount_minor, currency FROM usage_records
        WHERE account_id = ${accountId}::uuid AND status = 'pending'
        ORDER BY received_at, id LIMIT ${CHARGE_BATCH + 1}`;
      const batch = pending.slice(0, CHARGE_BATCH);
      if (batch.length === 0) return { charged: 0, more: false };

      const now = ctx.now();
      const sources = await balanceSources(tx, accountId, currency);
      const toPost: EntryToPost[] = [];
      for (const record of batch) {
        const allocation = allocateCharge({ amount: Money.ofMinor(record.amount_minor, currency), item: record.item, chargedAt: now }, sources);
        // Later records of the batch see what earlier ones drew.
        for (const draw of allocation.draws) {
          const index = sources.findIndex((s) => s.kind === draw.kind && s.id === draw.sourceId);
          const source = sources[index]!;
          sources[index] = { ...source, remaining: source.remaining.subtract(draw.amount) } as BalanceSource;
        }
        const entry = usageChargeEntry({ recordId: record.id, billingAccountId: accountId, allocation });
        if (entry) toPost.push({ entry, accountId, occurredAt: now, details: { usageRecordId: record.id, item: record.item } });
      }
      await postEntries(tx, toPost, now, {
        beforeSystemAccounts: async (posted) => {
          const ids = batch.map((r) => r.id);
          const entryIds = batch.map((r) => posted.entryIds.get(entryKeys.usage(r.id)) ?? null);
          await tx.$executeRaw`
            UPDATE usage_records SET status = 'charged', charged_at = ${now}, entry_id = u.entry_id
            FROM unnest(${ids}::text[], ${entryIds}::bigint[]) AS u(id, entry_id)
            WHERE usage_records.id = u.id`;
        },
      });
      return { charged: batch.length, more: pending.length > CHARGE_BATCH };
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
}

/** Accounts with records pending for longer than `olderThanMs`: what the sweeper nudges. */
export async function accountsWithStalePendingUsage(ctx: ServiceContext, olderThanMs: number): Promise<string[]> {
  const before = new Date(ctx.now().getTime() - olderThanMs);
  const rows = await ctx.prisma.$queryRaw<{ account_id: string }[]>`
    SELECT DISTINCT account_id::text FROM usage_records WHERE status = 'pending' AND received_at < ${before} LIMIT 10000`;
  return rows.map((r) => r.account_id);
}
