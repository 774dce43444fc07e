import { normalSideOf, type AccountType } from '../../domain/ledger/index.js';
import { isCurrency, Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { checkStoredLedger, type LedgerViolation } from '../ledger/ledger-check.js';

export interface TrialBalanceLine {
  key: string;
  type: AccountType;
  currency: Currency;
  debits: Money;
  credits: Money;
  /** Read on the account's normal side (accounts.ts): what a liability owes, what an asset holds. */
  balance: Money;
}

export interface CurrencyTotal {
  currency: Currency;
  debits: Money;
  credits: Money;
}

export interface TrialBalance {
  at: Date;
  accounts: TrialBalanceLine[];
  totals: CurrencyTotal[];
  check: { ok: boolean; violations: LedgerViolation[] };
}

const ACCOUNT_TYPES = new Set<string>(['asset', 'liability', 'revenue', 'expense']);

/**
 * Debits, credits and balance of every ledger account as of `at`, summed from the postings of entries that
 * occurred by then (not from the stored nets, which only know "now"). One aggregate statement, so the
 * totals come from one snapshot and balance even while money moves. The check is of the ledger as stored now.
 */
export async function trialBalance(ctx: ServiceContext, at: Date): Promise<TrialBalance> {
  // Sums as text: a sum of bigints is a numeric that may outgrow a bigint; BigInt reads it exactly.
  const rows = await ctx.prisma.$queryRaw<{ key: string; type: string; currency: string; debits: string; credits: string }[]>`
    SELECT a.key, a.type, a.currency, s.debits::text AS debits, s.credits::text AS credits
    FROM (
      SELECT p.ledger_account_id,
             COALESCE(SUM(p.amount_minor) FILTER (WHERE p.amount_minor > 0), 0) AS debits,
             COALESCE(-SUM(p.amount_minor) FILTER (WHERE p.amount_minor < 0), 0) AS credits
      FROM postings p JOIN journal_entries e ON e.id = p.entry_id
      WHERE e.occurred_at <= ${at}::timestamptz
      GROUP BY p.ledger_account_id
    ) s JOIN ledger_accounts a ON a.id = s.ledger_account_id
    ORDER BY a.currency, a.key`;

  const accounts = rows.map((row): TrialBalanceLine => {
    if (!isCurrency(row.currency)) throw new Error(`ledger account ${row.key} has unknown currency ${row.currency}`);
    if (!ACCOUNT_TYPES.has(row.type)) throw new Error(`ledger account ${row.key} has unknown type ${row.type}`);
    const type = row.type as AccountType;
    const debits = Money.ofMinor(BigInt(row.debits), row.currency);
    const credits = Money.ofMinor(BigInt(row.credits), row.currency);
    const balance = normalSideOf(type) === 'debit' ? debits.subtract(credits) : credits.subtract(debits);
    return { key: row.key, type, currency: row.currency, debits, credits, balance };
  });

  const totals = new Map<Currency, CurrencyTotal>();
  for (const line of accounts) {
    const total = totals.get(line.currency) ?? { currency: line.currency, debits: Money.zero(line.currency), credits: Money.zero(line.currency) };
    totals.set(line.currency, { currency: line.currency, debits: total.debits.add(line.debits), credits: total.credits.add(line.credits) });
  }
  const violations = await checkStoredLedger(ctx.prisma);
  return { at, accounts, totals: [...totals.values()], check: { ok: violations.length === 0, violations } };
}
