import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/free-port.js';
import { createLogger } from '../../src/logger.js';
import { createPaymentGateways } from '../../src/payments/gateways.js';
import { startSandboxGateway, type SandboxGatewayHandle } from '../../src/sandbox/payment-gateway/server.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { bearer, createTestApp, TEST_PAYMENT_WEBHOOK_SECRET, type TestApp } from '../support/app.js';
import { sourceBalances, waitUntil } from '../support/ledger.js';
import { recordHistory } from '../support/histories.js';

/** Cash recharges end to end: the API, recharge/<id> on a real worker, the sandbox gateway and its signed webhooks over HTTP. */

let t: TestApp;
let sandbox: SandboxGatewayHandle;
beforeAll(async () => {
  sandbox = await startSandboxGateway({
    host: '127.0.0.1',
    port: 0,
    secret: TEST_PAYMENT_WEBHOOK_SECRET,
    log: createLogger({ env: 'test', logLevel: 'silent' }),
    retryDelaysMs: [100, 200, 400],
  });
  const port = await freePort();
  t = await createTestApp({
    payments: createPaymentGateways({ gatewayUrl: sandbox.url, webhookSecret: TEST_PAYMENT_WEBHOOK_SECRET, publicApiUrl: `http://127.0.0.1:${port}` }),
  });
  await t.app.listen({ host: '127.0.0.1', port });
  await t.startWorker();
});
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
  await sandbox.stop();
});

async function startCash(token: string, amount = '250.00') {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/recharges',
    headers: { ...bearer(token), 'idempotency-key': randomUUID() },
    payload: { method: 'cash', amount: { amount, currency: 'CNY' } },
  });
  expect(response.statusCode).toBe(202);
  return response.json() as { id: string; status: string; payment: { orderId: string; payUrl: string } | null };
}
const statusOf = async (id: string) => (await t.db.prisma.recharge.findUniqueOrThrow({ where: { id } })).status;
const reachStatus = (id: string, status: string) => waitUntil(async () => (await statusOf(id)) === status, 20_000, `recharge ${status}`);
const pay = (orderId: string, outcome: 'succeed' | 'fail', force = false) =>
  fetch(`${sandbox.url}/pay/${orderId}/${outcome}${force ? '?force=1' : ''}`, { method: 'POST' });

describe('recharge by cash', () => {
  it('answers at once with the payment link, and credits cash once when the gateway reports success', async () => {
    const c = await t.customer();
    const started = await startCash(c.token);
    expect(started.status).toBe('awaiting_payment');
    expect(started.payment?.payUrl).toContain(sandbox.url);
    expect((await pay(started.payment!.orderId, 'succeed')).status).toBe(200);
    await reachStatus(started.id, 'completed');
    expect(await sourceBalances(t.services, c.accountId)).toEqual({ cash: 25_000n });
    const followed = await t.app.inject({ method: 'GET', url: `/v1/recharges/${started.id}`, headers: bearer(c.token) });
    expect(followed.json()).toMatchObject({ status: 'completed', amount: { amount: '250.00', currency: 'CNY' } });
    await recordHistory(t.temporal.client.workflow.getHandle(`recharge/${started.id}`), 'recharge-cash-paid');
  });

  it('ends as failed, crediting nothing, when the payment fails', async () => {
    const c = await t.customer();
    const started = await startCash(c.token);
    await pay(started.payment!.orderId, 'fail');
    await reachStatus(started.id, 'failed');
    expect((await t.db.prisma.recharge.findUniqueOrThrow({ where: { id: started.id } })).failureCode).toBe('payment-failed');
    expect(await sourceBalances(t.services, c.accountId)).toEqual({});
  });

  it('cancels a pending recharge, closes the order, and records a late success for refund instead of crediting it', async () => {
    const c = await t.customer();
    const started = await startCash(c.token);
    const cancelled = await t.app.inject({ method: 'POST', url: `/v1/recharges/${started.id}/cancel`, headers: bearer(c.token) });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    // A real customer can no longer pay; a gateway may still report a payment it took.
    expect((await pay(started.payment!.orderId, 'succeed')).status).toBe(409);
    expect((await pay(started.payment!.orderId, 'succeed', true)).status).toBe(200);
    await waitUntil(async () => (await t.db.prisma.paymentRefundClaim.count({ where: { rechargeId: started.id } })) === 1, 10_000, 'refund claim');
    expect(await sourceBalances(t.services, c.accountId)).toEqual({});
    await recordHistory(t.temporal.client.workflow.getHandle(`recharge/${started.id}`), 'recharge-cash-cancelled');
    // Cancelling again is a conflict; so is cancelling someone else's (404).
    expect((await t.app.inject({ method: 'POST', url: `/v1/recharges/${started.id}/cancel`, headers: bearer(c.token) })).statusCode).toBe(409);
    const other = await t.customer();
    expect((await t.app.inject({ method: 'POST', url: `/v1/recharges/${started.id}/cancel`, headers: bearer(other.token) })).statusCode).toBe(404);
  });

  it('ends as failed after the 30-minute payment timeout, crediting nothing', async () => {
    const c = await t.customer();
    const started = await startCash(c.token);
    // The time-skipping server jumps the 30 minutes while we wait for the result.
    await expect(t.temporal.workflow.result(`recharge/${started.id}`)).resolves.toBe('failed');
    expect((await t.db.prisma.recharge.findUniqueOrThrow({ where: { id: started.id } })).failureCode).toBe('payment-timeout');
    expect(await sourceBalances(t.services, c.accountId)).toEqual({});
  });

  it('refuses amounts outside the limits and in another currency', async () => {
    const c = await t.customer();
    const post = (amount: object) =>
      t.app.inject({ method: 'POST', url: '/v1/recharges', headers: { ...bearer(c.token), 'idempotency-key': randomUUID() }, payload: { method: 'cash', amount } });
    expect((await post({ amount: '0.99', currency: 'CNY' })).statusCode).toBe(400);
    expect((await post({ amount: '1000000.01', currency: 'CNY' })).statusCode).toBe(400);
    expect((await post({ amount: '10.00', currency: 'USD' })).statusCode).toBe(422);
    expect(await t.db.prisma.recharge.count({ where: { accountId: c.accountId } })).toBe(0);
  });
});
