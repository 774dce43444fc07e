import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/free-port.js';
import { Money } from '../../src/domain/money.js';
import { createLogger } from '../../src/logger.js';
import { PaymentGatewayUnavailable, WebhookPayloadError, WebhookVerificationError } from '../../src/payments/gateway.js';
import { SandboxPaymentGateway } from '../../src/payments/sandbox-client.js';
import type { SandboxOrder } from '../../src/payments/sandbox-protocol.js';
import { SIGNATURE_HEADER, signWebhook } from '../../src/payments/signature.js';
import { startSandboxGateway, type SandboxGatewayHandle } from '../../src/sandbox/payment-gateway/server.js';

/**
 * The sandbox payment gateway as its own HTTP service, driven through our client (the port) and its pay
 * endpoints, with a local merchant that receives its notifications; and the signature check of those.
 */

const SECRET = 'sandbox-test-merchant-key-0123456789';
const silent = createLogger({ env: 'test', logLevel: 'silent' });

interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

/** A merchant's notify endpoint: records every request, answers the next scripted status (then 200). */
class Receiver {
  readonly received: Received[] = [];
  answers: number[] = [];
  private waiters: (() => void)[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        this.received.push({ body, headers: request.headers });
        response.statusCode = this.answers.shift() ?? 200;
        response.end();
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
  }

  /** Resolves when `count` requests have arrived in all (fails the test after a few seconds). */
  async until(count: number): Promise<Received[]> {
    const deadline = Date.now() + 5_000;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} notifications, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.received.slice(0, count);
  }

  reset(): void {
    this.received.length = 0;
    this.answers = [];
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let sandbox: SandboxGatewayHandle;
let gateway: SandboxPaymentGateway;
const receiver = new Receiver();
let counter = 0;
const ref = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const cny = (amount: string) => Money.parse(amount, 'CNY');

beforeAll(async () => {
  await receiver.start();
  sandbox = await startSandboxGateway({ host: '127.0.0.1', port: 0, secret: SECRET, log: silent, retryDelaysMs: [50, 50, 50] });
  gateway = new SandboxPaymentGateway({ baseUrl: sandbox.url, secret: SECRET });
});
afterAll(async () => {
  await sandbox.stop();
  await receiver.stop();
});

const open = (amount = '100.00', orderRef = ref()) =>
  gateway.createOrder({ orderRef, amount: cny(amount), description: 'Recharge', notifyUrl: receiver.url });
const pay = (orderId: string, outcome: 'succeed' | 'fail', query = '') =>
  fetch(`${sandbox.url}/pay/${orderId}/${outcome}${query}`, { method: 'POST' });
const order = async (orderId: string) =>
  (await (await fetch(`${sandbox.url}/orders/${orderId}`, { headers: { authorization: `Bearer ${SECRET}` } })).json()) as SandboxOrder;

async function settledWith(orderId: string, outcome: 'succeed' | 'fail', query = '') {
  receiver.reset();
  const response = await pay(orderId, outcome, query);
  expect(response.status).toBe(200);
  const [notification] = await receiver.until(1);
  return gateway.verifyWebhook(notification!.body, notification!.headers);
}

describe('the sandbox payment gateway', () => {
  it('returns the same order when one is created twice with the same reference (a retried activity)', async () => {
    const orderRef = ref();
    const first = await open('88.00', orderRef);
    const again = await open('88.00', orderRef);
    expect(again).toEqual(first);
    expect(first.payUrl).toBe(`${sandbox.url}/pay/${first.orderId}`);
    const state = await gateway.getOrder(first.orderId);
    expect(state).toMatchObject({ orderId: first.orderId, orderRef, status: 'open' });
    expect(state.amount.equals(cny('88.00'))).toBe(true);
  });

  it('refuses a second order with the same reference and another amount', async () => {
    const orderRef = ref();
    await open('10.00', orderRef);
    await expect(open('11.00', orderRef)).rejects.toMatchObject({ name: 'PaymentRefused', code: 'order_ref_conflict' });
  });

  it('notifies the merchant of a payment with a body our side verifies, and then reports the order paid', async () => {
    const { orderId } = await open('100.00');
    const event = await settledWith(orderId, 'succeed');
    expect(event).toMatchObject({ orderId, status: 'succeeded', amount: { amount: '100.00', currency: 'CNY' } });
    expect(event.eventId).toMatch(/^evt_/);
    expect((await gateway.getOrder(orderId)).status).toBe('paid');
    // Closing a paid order says so: the caller must credit it (or claim a refund), never drop it.
    expect(await gateway.closeOrder(orderId)).toEqual({ status: 'already_paid' });
    const again = await pay(orderId, 'succeed');
    expect(again.status).toBe(409);
  });

  it('notifies a failed payment as failed; closing the order afterwards closes it, once', async () => {
    const { orderId } = await open('20.00');
    const event = await settledWith(orderId, 'fail');
    expect(event).toMatchObject({ orderId, status: 'failed' });
    expect((await gateway.getOrder(orderId)).status).toBe('failed');
    expect(await gateway.closeOrder(orderId)).toEqual({ status: 'closed' });
    expect(await gateway.closeOrder(orderId)).toEqual({ status: 'already_closed' });
  });

  it('refuses to take payment on a closed order (409) and notifies nothing', async () => {
    const { orderId } = await open('30.00');
    expect(await gateway.closeOrder(orderId)).toEqual({ status: 'closed' });
    receiver.reset();
    const response = await pay(orderId, 'succeed');
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: string }).error).toBe('not_payable');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toEqual([]);
    expect((await gateway.getOrder(orderId)).status).toBe('closed');
  });

  it('can be forced to report a late success after the order closed, as real gateways sometimes do', async () => {
    const { orderId } = await open('40.00');
    await gateway.closeOrder(orderId);
    const event = await settledWith(orderId, 'succeed', '?force=1');
    expect(event).toMatchObject({ orderId, status: 'succeeded', amount: { amount: '40.00', currency: 'CNY' } });
    expect((await gateway.getOrder(orderId)).status).toBe('paid');
  });

  it('delivers a notification again, same event, until the merchant acknowledges it', async () => {
    const { orderId } = await open('50.00');
    receiver.reset();
    receiver.answers = [500, 503];
    expect((await pay(orderId, 'succeed')).status).toBe(200);
    const deliveries = await receiver.until(3);
    const events = deliveries.map((d) => gateway.verifyWebhook(d.body, d.headers));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(1);
    expect(new Set(deliveries.map((d) => d.body)).size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(3);
    const [delivery] = (await order(orderId)).notifications;
    expect(delivery).toMatchObject({ attempts: 3, lastResponseStatus: 200 });
    expect(delivery!.deliveredAt).not.toBeNull();
  });

  it('serves a pay page, and answers a browser’s form post with a redirect back to it', async () => {
    const { orderId, payUrl } = await open('60.00');
    const page = await fetch(payUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('60.00 CNY');
    expect(html).toContain(`action="/pay/${orderId}/succeed"`);
    receiver.reset();
    const posted = await fetch(`${sandbox.url}/pay/${orderId}/succeed`, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/pay/${orderId}`);
    await receiver.until(1);
  });

  it('keeps its merchant API to holders of the merchant key', async () => {
    const { orderId } = await open('70.00');
    const stranger = new SandboxPaymentGateway({ baseUrl: sandbox.url, secret: 'not-the-merchant-key-at-all' });
    await expect(stranger.closeOrder(orderId)).rejects.toMatchObject({ name: 'PaymentRefused', code: 'unauthorized' });
    expect((await gateway.getOrder(orderId)).status).toBe('open');
  });

  it('says an unknown order is not found, and an unreachable or unconfigured gateway apart', async () => {
    await expect(gateway.closeOrder('sbx_unknown')).rejects.toMatchObject({ name: 'PaymentRefused', code: 'order_not_found' });
    const down = new SandboxPaymentGateway({ baseUrl: `http://127.0.0.1:${await freePort()}`, secret: SECRET, timeoutMs: 2_000 });
    await expect(down.getOrder('sbx_any')).rejects.toBeInstanceOf(PaymentGatewayUnavailable);
    const none = new SandboxPaymentGateway({ baseUrl: undefined, secret: SECRET });
    await expect(none.createOrder({ orderRef: ref(), amount: cny('1.00'), description: 'x', notifyUrl: receiver.url })).rejects.toMatchObject({
      name: 'PaymentRefused',
      code: 'not_configured',
    });
  });

  it('keeps its orders across a restart when it has a state file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sandbox-gateway-'));
    try {
      const stateFile = path.join(dir, 'orders.json');
      const first = await startSandboxGateway({ host: '127.0.0.1', port: 0, secret: SECRET, log: silent, stateFile });
      const client = new SandboxPaymentGateway({ baseUrl: first.url, secret: SECRET });
      const orderRef = ref();
      const created = await client.createOrder({ orderRef, amount: cny('5.00'), description: 'x', notifyUrl: receiver.url });
      await client.closeOrder(created.orderId);
      await first.stop();

      const second = await startSandboxGateway({ host: '127.0.0.1', port: 0, secret: SECRET, log: silent, stateFile });
      try {
        const again = new SandboxPaymentGateway({ baseUrl: second.url, secret: SECRET });
        expect((await again.getOrder(created.orderId)).status).toBe('closed');
        const recreated = await again.createOrder({ orderRef, amount: cny('5.00'), description: 'x', notifyUrl: receiver.url });
        expect(recreated.orderId).toBe(created.orderId);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('notification signatures', () => {
  const body = JSON.stringify({
    eventId: 'evt_1',
    orderId: 'sbx_1',
    orderRef: '00000000-0000-4000-8000-000000000001',
    status: 'succeeded',
    amount: { amount: '12.30', currency: 'CNY' },
    occurredAt: '2026-01-01T00:00:00.000Z',
  });
  const now = new Date('2026-01-01T00:00:10Z');
  const verifier = new SandboxPaymentGateway({ baseUrl: undefined, secret: SECRET, now: () => now });
  const headers = (value: string | undefined) => ({ [SIGNATURE_HEADER]: value });
  const rejection = (raw: string, header: string | undefined) => {
    try {
      verifier.verifyWebhook(raw, headers(header));
    } catch (error) {
      return error instanceof WebhookVerificationError ? error.reason : `unexpected ${String(error)}`;
    }
    return 'accepted';
  };

  it('accepts a body signed with the merchant key within five minutes, as bytes or text', () => {
    const signature = signWebhook(body, SECRET, now);
    expect(verifier.verifyWebhook(body, headers(signature))).toMatchObject({ eventId: 'evt_1', orderId: 'sbx_1', status: 'succeeded' });
    expect(verifier.verifyWebhook(Buffer.from(body), headers(signature)).amount).toEqual({ amount: '12.30', currency: 'CNY' });
    expect(rejection(body, signWebhook(body, SECRET, new Date(now.getTime() - 299_000)))).toBe('accepted');
  });

  it('refuses a body changed after signing, even by one byte of whitespace', () => {
    const signature = signWebhook(body, SECRET, now);
    expect(rejection(body.replace('12.30', '99.30'), signature)).toBe('bad_signature');
    expect(rejection(`${body} `, signature)).toBe('bad_signature');
  });

  it('refuses a body signed with another key', () => {
    expect(rejection(body, signWebhook(body, 'someone-elses-key-0123456789', now))).toBe('bad_signature');
  });

  it('refuses a signature more than five minutes old or ahead, even if it is right', () => {
    expect(rejection(body, signWebhook(body, SECRET, new Date(now.getTime() - 301_000)))).toBe('stale_timestamp');
    expect(rejection(body, signWebhook(body, SECRET, new Date(now.getTime() + 301_000)))).toBe('stale_timestamp');
  });

  it('refuses a missing or malformed signature header, and a timestamp moved without re-signing', () => {
    expect(rejection(body, undefined)).toBe('missing_signature');
    expect(rejection(body, 'v1=abc')).toBe('malformed_signature');
    const signature = signWebhook(body, SECRET, now);
    const moved = signature.replace(/t=(\d+)/, (_, t: string) => `t=${Number(t) - 1}`);
    expect(rejection(body, moved)).toBe('bad_signature');
  });

  it('tells a signed body that is not a notification apart from a forged one', () => {
    const odd = JSON.stringify({ hello: 'world' });
    expect(() => verifier.verifyWebhook(odd, headers(signWebhook(odd, SECRET, now)))).toThrow(WebhookPayloadError);
    const badMoney = body.replace('12.30', '12.3');
    expect(() => verifier.verifyWebhook(badMoney, headers(signWebhook(badMoney, SECRET, now)))).toThrow(WebhookPayloadError);
  });

  it('refuses a forged body for its signature before reading it', () => {
    expect(rejection('not json', signWebhook('other', SECRET, now))).toBe('bad_signature');
  });
});
