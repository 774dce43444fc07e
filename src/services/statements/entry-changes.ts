import type { PrismaClient } from '../../db/client.js';
import { Prisma } from '../../db/generated/client.js';
import type { BalanceSourceKind } from '../../domain/ledger/index.js';
import { currencyOf, customerSide, type SourceChange } from './common.js';

interface ChangeRow {
  entry_id: bigint;
  source: BalanceSourceKind;
  source_id: string | null;
  currency: string;
  amount_minor: bigint;
}

/**
 * How each of the given entries changed the account's own balance sources, in one query for a whole page
 * (postings(entry_id) index, ledger accounts by primary key). Postings on system accounts and on other
 * accounts are left out. Within an entry the changes keep posting order, which for a usage charge is the
 * drawing order: soonest-expiring voucher or card first, cash last.
 *
 * The query is exported so that tests and benchmarks can EXPLAIN exactly what runs.
 */
export function sourceChangesQuery(accountId: string, entryIds: readonly bigint[]): Prisma.Sql {
  return Prisma.sql`
    SELECT p.entry_id, la.source, la.source_id, la.currency, p.amount_minor
    FROM postings p JOIN ledger_accounts la ON la.id = p.ledger_account_id
    WHERE p.entry_id = ANY(${[...entryIds]}::bigint[]) AND la.account_id = ${accountId}::uuid
    ORDER BY p.entry_id, p.id`;
}

export async function sourceChangesOf(
  prisma: PrismaClient,
  accountId: string,
  entryIds: readonly bigint[],
): Promise<Map<bigint, SourceChange[]>> {
  const changes = new Map<bigint, SourceChange[]>();
  if (entryIds.length === 0) return changes;
  const rows = await prisma.$queryRaw<ChangeRow[]>(sourceChangesQuery(accountId, entryIds));
  for (const row of rows) {
    const list = changes.get(row.entry_id) ?? [];
    list.push(sourceChange(row.entry_id, row));
    changes.set(row.entry_id, list);
  }
  return changes;
}

/** One posting on the account's own source, as the customer sees it (the sign of their balance). */
export function sourceChange(
  entryId: bigint,
  posting: { source: BalanceSourceKind; source_id: string | null; currency: string; amount_minor: bigint },
): SourceChange {
  return {
    source: posting.source,
    sourceId: posting.source_id,
    change: customerSide(posting.amount_minor, currencyOf(posting.currency, () => `ledger account of entry ${entryId}`)),
  };
}
