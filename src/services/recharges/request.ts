import { randomUUID } from 'node:crypto';
import { inTransaction } from '../../db/transaction.js';
import { DomainError } from '../../domain/errors.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { claimPrepaidCard, verifyPrepaidCard } from './prepaid-card-binding.js';
import { reserveVoucher } from './voucher.js';

export type RechargeRequest =
  | { method: 'cash'; amount: { amount: string; currency: string } }
  | { method: 'voucher'; code: string }
  | { method: 'prepaid_card'; cardNo: string; secret: string };

/** Decimal amounts, applied in each account's own currency. */
export interface CashLimits {
  min: string;
  max: string;
}

/**
 * Opens a recharge and settles everything a customer must hear about at once: a voucher that cannot be used,
 * a wrong card secret, an amount out of limits (4xx). What remains — crediting, waiting for a payment —
 * is the workflow's. The voucher is reserved (or the card bound) here, in the same transaction that creates
 * the recharge, so a race for one voucher or card has exactly one winner.
 */
export async function requestRecharge(ctx: ServiceContext, accountId: string, request: RechargeRequest, limits: CashLimits) {
  const account = await ctx.prisma.account.findUniqueOrThrow({ where: { id: accountId }, select: { currency: true } });
  const currency = account.currency as Currency;
  const id = randomUUID();
  const now = ctx.now();

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

  if (request.method === 'voucher') {
    return inTransaction(ctx.prisma, async (tx) => {
      const reserved = await reserveVoucher(tx, { code: request.code, accountId, accountCurrency: currency, rechargeId: id, now });
      return tx.recharge.create({
        data: { id, accountId, method: 'voucher', status: 'pending', amountMinor: reserved.faceValueMinor, currency, voucherId: reserved.voucherId },
      });
    });
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
