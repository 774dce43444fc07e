import type { Bill } from '../../db/generated/client.js';
import { notFound } from '../../domain/errors.js';
import type { ServiceContext } from '../context.js';
import type { BillContent } from './content.js';

export type BillKind = 'account' | 'cloud_account';

export interface IssuedBill {
  id: string;
  kind: BillKind;
  accountId: string;
  /** The account billed, or the cloud account the statement is of. */
  subjectId: string;
  month: string;
  timezone: string;
  periodStart: Date;
  periodEnd: Date;
  currency: string | null;
  issuedAt: Date;
  content: BillContent;
}

export interface BillFilter {
  accountId?: string;
  kind?: BillKind;
  month?: string;
  limit: number;
  /** Keyset position: bills before this (period start, id), newest period first. */
  after?: { at: Date; id: string };
}

const asIssued = (row: Bill): IssuedBill => ({ ...row, kind: row.kind as BillKind, content: row.content as unknown as BillContent });

/** Bills, newest period first; `limit + 1` rows, so the caller can tell that another page follows. */
export async function listBills(ctx: ServiceContext, filter: BillFilter): Promise<IssuedBill[]> {
  const { after } = filter;
  const rows = await ctx.prisma.bill.findMany({
    where: {
      ...(filter.accountId ? { accountId: filter.accountId } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.month ? { month: filter.month } : {}),
      ...(after ? { OR: [{ periodStart: { lt: after.at } }, { periodStart: after.at, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ periodStart: 'desc' }, { id: 'desc' }],
    take: filter.limit + 1,
  });
  return rows.map(asIssued);
}

/** One of the account's own bills or statements; another account's is simply not found. */
export async function getOwnBill(ctx: ServiceContext, accountId: string, billId: string): Promise<IssuedBill> {
  const row = await ctx.prisma.bill.findFirst({ where: { id: billId, accountId } });
  if (!row) throw notFound('Bill');
  return asIssued(row);
}
