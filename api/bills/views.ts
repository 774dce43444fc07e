import type { Static } from '@fastify/type-provider-typebox';
import { isCurrency, Money, type Currency } from '../../src/domain/money.js';
import type { SourceSplit } from '../../src/services/billing/content.js';
import type { IssuedBill } from '../../src/services/billing/read.js';
import type { BillView } from './schemas.js';

const money = (minor: string, currency: Currency) => Money.ofMinor(BigInt(minor), currency).toApi();
const split = (amounts: SourceSplit, currency: Currency) => ({
  cash: money(amounts.cash, currency),
  vouchers: money(amounts.vouchers, currency),
  prepaidCards: money(amounts.prepaidCards, currency),
  total: money(amounts.total, currency),
});

/** A bill as the API shows it; `externalAccountId` decides how much of a marketplace account id the caller sees. */
export function billView(bill: IssuedBill, externalAccountId: (id: string) => string): Static<typeof BillView> {
  const { content } = bill;
  let account: Static<typeof BillView>['account'] = null;
  if (content.kind === 'account') {
    if (!isCurrency(bill.currency)) throw new Error(`bill ${bill.id} has an unknown currency ${JSON.stringify(bill.currency)}`);
    const currency = bill.currency;
    account = {
      opening: split(content.opening, currency),
      movements: content.movements.map((movement) => ({ kind: movement.kind, change: split(movement.change, currency) })),
      paidBy: split(content.paidBy, currency),
      closing: split(content.closing, currency),
      arrears: { opening: money(content.arrears.opening, currency), closing: money(content.arrears.closing, currency) },
      lines: content.lines.map((line) => ({ ...line, amount: money(line.amount, currency) })),
      cloudAccountIds: content.cloudAccountIds,
    };
  }
  return {
    id: bill.id,
    kind: bill.kind,
    accountId: bill.accountId,
    month: bill.month,
    timeZone: bill.timezone,
    periodStart: bill.periodStart.toISOString(),
    periodEnd: bill.periodEnd.toISOString(),
    issuedAt: bill.issuedAt.toISOString(),
    currency: bill.currency,
    account,
    cloudAccount: content.kind === 'cloud_account' ? { ...content, externalAccountId: externalAccountId(content.externalAccountId) } : null,
  };
}
