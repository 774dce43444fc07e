import { Type } from '@fastify/type-provider-typebox';
import type { JournalEntryKind } from '../../src/domain/ledger/index.js';
import { Currency, Timestamp, Uuid } from '../schemas.js';

export const MoneyView = Type.Object({
  amount: Type.String({ description: 'decimal string with exactly the currency’s minor digits; negative where the field says it may be' }),
  currency: Currency,
});

export const MoneyInput = Type.Object(
  {
    amount: Type.String({ minLength: 1, maxLength: 40, description: 'decimal string with exactly the currency’s minor digits, e.g. "12.30"' }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
  },
  { additionalProperties: false },
);

export const Direction = Type.Union([Type.Literal('credit'), Type.Literal('debit')], {
  description: "the customer's side: credit adds to the account's cash, debit takes from it (it may go into arrears)",
});

export const AdjustmentBody = Type.Object(
  {
    accountId: Uuid,
    direction: Direction,
    amount: MoneyInput,
    reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S', description: 'why; kept on the journal entry and in the audit log' }),
  },
  { additionalProperties: false },
);

export const AdjustmentView = Type.Object({
  id: Type.String({ description: 'the adjustment; its journal entry’s business key is adjustment/<id>' }),
  accountId: Type.String(),
  direction: Direction,
  amount: MoneyView,
  reason: Type.String(),
  entryId: Type.String(),
  balanceAfter: Type.Object(MoneyView.properties, { description: "the account's total balance (cash, vouchers, cards) right after, as its statement shows it" }),
  createdAt: Timestamp,
});

// Every kind the ledger posts (src/domain/ledger/journal-entry.ts); `satisfies` keeps the list honest.
const KINDS = ['recharge_cash', 'recharge_voucher', 'recharge_prepaid_card', 'usage_charge', 'adjustment', 'expiry', 'reversal'] as const satisfies readonly JournalEntryKind[];

export const JournalQuery = Type.Object({
  accountId: Type.Optional(Uuid),
  kind: Type.Optional(Type.Enum(KINDS)),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'occurred at or after (RFC 3339)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'occurred before (RFC 3339)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

const PostingView = Type.Object({
  ledgerAccount: Type.String({ description: 'ledger account key, e.g. customer/<accountId>/cash or system/usage-revenue/CNY' }),
  amount: Type.Object(MoneyView.properties, { description: 'signed: debit positive, credit negative' }),
  side: Type.Union([Type.Literal('debit'), Type.Literal('credit')]),
});

export const JournalEntryView = Type.Object({
  id: Type.String(),
  businessKey: Type.String(),
  kind: Type.String(),
  currency: Currency,
  accountId: Type.Union([Type.String(), Type.Null()]),
  reversesKey: Type.Union([Type.String(), Type.Null()]),
  balanceAfter: Type.Union([MoneyView, Type.Null()], { description: "the account's total balance right after this entry" }),
  actor: Type.Union([Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  occurredAt: Timestamp,
  createdAt: Timestamp,
  postings: Type.Array(PostingView),
});

export const TrialBalanceQuery = Type.Object({
  at: Type.Optional(Type.String({ format: 'date-time', description: 'RFC 3339; entries that occurred at or before it count (default: now)' })),
});

const Violation = Type.Object({ rule: Type.String(), subject: Type.String(), detail: Type.String() });

export const TrialBalanceView = Type.Object({
  at: Timestamp,
  accounts: Type.Array(
    Type.Object({
      key: Type.String(),
      type: Type.Union([Type.Literal('asset'), Type.Literal('liability'), Type.Literal('revenue'), Type.Literal('expense')]),
      currency: Currency,
      debits: MoneyView,
      credits: MoneyView,
      balance: Type.Object(MoneyView.properties, { description: 'on the account’s normal side: debit for assets and expenses, credit for liabilities and revenue' }),
    }),
  ),
  totals: Type.Array(Type.Object({ currency: Currency, debits: MoneyView, credits: MoneyView, balanced: Type.Boolean() })),
  check: Type.Object(
    { ok: Type.Boolean(), violations: Type.Array(Violation) },
    { description: 'the stored ledger as of now: every entry sums to zero, stored nets and running balances agree with the postings' },
  ),
});
