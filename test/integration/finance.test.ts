import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/generated/client.js';
import { inTransaction } from '../../src/db/transaction.js';
import { cashRechargeEntry } from '../../src/domain/ledger/index.js';
import { Money } from '../../src/domain/money.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { postEntries } from '../../src/services/ledger/post-entries.js';
import { bearer, createTestApp, STRONG_PASSWORD, type TestApp } from '../support/app.js';
import { creditCash, sourceBalances } from '../support/ledger.js';

let t: TestApp;
let finance: { token: string; userId: string };
beforeAll(async () => {
  t = await createTestApp();
  finance = await t.staff(['finance']);
});
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
});

type Body = { accountId: string; direction: 'credit' | 'debit'; amount: { amount: string; currency: string }; reason: string };
const adjust = (body: Body, token = finance.token) =>
  t.app.inject({ method: 'POST', url: '/v1/finance/adjustments', headers: { ...bearer(token), 'idempotency-key': randomUUID() }, payload: body });
const credit = (accountId: string, amount: string, reason = 'goodwill for the outage') => adjust({ accountId, direction: 'credit', amount: { amount, currency: 'CNY' }, reason });
const debit = (accountId: string, amount: string, reason = 'correcting a double credit') => adjust({ accountId, direction: 'debit', amount: { amount, currency: 'CNY' }, reason });
const get = (url: string, token = finance.token) => t.app.inject({ method: 'GET', url, headers: bearer(token) });

async function usdCustomer(): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email: `usd-${randomUUID()}@example.com`, password: STRONG_PASSWORD, name: 'Dollar Customer', currency: 'USD' },
    remoteAddress: '10.252.0.1',
  });
  expect(response.statusCode).toBe(201);
  return response.json().account.id;
}

describe('finance adjustments', () => {
  it("credits exactly the amount to the customer's cash, on an entry carrying the actor and reason, and audits it", async () => {
    const { accountId } = await t.customer();
    const response = await credit(accountId, '123.45', 'refund of the March outage');
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      accountId,
      direction: 'credit',
      amount: { amount: '123.45', currency: 'CNY' },
      reason: 'refund of the March outage',
      balanceAfter: { amount: '123.45', currency: 'CNY' },
    });
    expect(await sourceBalances(t.services, accountId)).toEqual({ cash: 12345n });

    const entry = await t.db.prisma.journalEntry.findUniqueOrThrow({
      where: { businessKey: `adjustment/${body.id}` },
      include: { postings: { include: { ledgerAccount: true } } },
    });
    expect(entry.id.toString()).toBe(body.entryId);
    expect(entry).toMatchObject({ kind: 'adjustment', accountId, actorId: finance.userId, details: { reason: 'refund of the March outage' } });
    expect(Object.fromEntries(entry.postings.map((p) => [p.ledgerAccount.key, p.amountMinor]))).toEqual({
      [`customer/${accountId}/cash`]: -12345n,
      'system/adjustments/CNY': 12345n,
    });

    const events = await t.db.prisma.auditEvent.findMany({ where: { targetType: 'account', targetId: accountId } });
    expect(events).toEqual([
      expect.objectContaining({
        actorId: finance.userId,
        action: 'ledger.adjusted',
        details: expect.objectContaining({ adjustmentId: body.id, direction: 'credit', amount: '123.45', currency: 'CNY', reason: 'refund of the March outage' }),
      }),
    ]);
  });

  it('debits exactly the amount from cash, into arrears if finance says so', async () => {
    const { accountId } = await t.customer();
    await creditCash(t.services, accountId, '10.00');
    const response = await debit(accountId, '10.01');
    expect(response.statusCode).toBe(201);
    expect(response.json().balanceAfter).toEqual({ amount: '-0.01', currency: 'CNY' });
    expect(await sourceBalances(t.services, accountId)).toEqual({ cash: -1n });
  });

  it("refuses amounts that are not exact positive money in the account's currency, and unknown accounts, moving nothing", async () => {
    const { accountId } = await t.customer();
    const usdAccount = await usdCustomer();
    const cases: [Body, number, string][] = [
      [{ accountId, direction: 'credit', amount: { amount: '10', currency: 'CNY' }, reason: 'whole yuan' }, 400, '/body/amount/amount'],
      [{ accountId, direction: 'credit', amount: { amount: '10.001', currency: 'CNY' }, reason: 'too fine' }, 400, '/body/amount/amount'],
      [{ accountId, direction: 'credit', amount: { amount: '0.00', currency: 'CNY' }, reason: 'nothing at all' }, 400, '/body/amount/amount'],
      [{ accountId, direction: 'debit', amount: { amount: '-5.00', currency: 'CNY' }, reason: 'negative debit' }, 400, '/body/amount/amount'],
      [{ accountId, direction: 'credit', amount: { amount: '1e3', currency: 'CNY' }, reason: 'float spelling' }, 400, '/body/amount/amount'],
      [{ accountId, direction: 'credit', amount: { amount: '5.00', currency: 'EUR' }, reason: 'unknown currency' }, 400, '/body/amount/currency'],
      [{ accountId, direction: 'credit', amount: { amount: '5.00', currency: 'CNY' }, reason: '  ' }, 400, '/body/reason'],
      [{ accountId, direction: 'credit', amount: { amount: '5.00', currency: 'CNY' }, reason: 'x'.repeat(501) }, 400, '/body/reason'],
      [{ accountId, direction: 'credit', amount: { amount: '5.00', currency: 'USD' }, reason: 'wrong currency' }, 422, '/body/amount/currency'],
      [{ accountId: usdAccount, direction: 'credit', amount: { amount: '5.00', currency: 'CNY' }, reason: 'wrong currency' }, 422, '/body/amount/currency'],
    ];
    for (const [body, status, path] of cases) {
      const response = await adjust(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().errors?.map((e: { path: string }) => e.path) ?? [], JSON.stringify(body)).toContain(path);
    }
    const mismatch = await adjust({ accountId, direction: 'credit', amount: { amount: '5.00', currency: 'USD' }, reason: 'wrong currency' });
    expect(mismatch.json().type).toBe('urn:billing-center:problem:currency-mismatch');

    const unknown = await credit(randomUUID(), '5.00');
    expect(unknown.statusCode).toBe(404);
    expect((await credit('not-a-uuid', '5.00')).statusCode).toBe(400);

    expect(await t.db.prisma.journalEntry.count({ where: { accountId: { in: [accountId, usdAccount] } } })).toBe(0);
    expect(await t.db.prisma.auditEvent.count({ where: { targetId: { in: [accountId, usdAccount] } } })).toBe(0);
  });
});

describe('the journal', () => {
  it('lists entries newest first with signed postings, sides, actor and details, filtered by account and kind', async () => {
    const { accountId } = await t.customer();
    const other = await t.customer();
    await credit(accountId, '50.00', 'welcome credit');
    await credit(other.accountId, '5.00');
    await inTransaction(
      t.db.prisma,
      (tx) =>
        postEntries(tx, [{ entry: cashRechargeEntry({ rechargeId: randomUUID(), billingAccountId: accountId, amount: Money.parse('8.00', 'CNY') }), accountId, occurredAt: t.clock.now() }], t.clock.now()),
      { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
    );
    await debit(accountId, '20.00', 'double credit');

    const all = await get(`/v1/finance/journal?accountId=${accountId}`);
    expect(all.statusCode).toBe(200);
    const items = all.json().items;
    expect(items.map((e: { kind: string }) => e.kind)).toEqual(['adjustment', 'recharge_cash', 'adjustment']);
    expect(items.map((e: { id: string }) => BigInt(e.id))).toEqual(items.map((e: { id: string }) => BigInt(e.id)).sort((a: bigint, b: bigint) => (a > b ? -1 : 1)));
    expect(items[0]).toMatchObject({
      accountId,
      currency: 'CNY',
      actor: { id: finance.userId, email: expect.stringContaining('@example.com') },
      details: { reason: 'double credit' },
      balanceAfter: { amount: '38.00', currency: 'CNY' },
      postings: [
        { ledgerAccount: `customer/${accountId}/cash`, amount: { amount: '20.00', currency: 'CNY' }, side: 'debit' },
        { ledgerAccount: 'system/adjustments/CNY', amount: { amount: '-20.00', currency: 'CNY' }, side: 'credit' },
      ],
    });
    expect(items[1]).toMatchObject({
      kind: 'recharge_cash',
      actor: null,
      postings: [
        { ledgerAccount: 'system/payments-clearing/CNY', amount: { amount: '8.00', currency: 'CNY' }, side: 'debit' },
        { ledgerAccount: `customer/${accountId}/cash`, amount: { amount: '-8.00', currency: 'CNY' }, side: 'credit' },
      ],
    });

    const recharges = (await get(`/v1/finance/journal?accountId=${accountId}&kind=recharge_cash`)).json().items;
    expect(recharges.map((e: { kind: string; accountId: string }) => [e.kind, e.accountId])).toEqual([['recharge_cash', accountId]]);
    expect((await get('/v1/finance/journal?kind=bonus')).statusCode).toBe(400);
  });

  it('filters by when entries occurred: from inclusive, to exclusive', async () => {
    const { accountId } = await t.customer();
    const times: string[] = [];
    for (const amount of ['1.00', '2.00', '3.00']) {
      times.push(t.clock.now().toISOString());
      await credit(accountId, amount);
      t.clock.advance(60 * 60_000);
    }
    const amounts = async (query: string) =>
      (await get(`/v1/finance/journal?accountId=${accountId}&${query}`)).json().items.map((e: { postings: { amount: { amount: string } }[] }) => e.postings[0]!.amount.amount);
    // Each entry occurred a moment after its recorded time, within the same hour.
    expect(await amounts(`from=${times[1]}`)).toEqual(['3.00', '2.00']);
    expect(await amounts(`to=${times[1]}`)).toEqual(['1.00']);
    expect(await amounts(`from=${times[1]}&to=${times[2]}`)).toEqual(['2.00']);
    const backwards = await get(`/v1/finance/journal?from=${times[2]}&to=${times[1]}`);
    expect(backwards.statusCode).toBe(400);
    expect((await get('/v1/finance/journal?from=yesterday')).statusCode).toBe(400);
  });

  it('pages through every entry exactly once, newest first, with limit and cursor', async () => {
    const { accountId } = await t.customer();
    for (const amount of ['1.00', '2.00', '3.00', '4.00', '5.00']) await credit(accountId, amount);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`/v1/finance/journal?accountId=${accountId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const body: { items: { id: string }[]; nextCursor: string | null } = response.json();
      sizes.push(body.items.length);
      seen.push(...body.items.map((e) => e.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    const ids = (await t.db.prisma.journalEntry.findMany({ where: { accountId }, orderBy: { id: 'desc' } })).map((e) => e.id.toString());
    expect(seen).toEqual(ids);
    expect((await get('/v1/finance/journal?cursor=not-a-cursor')).statusCode).toBe(400);
    expect((await get('/v1/finance/journal?limit=201')).statusCode).toBe(400);
  });
});

describe('the trial balance', () => {
  type Line = { key: string; type: string; currency: string; debits: { amount: string }; credits: { amount: string }; balance: { amount: string } };
  type Total = { currency: string; debits: { amount: string }; credits: { amount: string }; balanced: boolean };
  const trial = async (query = '') => {
    const response = await get(`/v1/finance/trial-balance${query}`);
    expect(response.statusCode).toBe(200);
    return response.json() as { at: string; accounts: Line[]; totals: Total[]; check: { ok: boolean; violations: { rule: string; subject: string }[] } };
  };

  it('balances debits against credits per currency and reads each account on its normal side, agreeing with stored nets', async () => {
    const { accountId } = await t.customer();
    await credit(accountId, '100.00');
    await debit(accountId, '30.00');
    const usdAccount = await usdCustomer();
    await creditCash(t.services, usdAccount, '7.00', 'USD');

    const balance = await trial();
    expect(balance.check).toEqual({ ok: true, violations: [] });
    expect(balance.totals.map((total) => total.currency).sort()).toEqual(['CNY', 'USD']);
    for (const total of balance.totals) {
      expect(total.debits, total.currency).toEqual(total.credits);
      expect(total.balanced).toBe(true);
    }
    expect(balance.accounts.find((line) => line.key === `customer/${accountId}/cash`)).toEqual({
      key: `customer/${accountId}/cash`,
      type: 'liability',
      currency: 'CNY',
      debits: { amount: '30.00', currency: 'CNY' },
      credits: { amount: '100.00', currency: 'CNY' },
      balance: { amount: '70.00', currency: 'CNY' },
    });
    expect(balance.accounts.find((line) => line.key === `customer/${usdAccount}/cash`)?.balance).toEqual({ amount: '7.00', currency: 'USD' });

    // At "now" the sums of postings must equal every stored net, read on the account's normal side.
    const stored = await t.db.prisma.ledgerAccount.findMany();
    expect(balance.accounts.length).toBe(stored.length);
    for (const account of stored) {
      const line = balance.accounts.find((l) => l.key === account.key)!;
      const net = Money.ofMinor(account.netMinor, account.currency as 'CNY' | 'USD');
      const expected = ['asset', 'expense'].includes(account.type) ? net : net.negate();
      expect(line.balance, account.key).toEqual(expected.toApi());
    }
  });

  it('counts only entries that occurred at or before `at`', async () => {
    const { accountId } = await t.customer();
    const before = t.clock.now().toISOString();
    t.clock.advance(1_000);
    await credit(accountId, '40.00');
    const at = t.clock.now().toISOString();
    t.clock.advance(60_000);
    await credit(accountId, '2.00');

    const cash = (balance: { accounts: Line[] }) => balance.accounts.find((line) => line.key === `customer/${accountId}/cash`)?.credits.amount;
    const then = await trial(`?at=${at}`);
    expect(then.at).toBe(at);
    expect(cash(then)).toBe('40.00');
    for (const total of then.totals) expect(total.balanced).toBe(true);
    expect(cash(await trial())).toBe('42.00');
    expect(cash(await trial(`?at=${before}`))).toBeUndefined();
    expect((await get('/v1/finance/trial-balance?at=last-tuesday')).statusCode).toBe(400);
  });

  it('reports a stored net that disagrees with its postings, while the sums of postings still balance', async () => {
    const { accountId } = await t.customer();
    await credit(accountId, '9.00');
    const key = `customer/${accountId}/cash`;
    await t.db.prisma.$executeRaw`UPDATE ledger_accounts SET net_minor = net_minor + 1 WHERE key = ${key}`;
    try {
      const balance = await trial();
      expect(balance.check.ok).toBe(false);
      expect(balance.check.violations).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'stored_balance_drift', subject: key })]));
      for (const total of balance.totals) expect(total.balanced).toBe(true);
      expect(balance.accounts.find((line) => line.key === key)?.balance.amount).toBe('9.00');
    } finally {
      await t.db.prisma.$executeRaw`UPDATE ledger_accounts SET net_minor = net_minor - 1 WHERE key = ${key}`;
    }
    expect((await trial()).check).toEqual({ ok: true, violations: [] });
  });
  it("reports an entry whose stored account changes (what statements show) disagree with its postings", async () => {
    const { accountId } = await t.customer();
    await credit(accountId, '3.00');
    const [entry] = await t.db.prisma.$queryRaw<{ id: bigint; business_key: string }[]>`
      SELECT id, business_key FROM journal_entries WHERE account_id = ${accountId}::uuid ORDER BY id DESC LIMIT 1`;
    await t.db.prisma.$executeRaw`UPDATE journal_entries SET account_changes = '[["cash", null, "CNY", "-301"]]' WHERE id = ${entry!.id}`;
    try {
      const balance = await trial();
      expect(balance.check.ok).toBe(false);
      expect(balance.check.violations).toEqual([expect.objectContaining({ rule: 'account_changes_drift', subject: entry!.business_key })]);
    } finally {
      await t.db.prisma.$executeRaw`UPDATE journal_entries SET account_changes = '[["cash", null, "CNY", "-300"]]' WHERE id = ${entry!.id}`;
    }
    expect((await trial()).check).toEqual({ ok: true, violations: [] });
  });
});

describe('who may use the finance routes', () => {
  it('admits finance and admin; refuses customers, support, sales, operators and the platform (403) and anonymous callers (401)', async () => {
    const { accountId } = await t.customer();
    const body = { accountId, direction: 'credit', amount: { amount: '1.00', currency: 'CNY' }, reason: 'access probe' };
    const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>) =>
      t.app.inject({ method, url, headers: { ...headers, 'idempotency-key': randomUUID() }, ...(method === 'POST' ? { payload: body } : {}) });
    const routes = [
      ['POST', '/v1/finance/adjustments', 201],
      ['GET', '/v1/finance/journal', 200],
      ['GET', '/v1/finance/trial-balance', 200],
    ] as const;
    const refused: [string, Record<string, string>, number][] = [
      ['anonymous', {}, 401],
      ['customer', bearer((await t.customer()).token), 403],
      ['support', bearer((await t.staff(['support'])).token), 403],
      ['sales', bearer((await t.staff(['sales'])).token), 403],
      ['operator', bearer((await t.staff(['operator'])).token), 403],
      ['platform', { authorization: `ApiKey ${await t.apiKey()}` }, 403],
    ];
    const admitted: [string, Record<string, string>][] = [
      ['finance', bearer(finance.token)],
      ['admin', bearer((await t.staff(['admin'])).token)],
    ];
    for (const [method, url, ok] of routes) {
      for (const [who, headers, status] of refused) expect((await call(method, url, headers)).statusCode, `${method} ${url} as ${who}`).toBe(status);
      for (const [who, headers] of admitted) expect((await call(method, url, headers)).statusCode, `${method} ${url} as ${who}`).toBe(ok);
    }
    // Two admitted adjustments of 1.00, none from the refused callers.
    expect(await sourceBalances(t.services, accountId)).toEqual({ cash: 200n });
  });
});
