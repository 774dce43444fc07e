import type { Static } from '@fastify/type-provider-typebox';
import type { Balances } from '../../src/services/statements/balances.js';
import type { ChargedUsage } from '../../src/services/statements/consumption.js';
import type { StatementLine } from '../../src/services/statements/income-expenditure.js';
import type { SourceDetails } from '../../src/services/statements/source-details.js';
import type { BalancesView, ConsumptionItem, IncomeExpenditureItem, PrepaidCardView, VoucherView } from './schemas.js';

/** Service results in the API's shape: money as `{amount, currency}`, times as RFC 3339, serial ids as strings. */

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function balancesView(balances: Balances): Static<typeof BalancesView> {
  return {
    currency: balances.currency,
    cash: balances.cash.toApi(),
    vouchers: balances.vouchers.map((v) => ({ id: v.id, remaining: v.remaining.toApi(), expiresAt: iso(v.expiresAt), status: v.status })),
    // TODO(prepaid cards): the prepaid-card issue maps card ids to card numbers; until then the id the card's
    // ledger account was opened under is its number.
    prepaidCards: balances.prepaidCards.map((c) => ({ cardNo: c.id, remaining: c.remaining.toApi(), expiresAt: iso(c.expiresAt), status: c.status })),
    total: balances.total.toApi(),
    arrears: balances.arrears.toApi(),
  };
}

export function consumptionView(usage: ChargedUsage): Static<typeof ConsumptionItem> {
  return {
    ...usage,
    amount: usage.amount.toApi(),
    periodStart: usage.periodStart.toISOString(),
    periodEnd: usage.periodEnd.toISOString(),
    chargedAt: usage.chargedAt.toISOString(),
    paidBy: usage.paidBy.map((p) => ({ source: p.source, sourceId: p.sourceId, amount: p.amount.toApi() })),
  };
}

export function statementLineView(line: StatementLine): Static<typeof IncomeExpenditureItem> {
  return {
    id: line.id.toString(),
    kind: line.kind,
    occurredAt: line.occurredAt.toISOString(),
    amount: line.amount.toApi(),
    balanceAfter: line.balanceAfter.toApi(),
    description: line.description,
    details: line.details,
    sources: line.sources.map((s) => ({ source: s.source, sourceId: s.sourceId, amount: s.change.toApi() })),
  };
}

function sourceFields(source: SourceDetails) {
  return {
    faceValue: source.faceValue.toApi(),
    remaining: source.remaining.toApi(),
    validFrom: iso(source.validFrom),
    expiresAt: iso(source.expiresAt),
    status: source.status,
    movements: source.movements.map((m) => ({
      entryId: m.entryId.toString(),
      kind: m.kind,
      occurredAt: m.occurredAt.toISOString(),
      amount: m.amount.toApi(),
    })),
  };
}

export function voucherView(voucher: SourceDetails): Static<typeof VoucherView> {
  return { id: voucher.sourceId, ...sourceFields(voucher), scope: voucher.scope, minSpend: voucher.minSpend?.toApi() ?? null };
}

export function prepaidCardView(card: SourceDetails): Static<typeof PrepaidCardView> {
  // TODO(prepaid cards): card id → card number, as in balancesView.
  return { cardNo: card.sourceId, ...sourceFields(card) };
}
