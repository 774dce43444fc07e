import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** What starts `recharge/<id>`. Secrets never enter a workflow: a card's secret is checked before it starts. */
export interface RechargeInput {
  rechargeId: string;
  accountId: string;
  method: 'cash' | 'voucher' | 'prepaid_card';
}

/** A payment gateway's word on an order (from a verified webhook). */
export interface PaymentEvent {
  /** The gateway's id of this notification: the same event delivered twice is recognized. */
  eventId: string;
  orderId: string;
  status: 'succeeded' | 'failed';
  amount: { amount: string; currency: string };
}

export type RechargeStatus = 'pending' | 'awaiting_payment' | 'completed' | 'failed' | 'cancelled';

export const paymentNotified = defineSignal<[PaymentEvent]>('paymentNotified');
/** The customer asks to cancel a pending cash recharge; answers the status it ends in, or refuses. */
export const cancelRecharge = defineUpdate<RechargeStatus, []>('cancelRecharge');
export const rechargeStatus = defineQuery<RechargeStatus>('rechargeStatus');
