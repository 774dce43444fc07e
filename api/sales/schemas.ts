import { Type } from '@fastify/type-provider-typebox';
import { Currency, Timestamp, Uuid } from '../schemas.js';
import { MAX_ISSUE_COUNT, MAX_VALIDITY_DAYS } from '../../src/services/sales/inputs.js';

/** Request and response shapes of the sales routes. */

const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const MoneyInput = Type.Object(
  {
    amount: Type.String({ minLength: 1, maxLength: 40, description: 'decimal string with exactly the currency’s minor digits, e.g. "100.00"' }),
    currency: Type.String({ minLength: 3, maxLength: 3, description: 'CNY or USD' }),
  },
  { additionalProperties: false },
);

export const MoneyView = Type.Object({ amount: Type.String(), currency: Currency });

const Count = Type.Integer({ minimum: 1, maximum: MAX_ISSUE_COUNT, description: `1 to ${MAX_ISSUE_COUNT.toLocaleString('en')}` });
const CardNo = Type.String({ pattern: '^[0-9]{16}$', description: '16 digits, the last a Luhn check digit' });
const CardStatus = Type.Union([Type.Literal('issued'), Type.Literal('bound'), Type.Literal('expired'), Type.Literal('revoked')]);
const VoucherStatus = Type.Union([
  Type.Literal('issued'),
  Type.Literal('reserved'),
  Type.Literal('redeemed'),
  Type.Literal('expired'),
  Type.Literal('revoked'),
]);
const BillingItem = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:/-]+$' });

const Lifetimes = Type.Object(
  {
    started: Type.Integer({ description: 'lifetime workflows running when this answer was sent' }),
    starting: Type.Integer({
      description:
        'handed to durable workflows `lifetime-starts/<issue>/<first cardNo or code>` that start them: a large issue answers after 15 s, and a start that failed is retried there',
    }),
    failed: Type.Integer({ description: 'neither started nor handed over (Temporal unreachable); the same request with the same Idempotency-Key starts them' }),
  },
  { description: 'the lifetime workflows (`prepaid-card/<cardNo>`, `voucher/<code>`) of what was issued' },
);

export const CardNoParams = Type.Object({ cardNo: CardNo });

export const IssueCardsBody = Type.Object(
  {
    count: Count,
    faceValue: MoneyInput,
    validDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_VALIDITY_DAYS, description: 'valid this many days from activation (binding); or give expiresAt' }),
    ),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: `a fixed end, in the future and at most ${MAX_VALIDITY_DAYS} days ahead; or give validDays` }),
    ),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const IssuedCardView = Type.Object({
  cardNo: CardNo,
  secret: Type.String({ description: 'as printed, `ABCD-EFGH-JKLM-NPQR`; shown in this response only, never again' }),
  faceValue: MoneyView,
  expiresAt: Type.Union([Timestamp, Type.Null()], { description: 'the fixed end; null when valid for validDays from activation' }),
  validDays: Type.Union([Type.Integer(), Type.Null()]),
});

export const IssuedBatchView = Type.Object({
  batchId: Uuid,
  count: Type.Integer(),
  faceValue: MoneyView,
  expiresAt: NullableTimestamp,
  validDays: Type.Union([Type.Integer(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  lifetimes: Lifetimes,
  cards: Type.Array(IssuedCardView),
});

export const CardView = Type.Object({
  id: Uuid,
  cardNo: CardNo,
  batchId: Uuid,
  faceValue: MoneyView,
  status: CardStatus,
  expiresAt: Type.Union([Timestamp, Type.Null()], { description: 'null for an unused card valid for validDays from activation' }),
  validDays: Type.Union([Type.Integer(), Type.Null()]),
  accountId: Type.Union([Uuid, Type.Null()], { description: 'the account it is bound to' }),
  boundAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const CardListQuery = Type.Object({
  batchId: Type.Optional(Uuid),
  status: Type.Optional(CardStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const ExtendBody = Type.Object(
  {
    expiresAt: Type.String({
      format: 'date-time',
      description: `the new end: any instant after now, at most ${MAX_VALIDITY_DAYS} days ahead (earlier than the current end is allowed)`,
    }),
  },
  { additionalProperties: false },
);

export const RevokeBody = Type.Union(
  [Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500, description: 'why; kept in the audit log' })) }, { additionalProperties: false }), Type.Null()],
  { description: 'optional' },
);

export const IssueVouchersBody = Type.Object(
  {
    count: Count,
    faceValue: MoneyInput,
    validFrom: Type.Optional(Type.String({ format: 'date-time', description: 'default: now; may lie in the past' })),
    validUntil: Type.String({ format: 'date-time', description: `after validFrom, in the future, at most ${MAX_VALIDITY_DAYS} days ahead` }),
    minSpend: Type.Optional(MoneyInput),
    scope: Type.Optional(Type.Array(BillingItem, { maxItems: 50, uniqueItems: true, description: 'billing items it may pay for; empty or absent: all' })),
    accountId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const VoucherView = Type.Object({
  id: Uuid,
  code: Type.String({ description: '12 characters (the last a check character), canonical; printed grouped as `ABCD-EFGH-JKLM`' }),
  faceValue: MoneyView,
  validFrom: Timestamp,
  validUntil: Timestamp,
  minSpend: Type.Union([MoneyView, Type.Null()]),
  scope: Type.Array(Type.String()),
  accountId: Type.Union([Uuid, Type.Null()], { description: 'the only account that may redeem it; null: anyone with the code' }),
  status: VoucherStatus,
  redeemedAccountId: Type.Union([Uuid, Type.Null()]),
  redeemedAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const IssuedVouchersView = Type.Object({
  issueId: Uuid,
  lifetimes: Lifetimes,
  vouchers: Type.Array(VoucherView),
});

export const VoucherListQuery = Type.Object({
  status: Type.Optional(VoucherStatus),
  accountId: Type.Optional(Type.String({ format: 'uuid', description: 'vouchers issued for this account or redeemed into it' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
