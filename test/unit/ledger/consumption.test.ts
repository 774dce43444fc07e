import { describe, expect, it } from 'vitest';
import {
  InvalidChargeError,
  allocateCharge,
  usageChargeEntry,
  type BalanceSource,
  type CashSource,
  type ChargeAllocation,
  type InvalidChargeReason,
  type PrepaidCardSource,
  type UsageCharge,
  type VoucherSource,
} from '../../../src/domain/ledger/index.js';
import { CurrencyMismatchError, Money } from '../../../src/domain/money.js';

const cny = (amount: string): Money => Money.parse(amount, 'CNY', { allowNegative: true });
const at = (iso: string): Date => new Date(iso);

const NOW = '2026-03-10T00:00:00Z';
const MARCH_20 = '2026-03-20T00:00:00Z';
const APRIL = '2026-04-01T00:00:00Z';
const MAY = '2026-05-01T00:00:00Z';
const JUNE = '2026-06-01T00:00:00Z';
const CREATED = '2026-02-01T00:00:00Z';

function charge(amount: string, item = 'logs', chargedAt = NOW): UsageCharge {
  return { amount: cny(amount), item, chargedAt: at(chargedAt) };
}

function cash(remaining: string): CashSource {
  return {
    id: 'cash',
    kind: 'cash',
    remaining: cny(remaining),
    expiresAt: null,
    createdAt: at(CREATED),
    status: 'active',
  };
}

function voucher(id: string, remaining: string, expiresAt: string, extra: Partial<VoucherSource> = {}): VoucherSource {
  const common = { remaining: cny(remaining), expiresAt: at(expiresAt), createdAt: at(CREATED) };
  return { id, kind: 'voucher', ...common, status: 'active', ...extra };
}

function card(
  id: string,
  remaining: string,
  expiresAt: string,
  extra: Partial<PrepaidCardSource> = {},
): PrepaidCardSource {
  const common = { remaining: cny(remaining), expiresAt: at(expiresAt), createdAt: at(CREATED) };
  return { id, kind: 'prepaid_card', ...common, status: 'active', ...extra };
}

// The draws as "id amount" strings, in drawing order.
const drawsOf = (allocation: ChargeAllocation): string[] =>
  allocation.draws.map((draw) => `${draw.sourceId} ${draw.amount.toDecimalString()}`);

const draws = (amount: string, sources: BalanceSource[], item?: string): string[] =>
  drawsOf(allocateCharge(charge(amount, item), sources));

function refusal(action: () => unknown): InvalidChargeReason {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidChargeError);
    return (error as InvalidChargeError).reason;
  }
  throw new Error('expected an InvalidChargeError, but nothing was thrown');
}

describe('drawing order', () => {
  it('draws the soonest-expiring voucher or card first, then the next, then cash', () => {
    const sources: BalanceSource[] = [
      cash('100.00'),
      card('late-card', '5.00', JUNE),
      voucher('soon-voucher', '3.00', APRIL),
      card('sooner-card', '2.00', MARCH_20),
    ];
    expect(draws('12.00', sources)).toEqual(['sooner-card 2.00', 'soon-voucher 3.00', 'late-card 5.00', 'cash 2.00']);
  });

  it('stops at the first source that covers the rest', () => {
    const sources = [cash('100.00'), voucher('a', '10.00', APRIL), voucher('b', '10.00', MAY)];
    expect(draws('4.00', sources)).toEqual(['a 4.00']);
  });

  it('breaks an expiry tie by the oldest source first', () => {
    // Ids in the opposite order to age, so that the id tie-break cannot pass this by accident.
    const sources = [
      cash('0.00'),
      voucher('a-young', '1.00', APRIL, { createdAt: at('2026-03-01T00:00:00Z') }),
      card('b-old', '1.00', APRIL, { createdAt: at('2026-01-15T00:00:00Z') }),
    ];
    expect(draws('1.50', sources)).toEqual(['b-old 1.00', 'a-young 0.50']);
  });

  it('breaks a tie of expiry and age by id, whatever order the sources are listed in', () => {
    const [a, b, c] = [voucher('a', '1.00', APRIL), voucher('b', '1.00', APRIL), card('c', '1.00', APRIL)];
    expect(draws('2.50', [cash('0.00'), c, b, a])).toEqual(['a 1.00', 'b 1.00', 'c 0.50']);
    expect(draws('2.50', [a, cash('0.00'), b, c])).toEqual(['a 1.00', 'b 1.00', 'c 0.50']);
  });

  it('orders ids by code unit, not by locale, so "B" comes before "a"', () => {
    expect(draws('1.00', [cash('0.00'), voucher('a', '1.00', APRIL), voucher('B', '1.00', APRIL)])).toEqual(['B 1.00']);
  });
});

describe('which sources may pay', () => {
  it('skips a voucher or card that has expired by the charge time, even one not yet cleared', () => {
    const sources = [cash('10.00'), voucher('gone', '5.00', '2026-03-09T23:59:59Z'), card('gone', '5.00', CREATED)];
    expect(draws('1.00', sources)).toEqual(['cash 1.00']);
  });

  it('treats the expiry instant itself as expired', () => {
    expect(draws('1.00', [cash('10.00'), card('edge', '5.00', NOW)])).toEqual(['cash 1.00']);
  });

  it('uses a source that expires one millisecond after the charge', () => {
    expect(draws('1.00', [cash('10.00'), card('edge', '5.00', '2026-03-10T00:00:00.001Z')])).toEqual(['edge 1.00']);
  });

  it('skips sources that are not active', () => {
    const sources = [
      cash('10.00'),
      voucher('revoked', '5.00', APRIL, { status: 'revoked' }),
      card('expired', '5.00', APRIL, { status: 'expired' }),
    ];
    expect(draws('1.00', sources)).toEqual(['cash 1.00']);
  });

  it('skips a spent source', () => {
    expect(draws('1.00', [cash('10.00'), voucher('spent', '0.00', APRIL)])).toEqual(['cash 1.00']);
  });

  it('skips a voucher that is not valid yet', () => {
    const future = voucher('future', '5.00', MAY, { validFrom: at('2026-03-11T00:00:00Z') });
    expect(draws('1.00', [cash('10.00'), future])).toEqual(['cash 1.00']);
  });

  it('lets a scoped voucher pay only for billing items in its scope', () => {
    const scoped = voucher('metrics-only', '5.00', APRIL, { scope: ['metrics', 'traces'] });
    expect(draws('1.00', [cash('10.00'), scoped], 'logs')).toEqual(['cash 1.00']);
    expect(draws('1.00', [cash('10.00'), scoped], 'traces')).toEqual(['metrics-only 1.00']);
  });

  it('lets a voucher with an empty scope pay for any item', () => {
    expect(draws('1.00', [cash('10.00'), voucher('any', '5.00', APRIL, { scope: [] })], 'logs')).toEqual(['any 1.00']);
  });

  it('lets a voucher with a minimum spend pay only for charges of at least that much', () => {
    const minimum = voucher('min-10', '50.00', APRIL, { minSpend: cny('10.00') });
    expect(draws('9.99', [cash('100.00'), minimum])).toEqual(['cash 9.99']);
    expect(draws('10.00', [cash('100.00'), minimum])).toEqual(['min-10 10.00']);
  });

  it('passes an out-of-scope charge on to the next source in order', () => {
    const scoped = voucher('scoped', '5.00', MARCH_20, { scope: ['metrics'] });
    const sources = [cash('0.00'), scoped, card('card', '5.00', APRIL)];
    expect(draws('1.00', sources, 'logs')).toEqual(['card 1.00']);
  });
});

describe('arrears', () => {
  it('charges cash beyond its balance when nothing else is left, and reports the unpaid part', () => {
    const allocation = allocateCharge(charge('10.00'), [cash('3.00'), voucher('v', '2.00', APRIL)]);
    expect(drawsOf(allocation)).toEqual(['v 2.00', 'cash 8.00']);
    expect(allocation.arrears).toEqual(cny('5.00'));
  });

  it('counts the whole cash draw as arrears when cash is already negative', () => {
    const allocation = allocateCharge(charge('4.00'), [cash('-1.00')]);
    expect(drawsOf(allocation)).toEqual(['cash 4.00']);
    expect(allocation.arrears).toEqual(cny('4.00'));
  });

  it('reports no arrears when the balances cover the charge exactly', () => {
    expect(allocateCharge(charge('5.00'), [cash('3.00'), card('c', '2.00', APRIL)]).arrears).toEqual(cny('0.00'));
  });
});

describe('exactness', () => {
  it('draws amounts that sum exactly to the charge, one minor unit at a time', () => {
    const sources = [cash('0.01'), voucher('a', '0.01', APRIL), card('b', '0.01', MAY)];
    const allocation = allocateCharge(charge('0.05'), sources);
    expect(drawsOf(allocation)).toEqual(['a 0.01', 'b 0.01', 'cash 0.03']);
    expect(Money.sum(allocation.draws.map((draw) => draw.amount), 'CNY')).toEqual(cny('0.05'));
  });

  it('draws nothing for a free record, and posts nothing', () => {
    const allocation = allocateCharge(charge('0.00'), [cash('1.00')]);
    expect(allocation.draws).toEqual([]);
    expect(usageChargeEntry({ recordId: 'r', billingAccountId: 'acct', allocation })).toBeNull();
  });

  it('gives the same draws for the same inputs', () => {
    const sources = [cash('1.00'), voucher('a', '1.00', APRIL), card('b', '1.00', APRIL)];
    expect(allocateCharge(charge('2.50'), sources)).toEqual(allocateCharge(charge('2.50'), [...sources].reverse()));
  });
});

describe('usage charge entry', () => {
  it("debits each source's account by its draw and credits usage revenue with the whole charge", () => {
    const sources = [cash('1.00'), voucher('v', '4.00', APRIL), card('c', '3.00', MAY)];
    const allocation = allocateCharge(charge('10.00'), sources);
    const entry = usageChargeEntry({ recordId: 'rec-1', billingAccountId: 'acct', allocation });
    expect(entry).toMatchObject({ key: 'usage/rec-1', kind: 'usage_charge', currency: 'CNY' });
    expect(entry?.postings.map((posting) => [posting.account.key, posting.amount.toDecimalString()])).toEqual([
      ['customer/acct/voucher/v', '4.00'],
      ['customer/acct/prepaid-card/c', '3.00'],
      ['customer/acct/cash', '3.00'],
      ['system/usage-revenue/CNY', '-10.00'],
    ]);
  });
});

describe('refusals', () => {
  it('refuses a negative charge: credits are adjustments, not negative usage', () => {
    expect(refusal(() => allocateCharge(charge('-1.00'), [cash('0.00')]))).toBe('negative_charge');
  });

  it('refuses an account without a cash balance, since arrears have nowhere to go', () => {
    expect(refusal(() => allocateCharge(charge('1.00'), [voucher('v', '5.00', APRIL)]))).toBe('no_cash_source');
  });

  it('refuses two cash balances', () => {
    const twice = [cash('1.00'), { ...cash('1.00'), id: 'cash-2' }];
    expect(refusal(() => allocateCharge(charge('1.00'), twice))).toBe('several_cash_sources');
  });

  it('refuses a source listed twice, which would be spent twice', () => {
    const v = voucher('v', '5.00', APRIL);
    expect(refusal(() => allocateCharge(charge('1.00'), [cash('0.00'), v, v]))).toBe('duplicate_source');
  });

  it('refuses an invalid charge time', () => {
    expect(refusal(() => allocateCharge(charge('1.00', 'logs', 'not a date'), [cash('0.00')]))).toBe('invalid_time');
  });

  it('refuses a source in another currency than the charge', () => {
    const dollars: CashSource = { ...cash('0.00'), remaining: Money.parse('1.00', 'USD') };
    expect(() => allocateCharge(charge('1.00'), [dollars])).toThrow(CurrencyMismatchError);
  });
});
