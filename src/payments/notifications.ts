import type { PaymentEvent } from '../../workflows/recharge-contract.js';
import { Money } from '../domain/money.js';
import type { ServiceContext } from '../services/context.js';
import type { Workflows } from '../temporal/workflows.js';
import type { VerifiedPaymentEvent } from './gateway.js';
import { recordPaymentRefundClaim } from './refund-claims.js';

/** What became of a verified notification. Every one is acknowledged (200): none is worth a gateway's retry. */
export type NotificationOutcome =
  /** Handed to the running recharge workflow, which owns it from here (and ignores event ids it has seen). */
  | 'delivered'
  /** A success after the recharge ended uncredited: recorded for refund now. */
  | 'refund_claim_recorded'
  /** The same, already recorded (a replay, or the workflow recorded it first). */
  | 'refund_claim_exists'
  /** No cash recharge has this order: logged and acknowledged, so the gateway stops retrying. */
  | 'ignored_unknown_order'
  /** The recharge has ended and the notification changes nothing (a replayed success of a credited recharge, a late failure). */
  | 'ignored_recharge_ended';

interface Log {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findRecharge(ctx: ServiceContext, event: VerifiedPaymentEvent, log: Log) {
  const byOrder = await ctx.prisma.recharge.findUnique({ where: { paymentOrderId: event.orderId } });
  if (byOrder) return byOrder;
  // The order is opened before its id is saved on the recharge; a payment in between is found by reference.
  if (!UUID.test(event.orderRef)) return null;
  const byRef = await ctx.prisma.recharge.findUnique({ where: { id: event.orderRef } });
  if (byRef?.paymentOrderId && byRef.paymentOrderId !== event.orderId) {
    // Idempotent order creation makes this impossible unless the gateway lost its orders: someone must look.
    log.error({ rechargeId: byRef.id, orderId: event.orderId, rechargeOrderId: byRef.paymentOrderId }, 'payment notification for an order that is not its recharge’s');
    return null;
  }
  return byRef;
}

/**
 * Acts on a verified gateway notification. The running recharge workflow decides (credit, fail); once it has
 * ended, a success it did not credit is recorded for refund, never credited silently.
 */
export async function acceptPaymentNotification(
  deps: { services: ServiceContext; workflows: Workflows; log: Log },
  event: VerifiedPaymentEvent,
): Promise<NotificationOutcome> {
  const { services, workflows, log } = deps;
  const context = { gatewayEventId: event.eventId, orderId: event.orderId, paymentStatus: event.status };
  const recharge = await findRecharge(services, event, log);
  if (!recharge || recharge.method !== 'cash') {
    log.warn({ ...context, orderRef: event.orderRef }, 'payment notification for an unknown order: acknowledged and ignored');
    return 'ignored_unknown_order';
  }

  // Only the contract's fields enter the workflow's history.
  const signal: PaymentEvent = { eventId: event.eventId, orderId: event.orderId, status: event.status, amount: event.amount };
  if (await workflows.notifyPayment(recharge.id, signal)) return 'delivered';
  if (event.status !== 'succeeded') return 'ignored_recharge_ended';

  // The workflow has ended, so the row's status is final; read it now, not before the signal (the workflow
  // may have credited this very payment in between, through its own close-order check).
  const ended = await services.prisma.recharge.findUniqueOrThrow({ where: { id: recharge.id }, select: { status: true } });
  if (ended.status === 'completed') return 'ignored_recharge_ended';

  const amount = Money.fromApi(event.amount);
  const { created } = await recordPaymentRefundClaim(services, { rechargeId: recharge.id, paymentOrderId: event.orderId, amount });
  if (!created) return 'refund_claim_exists';
  log.warn(
    { ...context, rechargeId: recharge.id, rechargeStatus: ended.status, amount: amount.toString() },
    'payment succeeded after its recharge ended: recorded for refund, not credited',
  );
  return 'refund_claim_recorded';
}
