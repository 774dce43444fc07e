import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adjustmentEntry,
  allocateCharge,
  balancesOf,
  cashRechargeEntry,
  checkLedger,
  customerBalances,
  entryKeys,
  expiryEntry,
  prepaidCardRechargeEntry,
  reversal,
  usageChargeEntry,
  voucherRechargeEntry,
  type BalanceSource,
  type ChargeAllocation,
  type JournalEntry,
  type StoredBalance,
} from '../../../src/domain/ledger/index.js';
import { Money, type Currency } from '../../../src/domain/money.js';

// Random histories of recharges, charges, adjustments, reversals and expiries, applied with the ledger's
// own builders to a model that keeps what persistence will keep (entries and a stored net per
// account). After every step the ledger must be healthy and agree with totals the model counts on its own.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 1);
const ITEMS = ['logs', 'metrics', 'traces'] as const;
const CUSTOMERS = [
  { id: 'alice', currency: 'CNY' },
  { id: 'bob', currency: 'USD' },
] as const satisfies ReadonlyArray<{ id: string; currency: Currency }>;

type Customer = (typeof CUSTOMERS)[number];

type Step =
  | { op: 'cash'; who: number; minor: bigint }
  | { op: 'voucher'; who: number; minor: bigint; expiresOnDay: number; scope: string[] | null; minSpend: bigint | null }
  | { op: 'card'; who: number; minor: bigint; expiresOnDay: number }
  | { op: 'charge'; who: number; minor: bigint; item: string }
  | { op: 'adjust'; who: number; direction: 'credit' | 'debit'; minor: bigint }
  | { op: 'reverse-adjustment'; pick: number }
  | { op: 'expire'; who: number; pick: number }
  | { op: 'tick'; hours: number };

// Small amounts, and expiries at a few fixed instants (days after the start; 0: expired when credited), so
// that ties in expiry between sources of different ages, and exact exhaustion, are common.
const amount = weighted([fc.bigInt({ min: 1n, max: 20n }), 1], [fc.bigInt({ min: 1n, max: 5_000n }), 2]);
// Mostly charges the balances can pay, some that run into arrears.
const chargeAmount = weighted(
  [fc.bigInt({ min: 0n, max: 50n }), 3],
  [fc.bigInt({ min: 0n, max: 1_000n }), 3],
  [fc.bigInt({ min: 0n, max: 30_000n }), 1],
);
const expiresOnDay = fc.constantFrom(0, 1, 2, 3);
// Mostly the first customer, so that its sources pile up; the second keeps a second currency in the ledger.
const who = weighted([fc.constant(0), 4], [fc.constant(1), 1]);
const item = fc.constantFrom(...ITEMS);
// Most vouchers pay for anything, so that they pile up and meet cards of the same expiry.
const scope = weighted([fc.constant(null), 2], [fc.subarray([...ITEMS], { minLength: 1 }), 1]);
const minSpend = weighted([fc.constant(null), 2], [fc.bigInt({ min: 1n, max: 1_000n }), 1]);

const step: fc.Arbitrary<Step> = weighted<Step>(
  [fc.record({ op: fc.constant('cash'), who, minor: amount }), 1],
  [fc.record({ op: fc.constant('voucher'), who, minor: amount, expiresOnDay, scope, minSpend }), 2],
  [fc.record({ op: fc.constant('card'), who, minor: amount, expiresOnDay }), 2],
  [fc.record({ op: fc.constant('charge'), who, minor: chargeAmount, item }), 3],
  [fc.record({ op: fc.constant('adjust'), who, direction: fc.constantFrom('credit', 'debit'), minor: amount }), 1],
  [fc.record({ op: fc.constant('reverse-adjustment'), pick: fc.nat() }), 1],
  [fc.record({ op: fc.constant('expire'), who, pick: fc.nat() }), 1],
  [fc.record({ op: fc.constant('tick'), hours: fc.constantFrom(1, 2, 5, 24) }), 3],
);

function weighted<T>(...choices: Array<[fc.Arbitrary<T>, number]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([arbitrary, weight]) => ({ arbitrary, weight })));
}

interface SourceFacts {
  id: string;
  kind: 'voucher' | 'prepaid_card';
  expiresAt: number;
  createdAt: number;
  status: 'active' | 'expired';
  scope: readonly string[] | null;
  minSpend: bigint | null;
}

// What the random histories actually exercised, so that a generator change cannot make the property
// pass by never reaching the interesting cases.
interface Coverage {
  arrears: number;
  chargesOverSeveralSources: number;
  expiryTiesDecidedByAge: number;
  sourcesHeldBackByScopeOrMinimum: number;
  expiriesWithMoneyLeft: number;
  reversals: number;
}

const noCoverage = (): Coverage => ({
  arrears: 0,
  chargesOverSeveralSources: 0,
  expiryTiesDecidedByAge: 0,
  sourcesHeldBackByScopeOrMinimum: 0,
  expiriesWithMoneyLeft: 0,
  reversals: 0,
});

interface CustomerModel {
  sources: SourceFacts[];
  // Counted by the model from the operations alone, never read back from the ledger.
  credits: bigint;
  charges: bigint;
  expiries: bigint;
  adjustments: bigint;
}

class Model {
  now = START;
  entries: JournalEntry[] = [];
  nets = new Map<string, Money>();
  customers: CustomerModel[] = CUSTOMERS.map(() => ({
    sources: [],
    credits: 0n,
    charges: 0n,
    expiries: 0n,
    adjustments: 0n,
  }));
  adjustments: Array<{ entry: JournalEntry; who: number; signed: bigint; reversed: boolean }> = [];
  private sequence = 0;

  constructor(readonly seen: Coverage) {}

  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}-${this.sequence}`;
  }

  // What persistence does in the same transaction as the insert: add each posting to its account's net.
  post(entry: JournalEntry): void {
    this.entries.push(entry);
    for (const { account, amount } of entry.postings) {
      this.nets.set(account.key, (this.nets.get(account.key) ?? Money.zero(amount.currency)).add(amount));
    }
  }

  storedRows(): StoredBalance[] {
    return [...this.nets].map(([account, net]) => ({ account, net }));
  }

  // A source's remaining money, from the stored net, the way the charge activity will read it: customer
  // balances are credit-normal, so what the customer has is minus the net.
  remaining(customer: Customer, source: SourceFacts): Money {
    const segment = source.kind === 'voucher' ? 'voucher' : 'prepaid-card';
    const net = this.nets.get(`customer/${customer.id}/${segment}/${source.id}`) ?? Money.zero(customer.currency);
    return net.negate();
  }

  cash(customer: Customer): bigint {
    return -(this.nets.get(`customer/${customer.id}/cash`)?.minor ?? 0n);
  }

  balanceSources(who: number): BalanceSource[] {
    const customer = CUSTOMERS[who]!;
    const cash: BalanceSource = {
      id: 'cash',
      kind: 'cash',
      remaining: Money.ofMinor(this.cash(customer), customer.currency),
      expiresAt: null,
      createdAt: new Date(START),
      status: 'active',
    };
    const others = this.customers[who]!.sources.map((facts): BalanceSource => {
      const common = {
        id: facts.id,
        remaining: this.remaining(customer, facts),
        expiresAt: new Date(facts.expiresAt),
        createdAt: new Date(facts.createdAt),
        status: facts.status,
      };
      return facts.kind === 'prepaid_card'
        ? { ...common, kind: 'prepaid_card' }
        : {
            ...common,
            kind: 'voucher',
            scope: facts.scope,
            minSpend: facts.minSpend === null ? null : Money.ofMinor(facts.minSpend, customer.currency),
          };
    });
    return [cash, ...others];
  }
}

// The test's own reading of the consumption rule, written without the code under test.
function mayPay(facts: SourceFacts, remaining: bigint, charge: { minor: bigint; item: string; at: number }): boolean {
  if (facts.status !== 'active' || remaining <= 0n || facts.expiresAt <= charge.at) return false;
  if (facts.scope !== null && !facts.scope.includes(charge.item)) return false;
  return facts.minSpend === null || charge.minor >= facts.minSpend;
}

function byDrawOrder(a: SourceFacts, b: SourceFacts): number {
  return a.expiresAt - b.expiresAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function apply(model: Model, step: Step): void {
  switch (step.op) {
    case 'tick':
      model.now += step.hours * HOUR;
      return;
    case 'cash': {
      const customer = CUSTOMERS[step.who]!;
      const amount = Money.ofMinor(step.minor, customer.currency);
      model.post(cashRechargeEntry({ rechargeId: model.nextId('cash'), billingAccountId: customer.id, amount }));
      model.customers[step.who]!.credits += step.minor;
      return;
    }
    case 'voucher':
    case 'card': {
      const customer = CUSTOMERS[step.who]!;
      const state = model.customers[step.who]!;
      const id = model.nextId(step.op);
      const money = Money.ofMinor(step.minor, customer.currency);
      const rechargeId = model.nextId('recharge');
      model.post(
        step.op === 'voucher'
          ? voucherRechargeEntry({ rechargeId, billingAccountId: customer.id, voucherId: id, amount: money })
          : prepaidCardRechargeEntry({ rechargeId, billingAccountId: customer.id, cardId: id, amount: money }),
      );
      state.credits += step.minor;
      state.sources.push({
        id,
        kind: step.op === 'voucher' ? 'voucher' : 'prepaid_card',
        expiresAt: step.expiresOnDay === 0 ? model.now : START + step.expiresOnDay * DAY,
        createdAt: model.now,
        status: 'active',
        scope: step.op === 'voucher' ? step.scope : null,
        minSpend: step.op === 'voucher' ? step.minSpend : null,
      });
      return;
    }
    case 'charge':
      applyCharge(model, step);
      return;
    case 'adjust': {
      const customer = CUSTOMERS[step.who]!;
      // Finance does not debit more than the customer's cash here, so that the only way into arrears is
      // usage, which is what the arrears property below checks.
      const minor = step.direction === 'debit' ? minBigint(step.minor, model.cash(customer)) : step.minor;
      if (minor <= 0n) return;
      const entry = adjustmentEntry({
        adjustmentId: model.nextId('adjustment'),
        billingAccountId: customer.id,
        direction: step.direction,
        amount: Money.ofMinor(minor, customer.currency),
      });
      model.post(entry);
      const signed = step.direction === 'credit' ? minor : -minor;
      model.customers[step.who]!.adjustments += signed;
      model.adjustments.push({ entry, who: step.who, signed, reversed: false });
      return;
    }
    case 'reverse-adjustment': {
      const open = model.adjustments.filter((adjustment) => !adjustment.reversed);
      const target = open[step.pick % Math.max(open.length, 1)];
      if (target === undefined) return;
      // Undoing a credit takes cash back; skipped when that would put the customer into arrears (see 'adjust').
      if (target.signed > 0n && model.cash(CUSTOMERS[target.who]!) < target.signed) return;
      model.post(reversal(target.entry, entryKeys.reversalOf(target.entry.key)));
      target.reversed = true;
      model.seen.reversals += 1;
      model.customers[target.who]!.adjustments -= target.signed;
      return;
    }
    case 'expire': {
      const customer = CUSTOMERS[step.who]!;
      const state = model.customers[step.who]!;
      const active = state.sources.filter((source) => source.status === 'active');
      const source = active[step.pick % Math.max(active.length, 1)];
      if (source === undefined) return;
      const remaining = model.remaining(customer, source);
      const entry = expiryEntry({
        billingAccountId: customer.id,
        source: { kind: source.kind, id: source.id },
        remaining,
      });
      if (entry !== null) model.post(entry);
      source.status = 'expired';
      state.expiries += remaining.minor;
      if (remaining.isPositive()) model.seen.expiriesWithMoneyLeft += 1;
      return;
    }
  }
}

function applyCharge(model: Model, step: Extract<Step, { op: 'charge' }>): void {
  const customer = CUSTOMERS[step.who]!;
  const state = model.customers[step.who]!;
  const charge = { minor: step.minor, item: step.item, at: model.now };
  const cashBefore = model.cash(customer);
  const payers = state.sources
    .filter((source) => mayPay(source, model.remaining(customer, source).minor, charge))
    .sort(byDrawOrder);
  const capacity = payers.reduce((sum, source) => sum + model.remaining(customer, source).minor, 0n);
  const unpaidByOthers = maxBigint(0n, step.minor - capacity);

  const allocation = allocateCharge(
    { amount: Money.ofMinor(step.minor, customer.currency), item: step.item, chargedAt: new Date(model.now) },
    model.balanceSources(step.who),
  );
  expectDrawsFollowTheRule(model, customer, allocation, payers, unpaidByOthers);
  agree(allocation.arrears.minor, maxBigint(0n, unpaidByOthers - maxBigint(0n, cashBefore)), 'arrears of the charge');
  observe(model, customer, charge, allocation, payers);

  const entry = usageChargeEntry({ recordId: model.nextId('usage'), billingAccountId: customer.id, allocation });
  if (entry !== null) model.post(entry);
  state.charges += step.minor;
  // Cash pays exactly what no voucher or card could: never more (sparing a voucher), never less.
  agree(model.cash(customer), cashBefore - unpaidByOthers, 'cash after the charge');
}

function observe(
  model: Model,
  customer: Customer,
  charge: { minor: bigint; item: string; at: number },
  allocation: ChargeAllocation,
  payers: SourceFacts[],
): void {
  const { seen } = model;
  if (allocation.arrears.isPositive()) seen.arrears += 1;
  if (allocation.draws.filter((draw) => draw.kind !== 'cash').length >= 2) seen.chargesOverSeveralSources += 1;
  const [first, second] = payers;
  if (first && second && first.expiresAt === second.expiresAt && first.createdAt !== second.createdAt) {
    seen.expiryTiesDecidedByAge += 1;
  }
  const state = model.customers[CUSTOMERS.indexOf(customer)]!;
  const heldBack = state.sources.filter(
    (source) =>
      source.status === 'active' &&
      source.expiresAt > charge.at &&
      model.remaining(customer, source).isPositive() &&
      !payers.includes(source),
  );
  seen.sourcesHeldBackByScopeOrMinimum += heldBack.length;
}

function expectDrawsFollowTheRule(
  model: Model,
  customer: Customer,
  allocation: ChargeAllocation,
  payers: SourceFacts[],
  unpaidByOthers: bigint,
): void {
  const total = allocation.draws.reduce((sum, draw) => sum + draw.amount.minor, 0n);
  agree(total, allocation.charge.amount.minor, 'sum of the draws');
  holds(allocation.draws.every((draw) => draw.amount.isPositive()), 'every draw is positive');
  const cashDraws = allocation.draws.filter((draw) => draw.kind === 'cash');
  agree(cashDraws.map((draw) => draw.amount.minor), unpaidByOthers > 0n ? [unpaidByOthers] : [], 'cash draws');
  const others = allocation.draws.filter((draw) => draw.kind !== 'cash');
  // The drawn vouchers and cards are the first ones in expiry order, every one but the last emptied.
  const firstPayers = payers.slice(0, others.length).map((source) => source.id);
  agree(
    others.map((draw) => draw.sourceId),
    firstPayers,
    'sources drawn, in order',
  );
  others.forEach((draw, index) => {
    const remaining = model.remaining(customer, payers[index]!).minor;
    if (index < others.length - 1 || unpaidByOthers > 0n) {
      agree(draw.amount.minor, remaining, `${draw.sourceId} is emptied`);
    } else {
      holds(draw.amount.minor <= remaining, `${draw.sourceId} pays at most its remaining`);
    }
  });
}

function expectHealthy(model: Model, cashBefore: bigint[], step: Step): void {
  agree(checkLedger(model.entries, model.storedRows()), [], 'ledger violations');
  const derived = balancesOf(model.entries);
  CUSTOMERS.forEach((customer, index) => {
    const state = model.customers[index]!;
    const view = customerBalances(derived, customer.id, customer.currency);
    const expectedTotal = state.credits - state.charges - state.expiries + state.adjustments;
    agree(view.total.minor, expectedTotal, `${customer.id}'s total`);
    for (const balance of [...view.vouchers.values(), ...view.prepaidCards.values()]) {
      holds(!balance.isNegative(), `${customer.id} has a voucher or card below zero`);
    }
    // Cash only goes (further) below zero through a charge; applyCharge checks by how much.
    if (step.op !== 'charge' && view.cash.minor < 0n) {
      holds(view.cash.minor >= cashBefore[index]!, `${customer.id}'s cash went into arrears without a charge`);
    }
  });
}

function run(steps: Step[], seen: Coverage): void {
  const model = new Model(seen);
  for (const step of steps) {
    const cashBefore = CUSTOMERS.map((customer) => model.cash(customer));
    apply(model, step);
    expectHealthy(model, cashBefore, step);
  }
}

// `expect` only on a mismatch, with the same message: the property runs tens of thousands of steps, and
// calling vitest's matchers on every one of them would be most of its run time.
function agree<T>(actual: T, expected: T, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, what).toEqual(expected);
}

function holds(condition: boolean, what: string): void {
  if (!condition) expect(condition, what).toBe(true);
}

const minBigint = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maxBigint = (a: bigint, b: bigint): bigint => (a > b ? a : b);

describe('ledger properties', () => {
  // 2,000 histories of up to 40 steps: about 2 to 3 s. The timeout leaves room for a loaded machine.
  const name = 'stays balanced, agrees with independently counted totals and spends sources by the rule';
  it(name, { timeout: 20_000 }, () => {
    const seen = noCoverage();
    const histories = fc.array(step, { minLength: 1, maxLength: 40, size: 'max' });
    fc.assert(
      fc.property(histories, (steps) => run(steps, seen)),
      { numRuns: 2_000 },
    );
    // Counted over all histories; each interesting case must have come up many times.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(100);
  });
});
