import { ApplicationFailure, condition, log, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  cancelRecharge,
  paymentNotified,
  rechargeStatus,
  type PaymentEvent,
  type RechargeInput,
  type RechargeStatus,
} from './recharge-contract.js';
import { SearchAttributes } from './search-attributes.js';

const money = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
const gateway = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: ['PaymentRefused'] },
});

const lifetime = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '1 minute' } });

/**
 * Voucher and card recharges run their two steps (one database transaction, one signal) as local activities:
 * in the worker that runs the workflow task, recorded as markers, with no activity task for the server to
 * queue, hand out and record. That is most of what a voucher recharge cost Temporal, and with it most of the
 * time a customer waited. Both steps are idempotent, as a local activity may run again after a crash.
 */
const LOCAL_STEPS = 'recharge-local-steps';
const localMoney = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
const localLifetime = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '1 minute' } });

/** How long a cash recharge waits for its payment (the gateway's order is closed after). */
export const PAYMENT_TIMEOUT = '30 minutes';

/**
 * `recharge/<id>`: puts money into an account, as a saga. The API has already reserved the voucher or bound
 * the card (so refusals are synchronous); this credits it, tells its lifetime, and on any failure it cannot
 * retry its way out of, gives the voucher or card back. For cash it opens a gateway order, waits for the
 * payment (signal), a cancel (update) or the timeout, and credits only a verified success, once.
 */
export async function recharge(input: RechargeInput): Promise<RechargeStatus> {
  let status: RechargeStatus = 'pending';
  setHandler(rechargeStatus, () => status);
  const setStatus = (next: RechargeStatus) => {
    status = next;
    upsertSearchAttributes([{ key: SearchAttributes.businessStatus, value: next }]);
  };

  // Cash only: every success the gateway reported for this recharge's order, and whether one was credited.
  const events: PaymentEvent[] = [];
  let orderId: string | null = null;
  let credited = false;

  const fail = async (code: string, reason: string, as: 'failed' | 'cancelled' = 'failed'): Promise<RechargeStatus> => {
    const ended = await money.abandonRechargeStep(input.rechargeId, { status: as, code, reason });
    setStatus(ended);
    // A success may have arrived while we were closing: it is never credited now, so it is kept for refund.
    if (!credited && orderId !== null && events.some((e) => e.orderId === orderId && e.status === 'succeeded')) {
      await gateway.recordLatePayment(input.rechargeId, orderId);
    }
    return ended;
  };

  if (input.method !== 'cash') {
    const local = patched(LOCAL_STEPS);
    let credited;
    try {
      credited = await (local ? localMoney : money).creditRechargeStep(input.rechargeId);
    } catch (error) {
      log.error('recharge could not be credited; compensating', { error: String(error) });
      return fail('credit-failed', 'The recharge could not be credited; nothing was taken.');
    }
    setStatus('completed');
    // After the credit the money is real: from here on, failures are retried, never compensated.
    // The credit's recorded result decides (a history from before the flag existed lacks it: that lifetime was told).
    if (credited.source && credited.source.lifetimeNeedsWord !== false) {
      await (local ? localLifetime : lifetime).tellBalanceSourceBound(input.accountId, credited.source);
    }
    return status;
  }

  // Cash: the payment decides.
  const seen = new Set<string>();
  let cancelRequested = false;
  setHandler(paymentNotified, (event) => {
    if (seen.has(event.eventId)) return; // a replayed webhook
    seen.add(event.eventId);
    events.push(event);
  });
  setHandler(
    cancelRecharge,
    async () => {
      cancelRequested = true;
      await condition(() => status !== 'pending' && status !== 'awaiting_payment');
      return status;
    },
    {
      validator: () => {
        if (status !== 'pending' && status !== 'awaiting_payment') {
          throw ApplicationFailure.nonRetryable(`The recharge is ${status}; only a pending one can be cancelled.`, 'RechargeNotCancellable');
        }
      },
    },
  );

  const order = await gateway.openPaymentOrder(input.rechargeId);
  orderId = order.orderId;
  setStatus('awaiting_payment');

  const decided = () => cancelRequested || events.some((e) => e.orderId === order.orderId);
  const arrived = await condition(decided, PAYMENT_TIMEOUT);
  const event = events.find((e) => e.orderId === order.orderId);

  if (event?.status === 'succeeded' && !cancelRequested) {
    await money.creditRechargeStep(input.rechargeId);
    credited = true;
    setStatus('completed');
    return status;
  }

  // Failure, cancel or timeout: close the order. The gateway may answer that it was paid meanwhile.
  const closed = await gateway.closePaymentOrder(order.orderId);
  if (closed === 'already_paid') {
    if (cancelRequested) {
      // The customer cancelled, but the money came: never credit silently; record it for a refund.
      await gateway.recordLatePayment(input.rechargeId, order.orderId);
      return fail('cancelled-after-payment', 'Cancelled; the payment that arrived meanwhile will be refunded.', 'cancelled');
    }
    await money.creditRechargeStep(input.rechargeId);
    credited = true;
    setStatus('completed');
    return status;
  }
  if (cancelRequested) return fail('cancelled', 'Cancelled by the customer.', 'cancelled');
  if (!arrived) return fail('payment-timeout', 'No payment arrived in time.');
  return fail('payment-failed', 'The payment failed at the gateway.');
}
