import type pg from 'pg';

/** The amount of synthetic entry g (1-based), in minor units: 0.01 to 19.99, the same formula in SQL and here. */
export const syntheticAmount = (g: bigint): bigint => 1n + ((g * 7919n) % 1999n);

export const SYNTHETIC_ITEMS = ['compute', 'storage', 'egress', 'gpu'] as const;

/**
 * Gives one account `entries` usage-charge journal entries of two postings each (customer cash debited, usage
 * revenue credited), written with set-based SQL in the shape src/services/ledger/post-entries.ts writes:
 * business key `usage/<recordId>`, running balance after each entry, the same details and account changes, one
 * second apart and in id order, and both ledger accounts' stored nets moved by the total. One transaction; the account row is
 * locked as the ledger does.
 */
export async function buildStatementAccount(
  client: pg.Client,
  options: {
    accountId: string;
    cashLedgerId: string;
    revenueLedgerId: string;
    entries: number;
    /** The account's balance before these entries (customer side, minor units). */
    balanceBeforeMinor: bigint;
    firstOccurredAt: Date;
    recordPrefix: string;
  },
): Promise<{ totalMinor: bigint }> {
  let expectedTotal = 0n;
  for (let g = 1n; g <= BigInt(options.entries); g++) expectedTotal += syntheticAmount(g);

  await client.query('BEGIN');
  try {
    await client.query('SELECT id FROM accounts WHERE id = $1::uuid FOR UPDATE', [options.accountId]);
    await client.query(
      `CREATE TEMP TABLE bench_synthetic ON COMMIT DROP AS
       SELECT g, 1 + (g * 7919) % 1999 AS amount FROM generate_series(1::bigint, $1::bigint) AS g`,
      [options.entries],
    );
    const { rows: sum } = await client.query<{ total: string }>('SELECT SUM(amount)::bigint AS total FROM bench_synthetic');
    if (BigInt(sum[0]!.total) !== expectedTotal) throw new Error(`synthetic total ${sum[0]!.total} differs from ${expectedTotal}`);

    await client.query(
      `INSERT INTO journal_entries (business_key, kind, currency, account_id, reverses_key, balance_after_minor, actor_id, details,
                                   account_changes, occurred_at)
       SELECT 'usage/' || $2 || g, 'usage_charge', 'CNY', $1::uuid, NULL,
              $3::bigint - SUM(amount) OVER (ORDER BY g), NULL,
              jsonb_build_object('usageRecordId', $2 || g, 'item', ($5::text[])[1 + g % 4]),
              json_build_array(json_build_array('cash', NULL, 'CNY', amount::text)),
              $4::timestamptz + g * interval '1 second'
       FROM bench_synthetic ORDER BY g`,
      [options.accountId, options.recordPrefix, options.balanceBeforeMinor.toString(), options.firstOccurredAt, [...SYNTHETIC_ITEMS]],
    );
    // Debit the customer's cash, credit usage revenue: the postings usageChargeEntry makes for a cash-only charge.
    await client.query(
      `INSERT INTO postings (entry_id, ledger_account_id, amount_minor)
       SELECT e.id, p.ledger_account_id, p.amount_minor
       FROM bench_synthetic s
       JOIN journal_entries e ON e.business_key = 'usage/' || $1 || s.g
       CROSS JOIN LATERAL (VALUES (1, $2::bigint, s.amount), (2, $3::bigint, -s.amount)) AS p(n, ledger_account_id, amount_minor)
       ORDER BY e.id, p.n`,
      [options.recordPrefix, options.cashLedgerId, options.revenueLedgerId],
    );
    await client.query('UPDATE ledger_accounts SET net_minor = net_minor + $2::bigint WHERE id = $1::bigint', [options.cashLedgerId, expectedTotal.toString()]);
    await client.query('UPDATE ledger_accounts SET net_minor = net_minor - $2::bigint WHERE id = $1::bigint', [options.revenueLedgerId, expectedTotal.toString()]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await client.query('ANALYZE journal_entries');
  await client.query('ANALYZE postings');
  return { totalMinor: expectedTotal };
}
