import { Type } from '@fastify/type-provider-typebox';
import { MoneyView } from '../finance/schemas.js';
import { PageQuery, Timestamp, Uuid } from '../schemas.js';

export const BillKind = Type.Union([Type.Literal('account'), Type.Literal('cloud_account')], {
  description: "account: a billing-center account's monthly bill; cloud_account: a cloud account's consolidated statement of what was reported to its marketplace",
});
export const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM, in the time zone of the account billed' });

const SourceSplitView = Type.Object(
  { cash: MoneyView, vouchers: MoneyView, prepaidCards: MoneyView, total: MoneyView },
  { description: 'customer side: positive is money the account has or gained, negative what it owes or spent' },
);

const AccountBillView = Type.Object({
  opening: SourceSplitView,
  movements: Type.Array(
    Type.Object({
      kind: Type.String({ description: 'recharge_cash | recharge_voucher | recharge_prepaid_card | usage_charge | adjustment | expiry | reversal (refunds and corrections)' }),
      change: SourceSplitView,
    }),
    { description: 'what each kind of journal entry posted in the period did to each balance source; opening + movements = closing' },
  ),
  paidBy: Type.Object(SourceSplitView.properties, { description: "what each balance source paid for the period's usage (positive)" }),
  closing: SourceSplitView,
  arrears: Type.Object({ opening: MoneyView, closing: MoneyView }, { description: 'negative cash owed at the start, and carried at the end' }),
  lines: Type.Array(
    Type.Object({
      workspaceId: Type.Union([Type.String(), Type.Null()]),
      site: Type.Union([Type.String(), Type.Null()]),
      item: Type.Union([Type.String(), Type.Null()]),
      unit: Type.Union([Type.String(), Type.Null()]),
      quantity: Type.Union([Type.String(), Type.Null()], { description: 'sum of the records’ quantities; null when every record came priced' }),
      amount: MoneyView,
      records: Type.Integer(),
    }),
    { description: 'usage charged in the period, per workspace and billing item; the amounts add up to the usage_charge movement' },
  ),
  cloudAccountIds: Type.Array(Type.String(), {
    description: "cloud accounts the month's cloud-settled usage was reported to; each gets a consolidated statement (kind cloud_account) two hours after the month",
  }),
});

const CloudStatementView = Type.Object({
  cloudAccountId: Type.String(),
  provider: Type.String(),
  externalAccountId: Type.String({ description: 'the account at the marketplace (masked for staff)' }),
  lines: Type.Array(
    Type.Object({
      item: Type.String(),
      hours: Type.Integer({ description: 'hours reported for the item in the period' }),
      quantity: Type.String({ description: 'exact metered quantity of those hours' }),
      reportedQuantity: Type.String({ description: 'what the marketplace took, in its terms (AWS: whole units)' }),
      records: Type.Integer(),
      reports: Type.Object({ reported: Type.Integer(), late: Type.Integer(), refused: Type.Integer(), pending: Type.Integer() }),
      sources: Type.Array(Type.Object({ workspaceId: Type.String(), site: Type.String(), quantity: Type.String(), records: Type.Integer() }), {
        description: 'the workspaces and sites the item consolidates',
      }),
    }),
  ),
});

export const BillView = Type.Object({
  id: Type.String(),
  kind: BillKind,
  accountId: Type.String({ description: 'the billing-center account the bill belongs to' }),
  month: Month,
  timeZone: Type.String(),
  periodStart: Timestamp,
  periodEnd: Type.String({ format: 'date-time', description: 'exclusive' }),
  issuedAt: Timestamp,
  currency: Type.Union([Type.String(), Type.Null()], { description: 'null for cloud statements, which count quantities, not money' }),
  account: Type.Union([AccountBillView, Type.Null()], { description: 'kind account' }),
  cloudAccount: Type.Union([CloudStatementView, Type.Null()], { description: 'kind cloud_account' }),
});

export const CustomerBillQuery = Type.Object({ month: Type.Optional(Month), kind: Type.Optional(BillKind), ...PageQuery }, { additionalProperties: false });
export const FinanceBillQuery = Type.Object(
  { accountId: Type.Optional(Uuid), month: Type.Optional(Month), kind: Type.Optional(BillKind), ...PageQuery },
  { additionalProperties: false },
);
