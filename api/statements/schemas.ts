import { Type } from '@fastify/type-provider-typebox';
import { ENTRY_KINDS, SOURCE_STATUSES } from '../../src/services/statements/common.js';
import { MOVEMENTS_SHOWN } from '../../src/services/statements/source-details.js';
import { Currency, PageQuery, Timestamp } from '../schemas.js';

/** Schemas of the balance and statement routes. Every query is closed: an unknown parameter is a 400. */

/** Money as the API writes it: `{amount: "123.45", currency: "CNY"}`, with what this one means. */
export const MoneyView = (description = 'money') =>
  Type.Object(
    { amount: Type.String({ description: "decimal string with exactly the currency's minor digits" }), currency: Currency },
    { description },
  );

const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const SourceKind = Type.Enum(['cash', 'voucher', 'prepaid_card']);
const SourceStatus = Type.Enum(SOURCE_STATUSES);
const EntryKind = Type.Enum(ENTRY_KINDS, { description: 'the kind of journal entry' });
/** As the platform spells them (api/usage/routes.ts). */
const WorkspaceId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const Item = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:/-]+$' });


export const NoQuery = Type.Object({}, { additionalProperties: false });

export const ConsumptionQuery = Type.Object(
  {
    workspaceId: Type.Optional(WorkspaceId),
    item: Type.Optional(Item),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'period start at or after this (RFC 3339)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'period start before this (RFC 3339); later than `from`' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const IncomeExpenditureQuery = Type.Object(
  {
    kind: Type.Optional(EntryKind),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'occurred at or after this (RFC 3339)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'occurred before this (RFC 3339); later than `from`' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const SourceQuery = Type.Object({ status: Type.Optional(SourceStatus), ...PageQuery }, { additionalProperties: false });

export const BalancesView = Type.Object({
  currency: Currency,
  cash: MoneyView('negative when in arrears'),
  vouchers: Type.Array(
    Type.Object({ id: Type.String(), remaining: MoneyView(), expiresAt: NullableTimestamp, status: SourceStatus }),
    { description: 'active vouchers with money left, soonest expiry first (the order charges draw them in)' },
  ),
  prepaidCards: Type.Array(
    Type.Object({ cardNo: Type.String(), remaining: MoneyView(), expiresAt: NullableTimestamp, status: SourceStatus }),
    { description: 'active prepaid cards with money left, soonest expiry first' },
  ),
  total: MoneyView('every source together; negative when arrears exceed the rest'),
  arrears: MoneyView('what cash is below zero, as a positive amount; 0 when none'),
});

const Payment = Type.Object({
  source: SourceKind,
  sourceId: Type.Union([Type.String(), Type.Null()], { description: 'voucher id or card number; null for cash' }),
  amount: MoneyView(),
});

export const ConsumptionItem = Type.Object({
  id: Type.String({ description: "the platform's usage record id" }),
  workspaceId: Type.String(),
  site: Type.String(),
  item: Type.String(),
  unit: Type.String(),
  quantity: Type.Union([Type.String(), Type.Null()], { description: 'decimal string; null when the record was reported with an amount' }),
  unitPrice: Type.Union([Type.String(), Type.Null()], { description: 'decimal string; null when the record was reported with an amount' }),
  amount: MoneyView(),
  periodStart: Timestamp,
  periodEnd: Timestamp,
  chargedAt: Timestamp,
  paidBy: Type.Array(Payment, { description: 'what paid the charge, in drawing order; the amounts sum to `amount`' }),
});

export const IncomeExpenditureItem = Type.Object({
  id: Type.String({ description: 'the journal entry id' }),
  kind: EntryKind,
  occurredAt: Timestamp,
  amount: MoneyView('change of the total balance: positive income, negative expenditure'),
  balanceAfter: MoneyView('the total balance right after this entry'),
  description: Type.String(),
  details: Type.Object({}, { additionalProperties: true, description: 'what the entry is about (usage record, item, reason, ...)' }),
  sources: Type.Array(
    Type.Object({ source: SourceKind, sourceId: Type.Union([Type.String(), Type.Null()]), amount: MoneyView() }),
    { description: 'the same change per balance source: positive added, negative taken' },
  ),
});

const Movements = Type.Array(
  Type.Object({ entryId: Type.String(), kind: EntryKind, occurredAt: Timestamp, amount: MoneyView() }),
  {
    description:
      `The postings on this balance, newest first: positive added, negative taken. Capped at the ${MOVEMENTS_SHOWN} most ` +
      'recent; the full history is in GET /v1/statements/income-expenditure.',
  },
);

const sourceFields = {
  faceValue: MoneyView('the first amount credited to it'),
  remaining: MoneyView(),
  validFrom: NullableTimestamp,
  expiresAt: NullableTimestamp,
  status: SourceStatus,
  movements: Movements,
};

export const VoucherView = Type.Object({
  id: Type.String(),
  ...sourceFields,
  scope: Type.Array(Type.String(), { description: 'billing items it pays for; empty means all' }),
  minSpend: Type.Union([MoneyView(), Type.Null()], { description: 'pays only charges of at least this much' }),
});

export const PrepaidCardView = Type.Object({ cardNo: Type.String(), ...sourceFields });
