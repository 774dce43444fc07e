import { Value } from 'typebox/value';
import type { TSchema, Static } from 'typebox';
import { InvalidAmountError, Money } from '../domain/money.js';
import {
  PaymentGatewayUnavailable,
  PaymentRefused,
  WebhookPayloadError,
  type CloseOutcome,
  type CreatedOrder,
  type CreateOrderInput,
  type OrderState,
  type PaymentGateway,
  type VerifiedPaymentEvent,
  type WebhookHeaders,
} from './gateway.js';
import { SandboxCloseResult, SandboxNotification, SandboxOrder, type SandboxCreateOrder } from './sandbox-protocol.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './signature.js';

export interface SandboxGatewayOptions {
  /** The sandbox's base URL; undefined when none is configured (verifying webhooks still works). */
  baseUrl: string | undefined;
  /** The merchant key: authenticates our calls and signs the sandbox's notifications. */
  secret: string;
  /** The clock signature timestamps are judged by (tests move it). */
  now?: () => Date;
  timeoutMs?: number;
}

/** The port over HTTP to the sandbox gateway (src/sandbox/payment-gateway). */
export class SandboxPaymentGateway implements PaymentGateway {
  readonly name = 'sandbox';
  private readonly now: () => Date;
  private readonly timeoutMs: number;

  constructor(private readonly options: SandboxGatewayOptions) {
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    const body: SandboxCreateOrder = {
      orderRef: input.orderRef,
      amount: input.amount.toApi(),
      description: input.description,
      notifyUrl: input.notifyUrl,
    };
    const order = await this.call('POST', '/orders', SandboxOrder, body);
    return { orderId: order.orderId, payUrl: order.payUrl };
  }

  async closeOrder(orderId: string): Promise<{ status: CloseOutcome }> {
    const result = await this.call('POST', `/orders/${encodeURIComponent(orderId)}/close`, SandboxCloseResult);
    return { status: result.status };
  }

  async getOrder(orderId: string): Promise<OrderState> {
    const order = await this.call('GET', `/orders/${encodeURIComponent(orderId)}`, SandboxOrder);
    return { orderId: order.orderId, orderRef: order.orderRef, status: order.status, amount: readMoney(order.amount, PaymentGatewayUnavailable) };
  }

  verifyWebhook(rawBody: Buffer | string, headers: WebhookHeaders): VerifiedPaymentEvent {
    // The signature first, over the exact bytes: nothing of an unsigned body is read.
    verifyWebhookSignature(rawBody, headers[SIGNATURE_HEADER], this.options.secret, this.now());
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
    } catch {
      throw new WebhookPayloadError('The notification is not JSON.');
    }
    if (!Value.Check(SandboxNotification, parsed)) {
      const first = Value.Errors(SandboxNotification, parsed)[0];
      throw new WebhookPayloadError(`The notification is not one the sandbox sends: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}.`);
    }
    const amount = readMoney(parsed.amount, WebhookPayloadError);
    return {
      eventId: parsed.eventId,
      orderId: parsed.orderId,
      orderRef: parsed.orderRef,
      status: parsed.status,
      amount: amount.toApi(),
      occurredAt: parsed.occurredAt,
    };
  }

  private async call<S extends TSchema>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<Static<S>> {
    const baseUrl = this.options.baseUrl;
    if (!baseUrl) throw new PaymentRefused('not_configured', 'No payment gateway is configured: set PAYMENT_GATEWAY_URL.');
    let response: Response;
    try {
      // Appended, not resolved: a base URL with a path (a gateway behind a prefix) keeps its path.
      response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.secret}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new PaymentGatewayUnavailable(`The payment gateway at ${baseUrl} did not answer ${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500) throw new PaymentGatewayUnavailable(`The payment gateway answered ${method} ${path} with ${response.status}.`);
    if (response.status >= 400) throw refusal(response.status, `${method} ${path}`, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!Value.Check(schema, parsed)) {
      throw new PaymentGatewayUnavailable(`The payment gateway answered ${method} ${path} with something unreadable.`);
    }
    return parsed;
  }
}

function refusal(status: number, what: string, text: string): PaymentRefused {
  let detail = text.slice(0, 300);
  try {
    detail = (JSON.parse(text) as { message?: string }).message ?? detail;
  } catch {
    // Not JSON: the text itself says why.
  }
  const code = status === 404 ? 'order_not_found' : status === 409 ? 'order_ref_conflict' : status === 401 || status === 403 ? 'unauthorized' : 'invalid_request';
  return new PaymentRefused(code, `The payment gateway refused ${what} (${status}): ${detail}`);
}

function readMoney(value: { amount: string; currency: string }, as: new (message: string) => Error): Money {
  try {
    return Money.fromApi(value);
  } catch (error) {
    if (error instanceof InvalidAmountError) throw new as(`The gateway's amount is not valid money: ${error.message}`);
    throw error;
  }
}
