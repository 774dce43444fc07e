import type { PaymentGateway } from './gateway.js';
import { SandboxPaymentGateway } from './sandbox-client.js';

/** The path of a gateway's webhook on our API; API.md's `POST /v1/payments/webhooks/{gateway}`. */
export const webhookPath = (gatewayName: string) => `/v1/payments/webhooks/${encodeURIComponent(gatewayName)}`;

/**
 * The gateways a process knows: the one new cash recharges pay through, and every one that may call back
 * (an order opened before a switch of gateway still gets its notification).
 */
export interface PaymentGateways {
  /** Where cash recharges open their orders. */
  readonly primary: PaymentGateway;
  /** The `notifyUrl` to give `primary.createOrder`: our webhook for it, under PUBLIC_API_URL. */
  readonly notifyUrl: string;
  /** The gateway named by a webhook's path segment, if we know it. */
  byName(name: string): PaymentGateway | undefined;
}

export function paymentGateways(primary: PaymentGateway, publicApiUrl: string, others: readonly PaymentGateway[] = []): PaymentGateways {
  const byName = new Map([primary, ...others].map((gateway) => [gateway.name, gateway]));
  return {
    primary,
    notifyUrl: `${publicApiUrl.replace(/\/+$/, '')}${webhookPath(primary.name)}`,
    byName: (name) => byName.get(name),
  };
}

/**
 * The gateways of this project: the sandbox, at `gatewayUrl` (PAYMENT_GATEWAY_URL, or the embedded one that
 * `npm start` runs). Without a URL, webhooks are still verified; opening an order refuses with `not_configured`.
 */
export function createPaymentGateways(options: {
  gatewayUrl: string | undefined;
  webhookSecret: string;
  publicApiUrl: string;
  now?: () => Date;
}): PaymentGateways {
  const sandbox = new SandboxPaymentGateway({
    baseUrl: options.gatewayUrl,
    secret: options.webhookSecret,
    ...(options.now ? { now: options.now } : {}),
  });
  return paymentGateways(sandbox, options.publicApiUrl);
}
