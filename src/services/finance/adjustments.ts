import { randomUUID } from 'node:crypto';
import { Prisma } from '../../db/generated/client.js';
import { inTransaction } from '../../db/transaction.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { adjustmentEntry } from '../../domain/ledger/index.js';
import { InvalidAmountError, isCurrency, Money } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { audit } from '../identity/audit.js';
import { postEntries } from '../ledger/post-entries.js';

export interface AdjustmentInput {
  accountId: string;
  /** The customer's side: a credit adds to the account's cash, a debit takes from it (arrears allowed). */
  direction: 'credit' | 'debit';
  amount: { amount: string; currency: string };
  reason: string;
}

export interface Adjustment {
  id: string;
  accountId: string;
  direction: 'credit' | 'debit';
  amount: Money;
  reason: string;
  entryId: bigint;
  /** The account's total balance (cash, vouchers, cards) right after the entry: its statement's running balance. */
  balanceAfter: Money;
  createdAt: Date;
}

/** A finance adjustment of an account's cash: one journal entry and its audit event, in one transaction. */
export async function adjustCash(ctx: ServiceContext, actorId: string, input: AdjustmentInput): Promise<Adjustment> {
  const amount = parseAmount(input.amount);
  const reason = input.reason.trim();
  if (reason.length < 3) {
    throw new DomainError('invalid', 'validation', 'Say why: the reason is at least 3 characters.', {
      fields: [{ path: '/body/reason', message: 'must have at least 3 characters besides spaces' }],
    });
  }
  const account = await ctx.prisma.account.findUnique({ where: { id: input.accountId }, select: { id: true, currency: true } });
  if (!account) throw notFound('Account');
  if (!isCurrency(account.currency)) throw new Error(`account ${account.id} has unknown currency ${account.currency}`);
  if (amount.currency !== account.currency) {
    throw new DomainError('business_rule', 'currency-mismatch', `The account keeps its money in ${account.currency}, not ${amount.currency}.`, {
      fields: [{ path: '/body/amount/currency', message: `must be ${account.currency}` }],
    });
  }

  const id = randomUUID();
  const now = ctx.now();
  const entry = adjustmentEntry({ adjustmentId: id, billingAccountId: account.id, direction: input.direction, amount });
  return inTransaction(
    ctx.prisma,
    async (tx) => {
      const posted = await postEntries(tx, [{ entry, accountId: account.id, occurredAt: now, actorId, details: { reason } }], now);
      const entryId = posted.entryIds.get(entry.key)!;
      const stored = await tx.journalEntry.findUniqueOrThrow({ where: { id: entryId }, select: { balanceAfterMinor: true } });
      await audit(tx, {
        actorId,
        action: 'ledger.adjusted',
        targetType: 'account',
        targetId: account.id,
        details: { adjustmentId: id, entryId: entryId.toString(), entryKey: entry.key, direction: input.direction, amount: amount.toDecimalString(), currency: amount.currency, reason },
      });
      return {
        id,
        accountId: account.id,
        direction: input.direction,
        amount,
        reason,
        entryId,
        balanceAfter: Money.ofMinor(stored.balanceAfterMinor ?? 0n, amount.currency),
        createdAt: now,
      };
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
}

function parseAmount(value: { amount: string; currency: string }): Money {
  let amount: Money;
  try {
    amount = Money.fromApi(value);
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    throw new DomainError('invalid', 'validation', error.message, { fields: [{ path: `/body/amount${error.field}`, message: error.message }] });
  }
  if (!amount.isPositive()) {
    throw new DomainError('invalid', 'validation', 'An adjustment moves more than nothing: the amount must be positive.', {
      fields: [{ path: '/body/amount/amount', message: 'must be positive' }],
    });
  }
  return amount;
}
