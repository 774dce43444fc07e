import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { sourceBalances, waitUntil } from '../support/ledger.js';
import { issueCard, issueVoucher } from '../support/sales.js';

let t: TestApp;
let salesId: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.startWorker();
  salesId = (await t.staff(['sales'])).userId;
});
beforeEach(() => t.followServerClock());
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
});

const recharge = (token: string, body: object, key = randomUUID()) =>
  t.app.inject({ method: 'POST', url: '/v1/recharges', headers: { ...bearer(token), 'idempotency-key': key }, payload: body });

describe('recharge by voucher', () => {
  it('credits the voucher as its own balance with its validity, once', async () => {
    const c = await t.customer();
    const voucher = await issueVoucher(t.db.prisma, { faceValue: 5_000n, createdById: salesId, now: t.clock.now() });
    const key = randomUUID();
    const response = await recharge(c.token, { method: 'voucher', code: voucher.code }, key);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ method: 'voucher', status: 'completed', amount: { amount: '50.00', currency: 'CNY' } });
    expect(await sourceBalances(t.services, c.accountId)).toEqual({ [`voucher:${voucher.id}`]: 5000n });
    const ledger = await t.db.prisma.ledgerAccount.findFirstOrThrow({ where: { sourceId: voucher.id } });
    expect(ledger.expiresAt?.getTime()).toBe(voucher.validUntil.getTime());
    expect((await t.db.prisma.voucher.findUniqueOrThrow({ where: { id: voucher.id } })).status).toBe('redeemed');

    // The same request again is answered from the first one; nothing moves twice.
    const again = await recharge(c.token, { method: 'voucher', code: voucher.code }, key);
    expect(again.json().id).toBe(response.json().id);
    expect(await sourceBalances(t.services, c.accountId)).toEqual({ [`voucher:${voucher.id}`]: 5000n });
  });

  it.each([
    ['voucher-expired', (now: number) => ({ validFrom: new Date(now - 86_400_000 * 2), validUntil: new Date(now - 1000) })],
    ['voucher-not-yet-valid', (now: number) => ({ validFrom: new Date(now + 86_400_000) })],
    ['voucher-not-yours', () => ({ targetAccountId: '00000000-0000-4000-8000-000000000001' })],
  ])('refuses with 422 %s and moves nothing', async (code, options) => {
    const c = await t.customer();
    const now = t.clock.now();
    const voucher = await issueVoucher(t.db.prisma, { ...options(now.getTime()), createdById: salesId, now });
    const response = await recharge(c.token, { method: 'voucher', code: voucher.code });
    expect(response.statusCode).toBe(422);
    expect(response.json().type).toBe(`urn:billing-center:problem:${code}`);
    expect(await sourceBalances(t.services, c.accountId)).toEqual({});
    expect((await t.db.prisma.voucher.findUniqueOrThrow({ where: { id: voucher.id } })).status).toBe('issued');
  });

  it('gives exactly one success to 500 concurrent redemptions of one code', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => t.customer()));
    const voucher = await issueVoucher(t.db.prisma, { createdById: salesId, now: t.clock.now() });
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => recharge(customers[i % customers.length]!.token, { method: 'voucher', code: voucher.code })),
    );
    const statuses = replies.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201 || s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(499);
    expect(replies.filter((r) => r.statusCode === 422).every((r) => r.json().type.endsWith('voucher-already-used'))).toBe(true);
    await waitUntil(async () => (await t.db.prisma.voucher.findUniqueOrThrow({ where: { id: voucher.id } })).status === 'redeemed');
    expect(await t.db.prisma.journalEntry.count({ where: { kind: 'recharge_voucher', details: { path: ['rechargeId'], not: 'x' } } })).toBeGreaterThanOrEqual(1);
  });
});

describe('recharge by prepaid card', () => {
  it('verifies the secret, binds the card and credits its face value with its expiry', async () => {
    const c = await t.customer();
    const card = await issueCard(t.db.prisma, { faceValue: 20_000n, validDays: 30, createdById: salesId });
    const response = await recharge(c.token, { method: 'prepaid_card', cardNo: card.cardNo, secret: card.secret });
    expect(response.statusCode).toBe(201);
    expect(await sourceBalances(t.services, c.accountId)).toEqual({ [`prepaid_card:${card.id}`]: 20_000n });
    const bound = await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { id: card.id } });
    expect(bound).toMatchObject({ status: 'bound', accountId: c.accountId });
    const days = (bound.expiresAt!.getTime() - bound.boundAt!.getTime()) / 86_400_000;
    expect(days).toBe(30);
  });

  it('counts wrong secrets and locks the card for an hour after five, even against the right one', async () => {
    const c = await t.customer();
    const card = await issueCard(t.db.prisma, { createdById: salesId });
    const wrong = 'ABCD-EFGH-JKLM-NPQR';
    for (let i = 0; i < 4; i++) {
      const r = await recharge(c.token, { method: 'prepaid_card', cardNo: card.cardNo, secret: wrong });
      expect(r.statusCode).toBe(422);
      expect(r.json().type).toMatch(/wrong-card-secret$/);
    }
    const fifth = await recharge(c.token, { method: 'prepaid_card', cardNo: card.cardNo, secret: wrong });
    expect(fifth.json().type).toMatch(/card-locked$/);
    const right = await recharge(c.token, { method: 'prepaid_card', cardNo: card.cardNo, secret: card.secret });
    expect(right.statusCode).toBe(422);
    expect(right.json().type).toMatch(/card-locked$/);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(3500);
    t.clock.advance(3_600_000 + 1000);
    try {
      expect((await recharge(c.token, { method: 'prepaid_card', cardNo: card.cardNo, secret: card.secret })).statusCode).toBe(201);
    } finally {
      t.clock.advance(-(3_600_000 + 1000));
    }
  });

  it('gives exactly one success to 100 concurrent redemptions by different accounts', async () => {
    const customers = await Promise.all(Array.from({ length: 100 }, () => t.customer()));
    const card = await issueCard(t.db.prisma, { createdById: salesId });
    const replies = await Promise.all(customers.map((c) => recharge(c.token, { method: 'prepaid_card', cardNo: card.cardNo, secret: card.secret })));
    const winners = replies.filter((r) => r.statusCode === 201 || r.statusCode === 202);
    expect(winners).toHaveLength(1);
    expect(replies.filter((r) => r.statusCode === 422 && r.json().type.endsWith('card-already-used'))).toHaveLength(99);
    await waitUntil(async () => (await t.db.prisma.journalEntry.count({ where: { kind: 'recharge_prepaid_card', accountId: { in: customers.map((c) => c.accountId) } } })) === 1);
  });

  it.each([
    [{ method: 'prepaid_card', cardNo: '1234', secret: 'ABCD-EFGH-JKLM-NPQR' }, '/body'],
    [{ method: 'voucher', code: 'not a code!' }, '/body'],
    [{ method: 'cash', amount: { amount: '10.001', currency: 'CNY' } }, '/body/amount/amount'],
    [{ method: 'cash', amount: { amount: '0.50', currency: 'CNY' } }, '/body/amount/amount'],
    [{ method: 'bitcoin' }, '/body'],
  ])('refuses malformed input %j with 400', async (body, path) => {
    const c = await t.customer();
    const response = await recharge(c.token, body);
    expect(response.statusCode).toBe(400);
    expect((response.json().errors as { path: string }[]).some((e) => e.path.startsWith(path))).toBe(true);
    expect(await t.db.prisma.recharge.count({ where: { accountId: c.accountId } })).toBe(0);
  });

  it('requires an Idempotency-Key', async () => {
    const c = await t.customer();
    const response = await t.app.inject({ method: 'POST', url: '/v1/recharges', headers: bearer(c.token), payload: { method: 'voucher', code: 'ABCD-EFGH-JKLM' } });
    expect(response.statusCode).toBe(400);
  });
});
