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
    list.push({
      source: row.source,
      sourceId: row.source_id,
      change: customerSide(row.amount_minor, currencyOf(row.currency, `ledger account of entry ${row.entry_id}`)),
    });
    changes.set(row.entry_id, list);
  }
  return changes;
}
