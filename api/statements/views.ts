import type { Static } from '@fastify/type-provider-typebox';
import type { Balances } from '../../src/services/statements/balances.js';
import type { ChargedUsage } from '../../src/services/statements/consumption.js';
import type { StatementLine } from '../../src/services/statements/income-expenditure.js';
import type { SourceDetails } from '../../src/services/statements/source-details.js';
import type { BalancesView, ConsumptionItem, IncomeExpenditureItem, PrepaidCardView, VoucherView } from './schemas.js';

/** Service results in the API's shape: money as `{amount, currency}`, times as RFC 3339, ids as strings. */

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

// The loose statuses and kinds of the rows are typed by the schemas' enums; the response serializer writes them as is.
type Loose<T> = T extends string ? string : T;

export function balancesView(balances: Balances): Static<typeof BalancesView> {
  return {
    currency: balances.currency,
    cash: balances.cash.toApi(),
    vouchers: balances.vouchers.map((v) => ({ id: v.id, remaining: v.remaining.toApi(), expiresAt: iso(v.expiresAt), status: v.status as Loose<'active'> as 'active' })),
    // Until the prepaid-card issue maps card ids to card numbers, a card's ledger id is its number.
    prepaidCards: balances.prepaidCards.map((c) => ({ cardNo: c.id, remaining: c.remaining.toApi(), expiresAt: iso(c.expiresAt), status: c.status as 'active' })),
    total: balances.total.toApi(),
    arrears: balances.arrears.toApi(),
  };
}
