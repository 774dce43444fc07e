import { Prisma } from '../../db/generated/client.js';
import type { JournalEntryKind } from '../../domain/ledger/index.js';
import { Money } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { asEntryKind, asSourceStatus, currencyOf, customerSide, slice, type Slice, type SourceStatus } from './common.js';

/** How many of a source's postings its details show: the most recent ones. */
export const MOVEMENTS_SHOWN = 20;

export interface Movement {
  entryId: bigint;
  kind: JournalEntryKind;
  occurredAt: Date;
  /** Customer side: a recharge is positive, a charge or an expiry negative. */
  amount: Money;
}

export interface SourceDetails {
  /** The ledger account's id: the keyset position, never shown to clients. */
  ledgerAccountId: bigint;
  createdAt: Date;
  /** The voucher id, or the prepaid card's id. */
  sourceId: string;
  /** The first credit posted to it (what was redeemed); zero if nothing was ever credited. */
  faceValue: Money;
  remaining: Money;
  status: SourceStatus;
  validFrom: Date | null;
  expiresAt: Date | null;
  scope: string[];
  minSpend: Money | null;
  /** Newest first, at most MOVEMENTS_SHOWN. */
  movements: Movement[];
}

interface SourceRow {
  id: bigint;
  source_id: string;
  currency: string;
  net_minor: bigint;
  status: string;
  valid_from: Date | null;
  expires_at: Date | null;
  scope: string[];
  min_spend_minor: bigint | null;
  created_at: Date;
  face_value_minor: bigint | null;
}

interface MovementRow {
  ledger_account_id: bigint;
  entry_id: bigint;
  kind: string;
  occurred_at: Date;
  amount_minor: bigint;
}

/**
 * The account's vouchers or prepaid cards (every status), newest first by ledger account id. Two queries per
 * page: the sources with their face value (the first credit, found through postings(ledger_account_id,
 * entry_id)), and the latest movements of each, capped per source by a LATERAL ... LIMIT on the same index.
 */
export async function listSourceDetails(
  ctx: ServiceContext,
  accountId: string,
  source: 'voucher' | 'prepaid_card',
  options: { status?: SourceStatus; limit: number; after?: bigint },
): Promise<Slice<SourceDetails, { ledgerAccountId: bigint; createdAt: Date }>> {
  const conditions = [Prisma.sql`la.account_id = ${accountId}::uuid`, Prisma.sql`la.source = ${source}`];
  if (options.status !== undefined) conditions.push(Prisma.sql`la.status = ${options.status}`);
  if (options.after !== undefined) conditions.push(Prisma.sql`la.id < ${options.after}::bigint`);
  const rows = await ctx.prisma.$queryRaw<SourceRow[]>`
    SELECT la.id, la.source_id, la.currency, la.net_minor, la.status, la.valid_from, la.expires_at, la.scope,
           la.min_spend_minor, la.created_at,
           (SELECT -p.amount_minor FROM postings p
            WHERE p.ledger_account_id = la.id AND p.amount_minor < 0
            ORDER BY p.entry_id, p.id LIMIT 1) AS face_value_minor
    FROM ledger_accounts la
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY la.id DESC
    LIMIT ${options.limit + 1}`;
  const page = slice(rows, options.limit, (row) => ({ ledgerAccountId: row.id, createdAt: row.created_at }));
  const movements = await latestMovements(ctx, page.items.map((row) => row.id));
  return {
    next: page.next,
    items: page.items.map((row) => {
      const currency = currencyOf(row.currency, `ledger account ${row.id}`);
      return {
        ledgerAccountId: row.id,
        createdAt: row.created_at,
        sourceId: row.source_id,
        faceValue: Money.ofMinor(row.face_value_minor ?? 0n, currency),
        remaining: customerSide(row.net_minor, currency),
        status: asSourceStatus(row.status),
        validFrom: row.valid_from,
        expiresAt: row.expires_at,
        scope: row.scope,
        minSpend: row.min_spend_minor === null ? null : Money.ofMinor(row.min_spend_minor, currency),
        movements: (movements.get(row.id) ?? []).map((m) => ({
          entryId: m.entry_id,
          kind: asEntryKind(m.kind),
          occurredAt: m.occurred_at,
          amount: customerSide(m.amount_minor, currency),
        })),
      };
    }),
  };
}

async function latestMovements(ctx: ServiceContext, ledgerAccountIds: bigint[]): Promise<Map<bigint, MovementRow[]>> {
  const byAccount = new Map<bigint, MovementRow[]>();
  if (ledgerAccountIds.length === 0) return byAccount;
  const rows = await ctx.prisma.$queryRaw<MovementRow[]>`
    SELECT m.ledger_account_id, m.entry_id, m.kind, m.occurred_at, m.amount_minor
    FROM unnest(${ledgerAccountIds}::bigint[]) AS la(id)
    CROSS JOIN LATERAL (
      SELECT p.id, p.ledger_account_id, p.entry_id, e.kind, e.occurred_at, p.amount_minor
      FROM postings p JOIN journal_entries e ON e.id = p.entry_id
      WHERE p.ledger_account_id = la.id
      ORDER BY p.entry_id DESC, p.id DESC
      LIMIT ${MOVEMENTS_SHOWN}
    ) m
    ORDER BY m.ledger_account_id, m.entry_id DESC, m.id DESC`;
  for (const row of rows) {
    const list = byAccount.get(row.ledger_account_id) ?? [];
    list.push(row);
    byAccount.set(row.ledger_account_id, list);
  }
  return byAccount;
}
