import type { PrismaClient } from '../../db/client.js';

export interface LedgerViolation {
  rule: 'entry_unbalanced' | 'entry_too_few_postings' | 'currency_mixed' | 'stored_balance_drift' | 'running_balance_drift' | 'account_changes_drift';
  subject: string;
  detail: string;
}

/**
 * The ledger's invariants, checked against what is stored: every entry's postings sum to zero in one
 * currency; every stored net equals the sum of its postings; every account's last running balance equals its
 * balances; every entry's stored account changes are its postings on its account's own sources. Empty means healthy. Finance sees it with the trial balance; tests run it after every scenario.
 */
export async function checkStoredLedger(prisma: PrismaClient): Promise<LedgerViolation[]> {
  const violations: LedgerViolation[] = [];
  const unbalanced = await prisma.$queryRaw<{ business_key: string; total: bigint; n: bigint }[]>`
    SELECT e.business_key, COALESCE(SUM(p.amount_minor), 0)::bigint AS total, COUNT(p.id) AS n
    FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id
    GROUP BY e.id, e.business_key HAVING COALESCE(SUM(p.amount_minor), 0) <> 0 OR COUNT(p.id) < 2`;
  for (const row of unbalanced) {
    if (row.n < 2n) violations.push({ rule: 'entry_too_few_postings', subject: row.business_key, detail: `${row.n} postings` });
    if (row.total !== 0n) violations.push({ rule: 'entry_unbalanced', subject: row.business_key, detail: `postings sum to ${row.total}` });
  }
  const mixed = await prisma.$queryRaw<{ business_key: string }[]>`
    SELECT DISTINCT e.business_key FROM journal_entries e
    JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.ledger_account_id
    WHERE a.currency <> e.currency`;
  for (const row of mixed) violations.push({ rule: 'currency_mixed', subject: row.business_key, detail: 'a posting is not in the entry currency' });
  const drift = await prisma.$queryRaw<{ key: string; net_minor: bigint; summed: bigint }[]>`
    SELECT a.key, a.net_minor, COALESCE(s.total, 0)::bigint AS summed
    FROM ledger_accounts a LEFT JOIN (SELECT ledger_account_id, SUM(amount_minor) AS total FROM postings GROUP BY 1) s
      ON s.ledger_account_id = a.id
    WHERE a.net_minor <> COALESCE(s.total, 0)`;
  for (const row of drift) {
    violations.push({ rule: 'stored_balance_drift', subject: row.key, detail: `stored ${row.net_minor}, postings sum to ${row.summed}` });
  }
  const running = await prisma.$queryRaw<{ account_id: string; balance_after_minor: bigint; total: bigint }[]>`
    SELECT last.account_id::text, last.balance_after_minor, COALESCE(-SUM(a.net_minor), 0)::bigint AS total
    FROM (SELECT DISTINCT ON (account_id) account_id, balance_after_minor FROM journal_entries
          WHERE account_id IS NOT NULL ORDER BY account_id, id DESC) last
    LEFT JOIN ledger_accounts a ON a.account_id = last.account_id
    GROUP BY last.account_id, last.balance_after_minor
    HAVING last.balance_after_minor <> COALESCE(-SUM(a.net_minor), 0)`;
  for (const row of running) {
    violations.push({
      rule: 'running_balance_drift',
      subject: row.account_id,
      detail: `last running balance ${row.balance_after_minor}, balances sum to ${row.total}`,
    });
  }
  const changes = await prisma.$queryRaw<{ business_key: string; stored: string; postings: string }[]>`
    SELECT e.business_key, e.account_changes::text AS stored, c.changes::text AS postings
    FROM journal_entries e
    CROSS JOIN LATERAL (
      SELECT COALESCE(jsonb_agg(jsonb_build_array(la.source, la.source_id, la.currency, p.amount_minor::text) ORDER BY p.id), '[]'::jsonb) AS changes
      FROM postings p JOIN ledger_accounts la ON la.id = p.ledger_account_id
      WHERE p.entry_id = e.id AND la.account_id = e.account_id
    ) c
    WHERE e.account_changes::jsonb <> c.changes`;
  for (const row of changes) {
    violations.push({ rule: 'account_changes_drift', subject: row.business_key, detail: `stored ${row.stored}, postings say ${row.postings}` });
  }
  return violations;
}
