import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Money } from '../../src/domain/money.js';
import { createLogger } from '../../src/logger.js';
import { SandboxPaymentGateway } from '../../src/payments/sandbox-client.js';
import { SIGNATURE_HEADER, signWebhook } from '../../src/payments/signature.js';
import { startSandboxGateway } from '../../src/sandbox/payment-gateway/server.js';
import { createTestApp, TEST_PAYMENT_WEBHOOK_SECRET, type TestApp } from '../support/app.js';

/**
 * `POST /v1/payments/webhooks/sandbox` on the real app, database and Temporal, for the outcomes that need no
 * running recharge workflow: refusals, unknown orders, and notifications for recharges whose workflow has
 * ended (here: never ran; the rows are written directly). Delivery to a running recharge workflow is tested
 * with that workflow.
 */

let t: TestApp;
let accountId: string;
beforeAll(async () => {
  t = await createTestApp();
  accountId = (await t.customer()).accountId;
});
afterAll(async () => {
  await t.close();
});

const PROBLEM = 'urn:billing-center:problem:';
const orderId = () => `sbx_${randomBytes(12).toString('hex')}`;

async function recharge(status: string, paymentOrderId: string | null = orderId()) {
  return t.db.prisma.recharge.create({
    data: { accountId, method: 'cash', status, amountMinor: 12_345n, currency: 'CNY', paymentOrderId },
  });
}

function notification(fields: { orderId: string; orderRef: string; status?: 'succeeded' | 'failed'; eventId?: string }) {
  return JSON.stringify({
    eventId: fields.eventId ?? `evt_${randomBytes(12).toString('hex')}`,
    orderId: fields.orderId,
    orderRef: fields.orderRef,
    status: fields.status ?? 'succeeded',
    amount: { amount: '123.45', currency: 'CNY' },
    occurredAt: t.clock.now().toISOString(),
  });
}

function deliver(body: string, options: { signature?: string | null; gateway?: string } = {}) {
  const signature = options.signature === undefined ? signWebhook(body, TEST_PAYMENT_WEBHOOK_SECRET, t.clock.now()) : options.signature;
  return t.app.inject({
    method: 'POST',
    url: `/v1/payments/webhooks/${options.gateway ?? 'sandbox'}`,
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { [SIGNATURE_HEADER]: signature }) },
    payload: body,
  });
}

const claimsOf = (rechargeId: string) => t.db.prisma.paymentRefundClaim.findMany({ where: { rechargeId } });

describe('the payment webhook', () => {
  it('refuses a notification that is unsigned, forged, altered or stale with 401, and changes nothing', async () => {
    const cancelled = await recharge('cancelled');
    const body = notification({ orderId: cancelled.paymentOrderId!, orderRef: cancelled.id });
    const now = t.clock.now();
    const attempts = [
      deliver(body, { signature: null }),
      deliver(body, { signature: 'garbage' }),
      deliver(body, { signature: signWebhook(body, 'someone-elses-key-0123456789', now) }),
      deliver(body.replace('123.45', '999.45'), { signature: signWebhook(body, TEST_PAYMENT_WEBHOOK_SECRET, now) }),
      deliver(body, { signature: signWebhook(body, TEST_PAYMENT_WEBHOOK_SECRET, new Date(now.getTime() - 6 * 60_000)) }),
      // Not even JSON: refused for its signature, never parsed.
      deliver('{"eventId": ', { signature: signWebhook('{}', TEST_PAYMENT_WEBHOOK_SECRET, now) }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json().type).toBe(`${PROBLEM}webhook-signature-invalid`);
    }
    expect(await claimsOf(cancelled.id)).toEqual([]);
    expect((await t.db.prisma.recharge.findUniqueOrThrow({ where: { id: cancelled.id } })).status).toBe('cancelled');
  });

  it('answers 404 for a gateway it does not know and 400 for a signed body that is not a notification', async () => {
    const body = notification({ orderId: orderId(), orderRef: randomUUID() });
    expect((await deliver(body, { gateway: 'paypal' })).statusCode).toBe(404);
    const odd = JSON.stringify({ hello: 'world' });
    const response = await deliver(odd);
    expect(response.statusCode).toBe(400);
    expect(response.json().type).toBe(`${PROBLEM}validation`);
  });

  it('acknowledges a notification for an order no recharge has, so the gateway stops retrying, and records nothing', async () => {
    const before = await t.db.prisma.paymentRefundClaim.count();
    for (const orderRef of [randomUUID(), 'not-a-recharge-id']) {
      const response = await deliver(notification({ orderId: orderId(), orderRef }));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ received: true, outcome: 'ignored_unknown_order' });
    }
    expect(await t.db.prisma.paymentRefundClaim.count()).toBe(before);
  });

  it('records a success after the recharge was cancelled for refund exactly once, however often it is delivered', async () => {
    const cancelled = await recharge('cancelled');
    const entriesBefore = await t.db.prisma.journalEntry.count();
    const body = notification({ orderId: cancelled.paymentOrderId!, orderRef: cancelled.id });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await deliver(body);
      expect(response.statusCode).toBe(200);
      outcomes.push(response.json().outcome);
    }
    expect(outcomes).toEqual(['refund_claim_recorded', 'refund_claim_exists', 'refund_claim_exists']);
    const claims = await claimsOf(cancelled.id);
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ paymentOrderId: cancelled.paymentOrderId, amountMinor: 12_345n, currency: 'CNY', status: 'open' });
    // Never credited: the recharge stays cancelled and no money moved.
    expect((await t.db.prisma.recharge.findUniqueOrThrow({ where: { id: cancelled.id } })).status).toBe('cancelled');
    expect(await t.db.prisma.journalEntry.count()).toBe(entriesBefore);
  });

  it('records one claim when the same late success arrives several times at once', async () => {
    const failed = await recharge('failed');
    const body = notification({ orderId: failed.paymentOrderId!, orderRef: failed.id });
    const responses = await Promise.all([deliver(body), deliver(body), deliver(body)]);
    const outcomes = responses.map((response) => response.json().outcome as string).sort();
    expect(outcomes).toEqual(['refund_claim_exists', 'refund_claim_exists', 'refund_claim_recorded']);
    expect(await claimsOf(failed.id)).toHaveLength(1);
  });

  it('finds the recharge by its reference when the payment came before the order id was saved', async () => {
    const cancelled = await recharge('cancelled', null);
    const paidOrder = orderId();
    const response = await deliver(notification({ orderId: paidOrder, orderRef: cancelled.id }));
    expect(response.json()).toEqual({ received: true, outcome: 'refund_claim_recorded' });
    expect((await claimsOf(cancelled.id))[0]?.paymentOrderId).toBe(paidOrder);
  });

  it('changes nothing for a failure after the recharge ended, or a replayed success of a completed one', async () => {
    const cancelled = await recharge('cancelled');
    const failure = await deliver(notification({ orderId: cancelled.paymentOrderId!, orderRef: cancelled.id, status: 'failed' }));
    expect(failure.json()).toEqual({ received: true, outcome: 'ignored_recharge_ended' });
    const completed = await recharge('completed');
    const replay = await deliver(notification({ orderId: completed.paymentOrderId!, orderRef: completed.id }));
    expect(replay.json()).toEqual({ received: true, outcome: 'ignored_recharge_ended' });
    expect(await claimsOf(cancelled.id)).toEqual([]);
    expect(await claimsOf(completed.id)).toEqual([]);
  });

  it('takes a forced late success from the real sandbox gateway, over HTTP, and records it for refund', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const apiUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const sandbox = await startSandboxGateway({
      host: '127.0.0.1',
      port: 0,
      secret: TEST_PAYMENT_WEBHOOK_SECRET,
      log: createLogger({ env: 'test', logLevel: 'silent' }),
      retryDelaysMs: [100, 100, 100],
      now: t.clock.now,
    });
    try {
      const gateway = new SandboxPaymentGateway({ baseUrl: sandbox.url, secret: TEST_PAYMENT_WEBHOOK_SECRET });
      const row = await recharge('pending', null);
      const order = await gateway.createOrder({
        orderRef: row.id,
        amount: Money.parse('123.45', 'CNY'),
        description: 'Cash recharge',
        notifyUrl: `${apiUrl}/v1/payments/webhooks/sandbox`,
      });
      await t.db.prisma.recharge.update({ where: { id: row.id }, data: { paymentOrderId: order.orderId, paymentUrl: order.payUrl } });
      // The customer cancelled; the order was closed; then the gateway reports the payment anyway.
      await t.db.prisma.recharge.update({ where: { id: row.id }, data: { status: 'cancelled' } });
      expect(await gateway.closeOrder(order.orderId)).toEqual({ status: 'closed' });
      expect((await fetch(`${sandbox.url}/pay/${order.orderId}/succeed?force=1`, { method: 'POST' })).status).toBe(200);

      // The sandbox records our 200 once it has it; by then the claim is written.
      const orderState = async () =>
        (await (await fetch(`${sandbox.url}/orders/${order.orderId}`, { headers: { authorization: `Bearer ${TEST_PAYMENT_WEBHOOK_SECRET}` } })).json()) as {
          notifications: { deliveredAt: string | null; lastResponseStatus: number | null }[];
        };
      const deadline = Date.now() + 5_000;
      while (!(await orderState()).notifications[0]?.deliveredAt && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await orderState()).notifications[0]).toMatchObject({ attempts: 1, lastResponseStatus: 200 });
      const claims = await claimsOf(row.id);
      expect(claims).toHaveLength(1);
      expect(claims[0]).toMatchObject({ paymentOrderId: order.orderId, amountMinor: 12_345n, currency: 'CNY' });
    } finally {
      await sandbox.stop();
    }
  });
});
