import { WorkflowNotFoundError } from '@temporalio/client';
import { Prisma } from '../../db/generated/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { Money } from '../../domain/money.js';
import type { Workflows } from '../../temporal/workflows.js';
import type { ServiceContext } from '../context.js';
import { audit } from '../identity/audit.js';
import { futureInstant, storedCurrency } from './inputs.js';

export type CardStatus = 'issued' | 'bound' | 'expired' | 'revoked';

/** A card as sales sees it: everything but its secret (not even the hash leaves this module). */
export interface CardSummary {
  id: string;
  cardNo: string;
  batchId: string;
  faceValue: Money;
  status: CardStatus;
  expiresAt: Date | null;
  validDays: number | null;
  accountId: string | null;
  boundAt: Date | null;
  createdAt: Date;
}

const SUMMARY = {
  id: true,
  cardNo: true,
  batchId: true,
  faceValueMinor: true,
  currency: true,
  status: true,
  expiresAt: true,
  accountId: true,
  boundAt: true,
  createdAt: true,
  rechargeId: true,
  batch: { select: { validDays: true } },
} as const satisfies Prisma.PrepaidCardSelect;

type CardRow = Prisma.PrepaidCardGetPayload<{ select: typeof SUMMARY }>;

function summary(row: CardRow): CardSummary {
  return {
    id: row.id,
    cardNo: row.cardNo,
    batchId: row.batchId,
    faceValue: Money.ofMinor(row.faceValueMinor, storedCurrency(row.currency)),
    status: row.status as CardStatus,
    expiresAt: row.expiresAt,
    validDays: row.batch.validDays,
    accountId: row.accountId,
    boundAt: row.boundAt,
    createdAt: row.createdAt,
  };
}

export interface CardListQuery {
  batchId?: string;
  status?: CardStatus;
  limit: number;
  /** The last card of the previous page: newest first, then by id. */
  after?: { at: Date; id: string };
}

/** Newest first; `limit + 1` rows, so the caller can tell whether another page follows. */
export async function listPrepaidCards(ctx: ServiceContext, query: CardListQuery): Promise<CardSummary[]> {
  const { after } = query;
  const rows = await ctx.prisma.prepaidCard.findMany({
    where: {
      ...(query.batchId ? { batchId: query.batchId } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
    select: SUMMARY,
  });
  return rows.map(summary);
}

/** The card, locked until the transaction ends, so an extension, a revocation and a redemption take turns. */
async function lockCard(tx: Tx, cardNo: string): Promise<CardRow> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM prepaid_cards WHERE card_no = ${cardNo} FOR UPDATE`;
  if (locked.length === 0) throw notFound('Prepaid card');
  return tx.prepaidCard.findUniqueOrThrow({ where: { cardNo }, select: SUMMARY });
}

const ended = (row: CardRow) =>
  new DomainError('conflict', `prepaid-card-${row.status}`, `Card ${row.cardNo} is ${row.status}; its validity can no longer change.`);

/**
 * Moves a card's expiry to any instant after now (at most ten years ahead). "Extend" is the usual case, but an
 * earlier end is allowed too, even one sooner than the 3-day warning: the lifetime workflow reschedules both
 * timers to the new deadline (the warning goes out at once if it is already due). Allowed for
 * - a bound card: the card and its ledger account (which is what stops paying at expiry) move together;
 * - an unused card with a fixed end date.
 * Refused with 409: an expired or revoked card; a card whose expiry has passed but whose workflow has not yet
 * cleared it (it is expiring now; an extension would race the clearing); an unused card valid for a number of
 * days from activation, which has no expiry yet (its end is set when it is bound).
 */
export async function extendPrepaidCard(
  ctx: ServiceContext,
  workflows: Workflows,
  actorId: string,
  cardNo: string,
  input: { expiresAt: string },
): Promise<CardSummary> {
  const now = ctx.now();
  const expiresAt = futureInstant(input.expiresAt, '/body/expiresAt', now);
  const card = await inTransaction(
    ctx.prisma,
    async (tx) => {
      const row = await lockCard(tx, cardNo);
      if (row.status === 'expired' || row.status === 'revoked') throw ended(row);
      if (row.expiresAt === null) {
        throw new DomainError(
          'conflict',
          'prepaid-card-not-activated',
          `Card ${cardNo} is valid for ${row.batch.validDays ?? '?'} days from activation and has not been activated, so it has no expiry to move yet.`,
        );
      }
      if (row.expiresAt.getTime() <= now.getTime()) {
        throw new DomainError('conflict', 'prepaid-card-expired', `Card ${cardNo} expired at ${row.expiresAt.toISOString()}; it can no longer be extended.`);
      }
      const updated = await tx.prepaidCard.update({ where: { id: row.id }, data: { expiresAt }, select: SUMMARY });
      if (row.status === 'bound') {
        // No ledger account yet is fine: a redemption between binding and crediting creates it from the card.
        await tx.ledgerAccount.updateMany({ where: { source: 'prepaid_card', sourceId: row.id, status: 'active' }, data: { expiresAt } });
      }
      await audit(tx, {
        actorId,
        action: 'prepaid_card.extended',
        targetType: 'prepaid_card',
        targetId: cardNo,
        details: { cardId: row.id, status: row.status, from: row.expiresAt.toISOString(), to: expiresAt.toISOString() },
      });
      return updated;
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
  // After the commit: the database is the truth the workflow is told. If this fails the request fails (5xx) and
  // may simply be sent again: the same expiry is written again and the signal sent again.
  try {
    await workflows.balanceSourceExtended('prepaid_card', cardNo, expiresAt);
  } catch (error) {
    // An unused card whose lifetime never started (its start failed at issue) gets it now, with the new end.
    // A bound card without one is a fault for an operator: let it surface.
    if (!(error instanceof WorkflowNotFoundError) || card.status !== 'issued') throw error;
    await workflows.startBalanceSourceLifetime({ kind: 'prepaid_card', reference: cardNo, sourceId: card.id, expiresAt: expiresAt.getTime() });
  }
  return summary(card);
}

/**
 * Revokes an unused card: it can never be redeemed, and its lifetime workflow ends. A card that is bound,
 * expired, or being redeemed right now is 409. Revoking a revoked card again changes nothing and answers the
 * same (so a retry after a lost answer is safe); the workflow is told again in case it missed it.
 */
export async function revokePrepaidCard(
  ctx: ServiceContext,
  workflows: Workflows,
  actorId: string,
  cardNo: string,
  input: { reason: string | null } = { reason: null },
): Promise<CardSummary> {
  const card = await inTransaction(
    ctx.prisma,
    async (tx) => {
      const row = await lockCard(tx, cardNo);
      if (row.status === 'revoked') return row;
      if (row.status !== 'issued') {
        throw new DomainError('conflict', `prepaid-card-${row.status}`, `Card ${cardNo} is ${row.status}; only an unused card can be revoked.`);
      }
      if (row.rechargeId !== null) {
        throw new DomainError('conflict', 'prepaid-card-being-redeemed', `Card ${cardNo} is being redeemed right now; only an unused card can be revoked.`);
      }
      const updated = await tx.prepaidCard.update({ where: { id: row.id }, data: { status: 'revoked' }, select: SUMMARY });
      await audit(tx, { actorId, action: 'prepaid_card.revoked', targetType: 'prepaid_card', targetId: cardNo, details: { cardId: row.id, reason: input.reason } });
      return updated;
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
  try {
    await workflows.balanceSourceRevoked('prepaid_card', cardNo);
  } catch (error) {
    // Already ended (it took the first revocation, or was never started): nothing is left to stop.
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  return summary(card);
}
