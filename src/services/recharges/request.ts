import { randomUUID } from 'node:crypto';
import { inTransaction } from '../../db/transaction.js';
import { DomainError } from '../../domain/errors.js';
import type { Recharge } from '../../db/generated/client.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { claimPrepaidCard, verifyPrepaidCard } from './prepaid-card-binding.js';
import { reserveVoucherForRecharge } from './voucher.js';

export type RechargeRequest =
  | { method: 'cash'; amount: { amount: string; currency: string } }
  | { method: 'voucher'; code: string }
  | { method: 'prepaid_card'; cardNo: string; secret: string };

/** A recharge's columns that only a payment, a failure or the credit fill in. */
const NOT_YET = { paymentOrderId: null, paymentUrl: null, failureCode: null, failureReason: null, completedAt: null } as const;

/** Decimal amounts, applied in each account's own currency. */
export interface CashLimits {
  min: string;
  max: string;
}

/**
 * Opens a recharge and settles everything a customer must hear about at once: a voucher that cannot be used,
 * a wrong card secret, an amount out of limits (4xx). What remains — crediting, waiting for a payment —
 * is the workflow's. The voucher is reserved (or the card bound) here, in the same statement (transaction)
 * that creates the recharge, so a race for one voucher or card has exactly one winner.
 */
export async function requestRecharge(ctx: ServiceContext, accountId: string, request: RechargeRequest, limits: CashLimits): Promise<Recharge> {
  const id = randomUUID();
  const now = ctx.now();
  if (request.method === 'voucher') {
    const opened = await reserveVoucherForRecharge(ctx.prisma, { code: request.code, accountId, rechargeId: id, now });
    return {
      ...NOT_YET,
      id,
      accountId,
      method: 'voucher',
      status: 'pending',
      amountMinor: opened.faceValueMinor,
      currency: opened.currency,
      voucherId: opened.voucherId,
      prepaidCardId: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  const account = await ctx.prisma.account.findUniqueOrThrow({ where: { id: accountId }, select: { currency: true } });
  const currency = account.currency as Currency;

  if (request.method === 'cash') {
    const amount = Money.fromApi(request.amount, { field: '/amount' });
    if (amount.currency !== currency) {
      throw new DomainError('business_rule', 'currency-mismatch', `The account is billed in ${currency}.`);
    }
    const min = Money.parse(limits.min, currency);
    const max = Money.parse(limits.max, currency);
    if (amount.compare(min) < 0 || amount.compare(max) > 0) {
      throw new DomainError('invalid', 'amount-out-of-limits', `A cash recharge is between ${min} and ${max}.`, {
        fields: [{ path: '/body/amount/amount', message: `must be between ${limits.min} and ${limits.max}` }],
      });
    }
    return ctx.prisma.recharge.create({ data: { id, accountId, method: 'cash', status: 'pending', amountMinor: amount.minor, currency } });
  }

  const card = await verifyPrepaidCard(ctx, { cardNo: request.cardNo, secret: request.secret, accountCurrency: currency });
  return inTransaction(ctx.prisma, async (tx) => {
    // The recharge row first: the card's recharge_id must name an existing recharge.
    const recharge = await tx.recharge.create({
      data: { id, accountId, method: 'prepaid_card', status: 'pending', amountMinor: card.faceValueMinor, currency, prepaidCardId: card.id },
    });
    await claimPrepaidCard(tx, { cardId: card.id, accountId, rechargeId: id, now });
    return recharge;
  });
}
