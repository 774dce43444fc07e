import { inTransaction, type Tx } from '../../db/transaction.js';
import { DomainError } from '../../domain/errors.js';
import { verifyCardSecret } from '../../domain/sales/card-secret.js';
import type { ServiceContext } from '../context.js';

/** Wrong secrets allowed before a card is locked, and for how long. */
export const MAX_SECRET_ATTEMPTS = 5;
export const SECRET_LOCK_MS = 60 * 60_000;

const refuse = (code: string, message: string, retryAfterSeconds?: number) =>
  new DomainError('business_rule', code, message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });

/**
 * Checks a card number and secret. A wrong secret is counted in its own committed transaction (the request
 * fails, the count must stay); the fifth in a row locks the card for an hour. Returns the card when it can be
 * redeemed by this account; the claim itself is `claimPrepaidCard`, in the transaction that opens the recharge.
 */
export async function verifyPrepaidCard(
  ctx: ServiceContext,
  input: { cardNo: string; secret: string; accountCurrency: string },
) {
  const now = ctx.now();
  return inTransaction(ctx.prisma, async (tx) => {
    const card = await tx.prepaidCard.findUnique({ where: { cardNo: input.cardNo } });
    if (!card) throw refuse('card-not-found', 'No prepaid card has this number.');
    if (card.lockedUntil && card.lockedUntil > now) {
      throw refuse('card-locked', 'Too many wrong secrets: this card is locked for an hour.', Math.ceil((card.lockedUntil.getTime() - now.getTime()) / 1000));
    }
    if (!verifyCardSecret(card.cardNo, input.secret, card.secretHash)) {
      const failures = card.failedAttempts + 1;
      const lock = failures >= MAX_SECRET_ATTEMPTS;
      await tx.prepaidCard.update({
        where: { id: card.id },
        data: lock ? { failedAttempts: 0, lockedUntil: new Date(now.getTime() + SECRET_LOCK_MS) } : { failedAttempts: failures },
      });
      return { wrongSecret: true as const, locked: lock };
    }
    if (card.failedAttempts > 0) await tx.prepaidCard.update({ where: { id: card.id }, data: { failedAttempts: 0 } });
    if (card.status === 'revoked') throw refuse('card-revoked', 'This card was withdrawn.');
    if (card.status === 'bound') throw refuse('card-already-used', 'This card has already been used.');
    if (card.status === 'expired' || (card.expiresAt !== null && card.expiresAt <= now)) throw refuse('card-expired', 'This card has expired.');
    if (card.currency !== input.accountCurrency) {
      throw refuse('currency-mismatch', `This card is in ${card.currency}; the account is billed in ${input.accountCurrency}.`);
    }
    return { wrongSecret: false as const, card };
  }).then((result) => {
    if (result.wrongSecret) {
      throw result.locked
        ? refuse('card-locked', 'Too many wrong secrets: this card is locked for an hour.', SECRET_LOCK_MS / 1000)
        : refuse('wrong-card-secret', 'The card number and secret do not match.');
    }
    return result.card;
  });
}

/** Binds the card to the account for this recharge; exactly one of any number of concurrent claims wins. */
export async function claimPrepaidCard(tx: Tx, input: { cardId: string; accountId: string; rechargeId: string; now: Date }) {
  const card = await tx.prepaidCard.findUniqueOrThrow({ where: { id: input.cardId }, include: { batch: true } });
  const expiresAt = card.expiresAt ?? new Date(input.now.getTime() + (card.batch.validDays ?? 0) * 86_400_000);
  const claimed = await tx.prepaidCard.updateMany({
    where: { id: input.cardId, status: 'issued', rechargeId: null },
    data: { status: 'bound', accountId: input.accountId, rechargeId: input.rechargeId, boundAt: input.now, expiresAt },
  });
  if (claimed.count === 0) throw refuse('card-already-used', 'This card has already been used.');
  return { ...card, expiresAt };
}

/** Compensation: a card claimed by a recharge that failed goes back to unused (and to its original validity). */
export async function releasePrepaidCard(tx: Tx, rechargeId: string): Promise<void> {
  const card = await tx.prepaidCard.findUnique({ where: { rechargeId }, include: { batch: true } });
  if (!card || card.status !== 'bound') return;
  await tx.prepaidCard.update({
    where: { id: card.id },
    data: { status: 'issued', accountId: null, rechargeId: null, boundAt: null, expiresAt: card.batch.expiresAt },
  });
}
