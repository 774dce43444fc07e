import type { Money } from '../domain/money.js';
import type { ServiceContext } from '../services/context.js';

/**
 * Records money a gateway collected for a recharge that will never be credited (it was cancelled, failed or
 * timed out first), so finance refunds it. One claim per recharge: recording it again — a replayed webhook,
 * the webhook and the recharge workflow both noticing — changes nothing.
 */
export async function recordPaymentRefundClaim(
  ctx: ServiceContext,
  claim: { rechargeId: string; paymentOrderId: string; amount: Money },
): Promise<{ created: boolean }> {
  // ON CONFLICT DO NOTHING: concurrent deliveries of the same notification race safely to one row.
  const { count } = await ctx.prisma.paymentRefundClaim.createMany({
    data: [
      {
        rechargeId: claim.rechargeId,
        paymentOrderId: claim.paymentOrderId,
        amountMinor: claim.amount.minor,
        currency: claim.amount.currency,
        createdAt: ctx.now(),
      },
    ],
    skipDuplicates: true,
  });
  return { created: count === 1 };
}
