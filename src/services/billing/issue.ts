import type { Prisma } from '../../db/generated/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { lastClosedMonth, type BillingMonth } from '../../domain/billing/period.js';
import type { ServiceContext } from '../context.js';
import { accountBillContents, cloudStatementContents, snapshot } from './compose.js';
import type { BillContent } from './content.js';
import { groupBy } from './group-by.js';

/**
 * A cloud account's statement waits this long after its month ends: the metering closes an hour five minutes
 * after it ends and then reports it, so by now the month's last hours have their rows and, mostly, their outcome.
 */
export const STATEMENT_DELAY_MS = 2 * 3_600_000;

export interface BillingPage {
  /** Accounts looked at on this page. */
  accounts: number;
  bills: number;
  statements: number;
  /** The last account id of the page, to continue after; null when it was the last page. */
  nextAfter: string | null;
}

interface Candidate {
  id: string;
  period: BillingMonth;
}

/** Groups by period: accounts in one time zone share one, so each group is a few set-based queries. */
function byPeriod<T extends Candidate>(candidates: readonly T[]): T[][] {
  return [...groupBy(candidates, (candidate) => `${candidate.period.month}/${candidate.period.timeZone}`).values()];
}

/**
 * Issues the bills of one page of accounts (keyset by id) for each one's last closed month in its own time zone,
 * and the consolidated statements of their cloud accounts once STATEMENT_DELAY_MS has passed after that month.
 * Only what is missing is made, and inserted with ON CONFLICT DO NOTHING on (kind, subject, month): running a
 * page again, or two runs at once, leaves exactly one bill per account and month. It also catches up whatever
 * a run that never happened left undone.
 */
export async function issueBillsPage(ctx: ServiceContext, options: { asOf: Date; after: string | null; limit: number }): Promise<BillingPage> {
  const rows = await ctx.prisma.account.findMany({
    where: options.after === null ? {} : { id: { gt: options.after } },
    orderBy: { id: 'asc' },
    // One more than the page: it only says whether another page follows.
    take: options.limit + 1,
    select: { id: true, timezone: true, currency: true, createdAt: true },
  });
  const accounts = rows.slice(0, options.limit);
  // An account opened after its zone's last month ended has no month to be billed for yet.
  const closed = accounts
    .map((account) => ({ ...account, period: lastClosedMonth(options.asOf, account.timezone) }))
    .filter((account) => account.createdAt.getTime() < account.period.end.getTime());
  const issuedAt = ctx.now();
  const ready = closed.filter((account) => options.asOf.getTime() >= account.period.end.getTime() + STATEMENT_DELAY_MS);
  return {
    accounts: accounts.length,
    bills: await issueAccountBills(ctx, closed, issuedAt),
    statements: await issueCloudStatements(ctx, ready, issuedAt),
    nextAfter: rows.length > options.limit ? accounts.at(-1)!.id : null,
  };
}

function issueAccountBills(ctx: ServiceContext, accounts: ReadonlyArray<Candidate & { currency: string }>, issuedAt: Date): Promise<number> {
  return issueMissing(ctx, 'account', accounts.map((account) => ({ ...account, accountId: account.id })), issuedAt, accountBillContents);
}

/**
 * Statements of the cloud accounts of the given accounts, for each owner's month: those bound to them now, and those
 * their bill of that month lists as reported to (a cloud account unbound since is in the bill only). None where
 * nothing was reported.
 */
async function issueCloudStatements(ctx: ServiceContext, owners: readonly Candidate[], issuedAt: Date): Promise<number> {
  if (owners.length === 0) return 0;
  const periodOf = new Map(owners.map((owner) => [owner.id, owner.period]));
  const bound = await ctx.prisma.cloudAccount.findMany({ where: { accountId: { in: [...periodOf.keys()] } }, select: { id: true, accountId: true } });
  const listed = await ctx.prisma.$queryRaw<{ account_id: string; month: string; cloud_account_id: string }[]>`
    SELECT b.subject_id::text AS account_id, b.month, c.id AS cloud_account_id
    FROM bills b CROSS JOIN LATERAL jsonb_array_elements_text(b.content->'cloudAccountIds') AS c(id)
    WHERE b.kind = 'account' AND b.subject_id = ANY(${[...periodOf.keys()]}::uuid[])
      AND b.month = ANY(${[...new Set(owners.map((owner) => owner.period.month))]}::text[])`;
  const clouds = new Map<string, Candidate & { accountId: string }>();
  for (const { id, accountId } of bound) clouds.set(id, { id, accountId, period: periodOf.get(accountId)! });
  for (const row of listed) {
    const period = periodOf.get(row.account_id)!;
    // Only the bill of the owner's own month speaks for it.
    if (row.month === period.month) clouds.set(row.cloud_account_id, { id: row.cloud_account_id, accountId: row.account_id, period });
  }
  return issueMissing(ctx, 'cloud_account', [...clouds.values()], issuedAt, cloudStatementContents);
}

/**
 * Issues a bill to each candidate still without one for its month, a group per period: the contents read in one
 * snapshot, then one insert. A candidate the reader has nothing for (a statement with no reports) gets none.
 */
async function issueMissing(
  ctx: ServiceContext,
  kind: NewBill['kind'],
  candidates: ReadonlyArray<Candidate & { accountId: string; currency?: string }>,
  issuedAt: Date,
  read: (tx: Tx, ids: readonly string[], period: BillingMonth) => Promise<Map<string, BillContent>>,
): Promise<number> {
  let issued = 0;
  for (const group of byPeriod(await withoutBill(ctx, kind, candidates))) {
    const period = group[0]!.period;
    const contents = await inTransaction(ctx.prisma, (tx) => read(tx, group.map((candidate) => candidate.id), period), snapshot);
    issued += await insertBills(
      ctx,
      group
        .filter((candidate) => contents.has(candidate.id))
        .map((candidate) => ({ kind, subjectId: candidate.id, accountId: candidate.accountId, period, currency: candidate.currency ?? null, issuedAt, content: contents.get(candidate.id)! })),
    );
  }
  return issued;
}

/** The candidates that have no bill of this kind for their month yet. */
async function withoutBill<T extends Candidate>(ctx: ServiceContext, kind: NewBill['kind'], candidates: readonly T[]): Promise<T[]> {
  const months = [...new Set(candidates.map((candidate) => candidate.period.month))];
  const issued = await ctx.prisma.bill.findMany({
    where: { kind, subjectId: { in: candidates.map((candidate) => candidate.id) }, month: { in: months } },
    select: { subjectId: true, month: true },
  });
  const has = new Set(issued.map((bill) => `${bill.subjectId}/${bill.month}`));
  return candidates.filter((candidate) => !has.has(`${candidate.id}/${candidate.period.month}`));
}

interface NewBill {
  kind: 'account' | 'cloud_account';
  subjectId: string;
  accountId: string;
  period: BillingMonth;
  currency: string | null;
  issuedAt: Date;
  content: BillContent;
}

/** One statement per batch: each bill is one row, complete in itself, so none is ever half written. */
async function insertBills(ctx: ServiceContext, bills: readonly NewBill[]): Promise<number> {
  if (bills.length === 0) return 0;
  const { count } = await ctx.prisma.bill.createMany({
    data: bills.map((bill) => ({
      kind: bill.kind,
      subjectId: bill.subjectId,
      accountId: bill.accountId,
      month: bill.period.month,
      timezone: bill.period.timeZone,
      periodStart: bill.period.start,
      periodEnd: bill.period.end,
      currency: bill.currency,
      openingMinor: bill.content.kind === 'account' ? BigInt(bill.content.opening.total) : null,
      closingMinor: bill.content.kind === 'account' ? BigInt(bill.content.closing.total) : null,
      content: bill.content as unknown as Prisma.InputJsonValue,
      issuedAt: bill.issuedAt,
    })),
    skipDuplicates: true,
  });
  return count;
}
