import { Type, type Static } from 'typebox';

/**
 * The sandbox gateway's wire protocol, in one place: its server (src/sandbox/payment-gateway), our client
 * (sandbox-client.ts) and the webhook route's OpenAPI document all use these schemas, so they cannot drift.
 */

export const SandboxMoney = Type.Object(
  {
    amount: Type.String({ minLength: 1, maxLength: 40, description: 'decimal string with exactly the currency’s minor digits' }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
  },
  { additionalProperties: false },
);

export const SandboxOrderStatus = Type.Union([Type.Literal('open'), Type.Literal('paid'), Type.Literal('failed'), Type.Literal('closed')]);

export const SandboxCreateOrder = Type.Object(
  {
    orderRef: Type.String({ minLength: 1, maxLength: 128, description: 'the merchant’s reference; the same reference returns the same order' }),
    amount: SandboxMoney,
    description: Type.String({ maxLength: 256 }),
    notifyUrl: Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://', description: 'where signed notifications go' }),
  },
  { additionalProperties: false },
);

export const SandboxDelivery = Type.Object({
  eventId: Type.String(),
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  /** The status of the merchant's last answer (null: no answer, a network error). */
  lastResponseStatus: Type.Union([Type.Integer(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
});

export const SandboxOrder = Type.Object({
  orderId: Type.String(),
  orderRef: Type.String(),
  status: SandboxOrderStatus,
  amount: SandboxMoney,
  description: Type.String(),
  payUrl: Type.String(),
  createdAt: Type.String(),
  paidAt: Type.Union([Type.String(), Type.Null()]),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  /** Every notification sent for the order, and whether the merchant acknowledged it. */
  notifications: Type.Array(SandboxDelivery),
});

export const SandboxCloseResult = Type.Object({
  status: Type.Union([Type.Literal('closed'), Type.Literal('already_paid'), Type.Literal('already_closed')]),
  order: SandboxOrder,
});

/** The body of a notification (signed; see signature.ts). Unknown fields are allowed: a gateway may add some. */
export const SandboxNotification = Type.Object(
  {
    eventId: Type.String({ minLength: 1, maxLength: 100, description: 'the same notification delivered again has the same id' }),
    orderId: Type.String({ minLength: 1, maxLength: 100 }),
    orderRef: Type.String({ minLength: 1, maxLength: 128, description: 'the recharge id the order was created for' }),
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
    amount: SandboxMoney,
    occurredAt: Type.String({ minLength: 1, maxLength: 40, description: 'RFC 3339, UTC' }),
  },
  { additionalProperties: true, description: 'A payment notification, signed in `x-sandbox-signature` over the raw body' },
);

export type SandboxMoney = Static<typeof SandboxMoney>;
export type SandboxOrderStatus = Static<typeof SandboxOrderStatus>;
export type SandboxCreateOrder = Static<typeof SandboxCreateOrder>;
export type SandboxDelivery = Static<typeof SandboxDelivery>;
export type SandboxOrder = Static<typeof SandboxOrder>;
export type SandboxCloseResult = Static<typeof SandboxCloseResult>;
export type SandboxNotification = Static<typeof SandboxNotification>;
