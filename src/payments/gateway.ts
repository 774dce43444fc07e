import type { PaymentEvent } from '../../workflows/recharge-contract.js';
import type { Money } from '../domain/money.js';

/**
 * The payment-gateway port: everything a cash recharge needs from a gateway, in the service's own terms.
 * One implementation ships with the project (the sandbox, `sandbox-client.ts`); a real gateway is another
 * implementation of this interface, and nothing else changes.
 */

export interface CreateOrderInput {
  /**
   * Our reference for the order: the recharge id. Creating an order twice with the same reference returns
   * the same order, so a retried activity never opens a second order (and never lets a customer pay twice).
   */
  orderRef: string;
  amount: Money;
  /** What the customer sees on the gateway's pay page. */
  description: string;
  /** Where the gateway posts its signed notifications: `paymentGateways.notifyUrl` for this gateway. */
  notifyUrl: string;
}

export interface CreatedOrder {
  orderId: string;
  /** Where the customer pays (the gateway's hosted page). */
  payUrl: string;
}

/**
 * - `closed`: no payment can succeed on the order any more (it was open or had failed; now it is closed).
 * - `already_closed`: it was closed before; nothing changed.
 * - `already_paid`: the money was collected before the close: the caller must credit it or claim a refund.
 */
export type CloseOutcome = 'closed' | 'already_paid' | 'already_closed';

export type OrderStatus = 'open' | 'paid' | 'failed' | 'closed';

export interface OrderState {
  orderId: string;
  orderRef: string;
  status: OrderStatus;
  amount: Money;
}

/** A verified notification: the workflow contract's event, plus what the webhook needs to find the recharge. */
export interface VerifiedPaymentEvent extends PaymentEvent {
  /** The `orderRef` the order was created with (the recharge id). */
  orderRef: string;
  /** When the gateway says the payment succeeded or failed (RFC 3339). */
  occurredAt: string;
}

/** Header values as Node and Fastify give them (names lower-cased). */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface PaymentGateway {
  /** The gateway's name: its webhook is `POST /v1/payments/webhooks/<name>`. */
  readonly name: string;
  /** Idempotent by `orderRef`: the same reference returns the same order (a different amount is `PaymentRefused`). */
  createOrder(input: CreateOrderInput): Promise<CreatedOrder>;
  /** Idempotent: closing a closed order answers `already_closed`. */
  closeOrder(orderId: string): Promise<{ status: CloseOutcome }>;
  getOrder(orderId: string): Promise<OrderState>;
  /**
   * Checks a notification's signature over the exact bytes received, then reads it. Throws
   * `WebhookVerificationError` (bad, missing or stale signature: answer 401, change nothing) or
   * `WebhookPayloadError` (signed, but not a notification this adapter understands: answer 400).
   */
  verifyWebhook(rawBody: Buffer | string, headers: WebhookHeaders): VerifiedPaymentEvent;
}

/**
 * The gateway refused the request, or cannot be asked at all (not configured): retrying will not help.
 * Its `name` is the Temporal failure type, so the recharge workflow lists it as non-retryable.
 */
export class PaymentRefused extends Error {
  override readonly name = 'PaymentRefused';
  constructor(
    readonly code: 'not_configured' | 'order_not_found' | 'order_ref_conflict' | 'unauthorized' | 'invalid_request',
    message: string,
  ) {
    super(message);
  }
}

/** The gateway did not answer, or answered with a server error or something unreadable: worth retrying. */
export class PaymentGatewayUnavailable extends Error {
  override readonly name = 'PaymentGatewayUnavailable';
}

export type WebhookRejection = 'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature';

/** Not provably from the gateway: the webhook answers 401 and changes nothing. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(readonly reason: WebhookRejection, message: string) {
    super(message);
  }
}

/** Signed by the gateway, but not a notification we can read (a gateway bug or a protocol change): 400. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
}
