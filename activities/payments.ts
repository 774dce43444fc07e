import { ApplicationFailure } from '@temporalio/activity';
import { Money, type Currency } from '../src/domain/money.js';
import { PaymentRefused, type CloseOutcome } from '../src/payments/gateway.js';
import type { PaymentGateways } from '../src/payments/gateways.js';
import { recordPaymentRefundClaim } from '../src/payments/refund-claims.js';
import type { ServiceContext } from '../src/services/context.js';

/** A refusal retrying cannot fix becomes a non-retryable failure of a stable type. */
function nonRetryable(error: unknown): never {
  if (error instanceof PaymentRefused) throw ApplicationFailure.nonRetryable(error.message, 'PaymentRefused', error.code);
  throw error;
}

export function paymentActivities(services: ServiceContext, gateways: PaymentGateways) {
  return {
    /** Opens the gateway order of a cash recharge (idempotent by the recharge id) and records where to pay. */
    async openPaymentOrder(rechargeId: string): Promise<{ orderId: string }> {
      const recharge = await services.prisma.recharge.findUniqueOrThrow({ where: { id: rechargeId } });
      const amount = Money.ofMinor(recharge.amountMinor!, recharge.currency as Currency);
      const order = await gateways.primary
        .createOrder({ orderRef: rechargeId, amount, description: `Billing Center recharge ${amount}`, notifyUrl: gateways.notifyUrl })
        .catch(nonRetryable);
      await services.prisma.recharge.updateMany({
        where: { id: rechargeId, status: { in: ['pending', 'awaiting_payment'] } },
        data: { status: 'awaiting_payment', paymentOrderId: order.orderId, paymentUrl: order.payUrl },
      });
      return { orderId: order.orderId };
    },
    /** Closes the order so no payment can succeed any more; tells whether one already did. */
    async closePaymentOrder(orderId: string): Promise<CloseOutcome> {
      return (await gateways.primary.closeOrder(orderId).catch(nonRetryable)).status;
    },
    /** Money arrived for a recharge that will not be credited: recorded for refund, once. */
    async recordLatePayment(rechargeId: string, orderId: string): Promise<void> {
      const recharge = await services.prisma.recharge.findUniqueOrThrow({ where: { id: rechargeId } });
      await recordPaymentRefundClaim(services, {
        rechargeId,
        paymentOrderId: orderId,
        amount: Money.ofMinor(recharge.amountMinor!, recharge.currency as Currency),
      });
    },
  };
}
