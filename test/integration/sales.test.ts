import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/generated/client.js';
import { inTransaction } from '../../src/db/transaction.js';
import { customerPrepaidCard, prepaidCardRechargeEntry } from '../../src/domain/ledger/index.js';
import { Money } from '../../src/domain/money.js';
import { isValidCardNumber } from '../../src/domain/sales/card-number.js';
import { hashCardSecret, normalizeCardSecret, verifyCardSecret } from '../../src/domain/sales/card-secret.js';
import { isValidVoucherCode } from '../../src/domain/sales/voucher-code.js';
import { postEntries } from '../../src/services/ledger/post-entries.js';
import { bearer, createTestApp, STRONG_PASSWORD, type TestApp } from '../support/app.js';

let t: TestApp;
let sales: { token: string; userId: string };
let admin: { token: string; userId: string };

beforeAll(async () => {
  t = await createTestApp();
  sales = await t.staff(['sales']);
  admin = await t.staff(['admin']);
});
afterAll(async () => {
  await t.close();
});

const DAY = 86_400_000;
const inDays = (days: number) => new Date(t.clock.now().getTime() + days * DAY).toISOString();
const cny = (amount: string) => ({ amount, currency: 'CNY' });

type Card = { cardNo: string; secret: string; faceValue: { amount: string; currency: string }; expiresAt: string | null; validDays: number | null };
type Batch = { batchId: string; count: number; lifetimes: { started: number; starting: number; failed: number }; cards: Card[] };

const post = (url: string, payload: unknown, options: { token?: string; key?: string | null } = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(options.token ?? sales.token), ...(options.key === null ? {} : { 'idempotency-key': options.key ?? randomUUID() }) },
    payload: payload as object,
  });
const get = (url: string, token = sales.token) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
const issueCards = (body: Record<string, unknown>, options: { token?: string; key?: string | null } = {}) =>
  post('/v1/sales/prepaid-card-batches', body, options);
const issueVouchers = (body: Record<string, unknown>, options: { token?: string; key?: string | null } = {}) => post('/v1/sales/vouchers', body, options);
const extend = (cardNo: string, expiresAt: string) => post(`/v1/sales/prepaid-cards/${cardNo}/extend`, { expiresAt }, { key: null });
const revoke = (cardNo: string) => post(`/v1/sales/prepaid-cards/${cardNo}/revoke`, {}, { key: null });

async function batch(body: Record<string, unknown> = {}): Promise<Batch> {
  const response = await issueCards({ count: 3, faceValue: cny('100.00'), validDays: 365, ...body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Batch;
}

const stored = async () => ({
  batches: await t.db.prisma.prepaidCardBatch.count(),
  cards: await t.db.prisma.prepaidCard.count(),
  vouchers: await t.db.prisma.voucher.count(),
  audit: await t.db.prisma.auditEvent.count(),
});

/** A redemption's effect, as the recharge saga leaves it: the card bound, its balance in a ledger account of its own. */
async function bind(cardNo: string, accountId: string, expiresAt: Date) {
  const card = await t.db.prisma.prepaidCard.update({ where: { cardNo }, data: { status: 'bound', accountId, boundAt: t.clock.now(), expiresAt } });
  const amount = Money.ofMinor(card.faceValueMinor, 'CNY');
  const entry = prepaidCardRechargeEntry({ rechargeId: randomUUID(), billingAccountId: accountId, cardId: card.id, amount });
  const key = customerPrepaidCard(accountId, card.id, 'CNY').key;
  await inTransaction(t.services.prisma, (tx) => postEntries(tx, [{ entry, accountId, occurredAt: t.clock.now(), sourceTerms: new Map([[key, { expiresAt }]]) }], t.clock.now()), {
    isolation: Prisma.TransactionIsolationLevel.ReadCommitted,
  });
  return { card, ledgerKey: key };
}

/** The signals a workflow has received so far (there is no worker here: they wait in its history). */
async function signalsOf(workflowId: string): Promise<string[]> {
  const history = await t.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => (event.workflowExecutionSignaledEventAttributes ? [event.workflowExecutionSignaledEventAttributes.signalName ?? ''] : []));
}

describe('issuing prepaid cards', () => {
  it('shows each secret once, in print form, and stores only a keyed hash of it, nowhere the secret itself', async () => {
    const response = await issueCards({ count: 5, faceValue: cny('100.00'), validDays: 365, note: 'trade show' });
    expect(response.statusCode).toBe(201);
    const body = response.json() as Batch;
    expect(body).toMatchObject({ count: 5, faceValue: cny('100.00'), validDays: 365, expiresAt: null, note: 'trade show', lifetimes: { started: 5, starting: 0, failed: 0 } });
    expect(body.cards).toHaveLength(5);
    for (const card of body.cards) {
      expect(card).toEqual({ cardNo: expect.any(String), secret: expect.stringMatching(/^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/), faceValue: cny('100.00'), expiresAt: null, validDays: 365 });
      const row = await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo: card.cardNo } });
      expect(row).toMatchObject({ status: 'issued', batchId: body.batchId, faceValueMinor: 10000n, currency: 'CNY', expiresAt: null, accountId: null });
      expect(row.secretHash).toBe(hashCardSecret(card.cardNo, card.secret));
      expect(verifyCardSecret(card.cardNo, card.secret.toLowerCase(), row.secretHash)).toBe(true);
      const canonical = normalizeCardSecret(card.secret)!;
      const rowText = JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
      expect(rowText).not.toContain(canonical);
      expect(rowText).not.toContain(card.secret);
      // Nor anywhere else a response or an event is kept.
      const leaks = await t.db.prisma.$queryRaw<{ hits: bigint }[]>`
        SELECT (SELECT count(*) FROM idempotency_records WHERE response_body LIKE ${`%${canonical.slice(0, 4)}-${canonical.slice(4, 8)}%`} OR response_body LIKE ${`%${canonical}%`})
             + (SELECT count(*) FROM audit_events WHERE details::text LIKE ${`%${canonical.slice(0, 4)}-${canonical.slice(4, 8)}%`} OR details::text LIKE ${`%${canonical}%`})
             + (SELECT count(*) FROM prepaid_card_batches WHERE coalesce(note, '') LIKE ${`%${canonical}%`}) AS hits`;
      expect(leaks[0]?.hits).toBe(0n);
    }
    const events = await t.db.prisma.auditEvent.findMany({ where: { targetType: 'prepaid_card_batch', targetId: body.batchId } });
    expect(events).toEqual([
      expect.objectContaining({
        actorId: sales.userId,
        action: 'prepaid_cards.issued',
        details: { count: 5, faceValue: '100.00', currency: 'CNY', expiresAt: null, validDays: 365, note: 'trade show' },
      }),
    ]);
  });

  it('numbers every card with 16 digits and a valid Luhn check digit, all different', async () => {
    const { cards } = await batch({ count: 50 });
    expect(cards.every((card) => /^[1-9][0-9]{15}$/.test(card.cardNo) && isValidCardNumber(card.cardNo))).toBe(true);
    expect(new Set(cards.map((card) => card.cardNo)).size).toBe(50);
    expect(new Set(cards.map((card) => card.secret)).size).toBe(50);
  });

  it("starts each card's lifetime workflow, prepaid-card/<cardNo>, with its fixed end date", async () => {
    const expiresAt = inDays(90);
    const { cards } = await batch({ count: 2, validDays: undefined, expiresAt });
    expect(cards.every((card) => card.expiresAt === expiresAt && card.validDays === null)).toBe(true);
    for (const card of cards) {
      const description = await t.temporal.client.workflow.getHandle(`prepaid-card/${card.cardNo}`).describe();
      expect(description.type).toBe('balanceSourceLifetime');
      expect(description.status.name).toBe('RUNNING');
      expect(description.taskQueue).toBe(t.temporal.taskQueue);
      const row = await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo: card.cardNo } });
      expect(row.expiresAt?.toISOString()).toBe(expiresAt);
    }
  });

  it('issues 500 cards in one request, each with its lifetime started', async () => {
    const started = performance.now();
    const response = await issueCards({ count: 500, faceValue: cny('50.00'), validDays: 180 });
    const elapsed = performance.now() - started;
    console.info(`issued 500 prepaid cards (insert, hashes, 500 workflow starts) in ${Math.round(elapsed)} ms`);
    expect(response.statusCode).toBe(201);
    const body = response.json() as Batch;
    expect(body.cards).toHaveLength(500);
    expect(body.lifetimes).toEqual({ started: 500, starting: 0, failed: 0 });
    expect(new Set(body.cards.map((card) => card.cardNo)).size).toBe(500);
    expect(body.cards.every((card) => isValidCardNumber(card.cardNo))).toBe(true);
    expect(await t.db.prisma.prepaidCard.count({ where: { batchId: body.batchId } })).toBe(500);
    const last = body.cards.at(-1)!;
    expect((await t.temporal.client.workflow.getHandle(`prepaid-card/${last.cardNo}`).describe()).status.name).toBe('RUNNING');
  });

  it('issues nothing twice for a retried request: the same key answers 409 naming the batch, since secrets are never shown again', async () => {
    const key = randomUUID();
    const body = { count: 2, faceValue: cny('10.00'), validDays: 30 };
    const first = await issueCards(body, { key });
    expect(first.statusCode).toBe(201);
    const before = await stored();
    const again = await issueCards(body, { key });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ type: 'urn:billing-center:problem:prepaid-card-batch-already-issued' });
    expect(again.json().detail).toContain(first.json().batchId);
    expect(again.body).not.toContain(first.json().cards[0].secret);
    const other = await issueCards({ ...body, count: 3 }, { key });
    expect(other.statusCode).toBe(409);
    expect(other.json().type).toBe('urn:billing-center:problem:idempotency-key-reused');
    expect(await stored()).toEqual(before);
  });

  it('issues one batch when the same request races itself with one key', async () => {
    const key = randomUUID();
    const body = { count: 20, faceValue: cny('10.00'), validDays: 30 };
    const before = await stored();
    const answers = await Promise.all([issueCards(body, { key }), issueCards(body, { key }), issueCards(body, { key })]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409, 409]);
    expect((await stored()).cards - before.cards).toBe(20);
  });

  it('wants an Idempotency-Key (it starts workflows)', async () => {
    const before = await stored();
    const response = await issueCards({ count: 1, faceValue: cny('10.00'), validDays: 30 }, { key: null });
    expect(response.statusCode).toBe(400);
    expect(response.json().type).toBe('urn:billing-center:problem:idempotency-key-required');
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['count 0', { count: 0 }, '/body/count'],
    ['count 10,001', { count: 10_001 }, '/body/count'],
    ['a count that is not a whole number', { count: 1.5 }, '/body/count'],
    ['an amount with one decimal', { faceValue: cny('100.0') }, '/body/faceValue/amount'],
    ['an amount with three decimals', { faceValue: cny('100.001') }, '/body/faceValue/amount'],
    ['an amount as a number', { faceValue: { amount: 100, currency: 'CNY' } }, '/body/faceValue/amount'],
    ['a negative amount', { faceValue: cny('-1.00') }, '/body/faceValue/amount'],
    ['a zero face value', { faceValue: cny('0.00') }, '/body/faceValue/amount'],
    ['an unknown currency', { faceValue: { amount: '100.00', currency: 'EUR' } }, '/body/faceValue/currency'],
    ['both validDays and expiresAt', { expiresAt: '2099-01-01T00:00:00Z' }, '/body/expiresAt'],
    ['neither validDays nor expiresAt', { validDays: undefined }, '/body/validDays'],
    ['validDays 0', { validDays: 0 }, '/body/validDays'],
    ['validDays 3,651', { validDays: 3651 }, '/body/validDays'],
    ['an end date in the past', { validDays: undefined, expiresAt: '2020-01-01T00:00:00Z' }, '/body/expiresAt'],
    ['an end date more than ten years ahead', { validDays: undefined, expiresAt: 'TEN_YEARS' }, '/body/expiresAt'],
    ['an end date that is no RFC 3339 time', { validDays: undefined, expiresAt: 'next tuesday' }, '/body/expiresAt'],
    ['a note of 501 characters', { note: 'x'.repeat(501) }, '/body/note'],
    ['a field the API does not know', { colour: 'gold' }, '/body/colour'],
  ])('refuses %s with 400 and stores nothing', async (_case, change, path) => {
    const before = await stored();
    const body: Record<string, unknown> = { count: 2, faceValue: cny('100.00'), validDays: 365, ...change };
    if (body.expiresAt === 'TEN_YEARS') body.expiresAt = inDays(3651);
    const response = await issueCards(body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(await stored()).toEqual(before);
  });
});

describe('listing prepaid cards', () => {
  it('pages through a batch newest first without repeats, and never shows a secret or its hash', async () => {
    const issued = await batch({ count: 5 });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get(`/v1/sales/prepaid-cards?batchId=${issued.batchId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toMatch(/secret/i);
      for (const card of issued.cards) expect(response.body).not.toContain(card.secret);
      const body = response.json() as { items: { cardNo: string; batchId: string; status: string; validDays: number }[]; nextCursor: string | null };
      expect(body.items.every((item) => item.batchId === issued.batchId && item.status === 'issued' && item.validDays === 365)).toBe(true);
      seen.push(...body.items.map((item) => item.cardNo));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(issued.cards.map((card) => card.cardNo).sort());
  });

  it('filters by status', async () => {
    const issued = await batch({ count: 2 });
    expect((await revoke(issued.cards[0]!.cardNo)).statusCode).toBe(200);
    const response = await get(`/v1/sales/prepaid-cards?batchId=${issued.batchId}&status=revoked`);
    expect(response.json().items.map((item: { cardNo: string }) => item.cardNo)).toEqual([issued.cards[0]!.cardNo]);
  });

  it.each([
    ['a cursor it never gave out', 'cursor=bm9wZQ'],
    ['a batch id that is no UUID', 'batchId=batch-1'],
    ['an unknown status', 'status=lost'],
    ['limit 201', 'limit=201'],
  ])('refuses %s with 400', async (_case, query) => {
    expect((await get(`/v1/sales/prepaid-cards?${query}`)).statusCode).toBe(400);
  });
});

describe('extending a prepaid card', () => {
  it('moves a bound card and its ledger account to the new expiry, tells its workflow, and audits it', async () => {
    const { cards } = await batch({ count: 1 });
    const cardNo = cards[0]!.cardNo;
    const { accountId } = await t.customer();
    const { card, ledgerKey } = await bind(cardNo, accountId, new Date(inDays(30)));
    const to = inDays(400);
    const response = await extend(cardNo, to);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ cardNo, status: 'bound', expiresAt: to, accountId });
    expect((await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo } })).expiresAt?.toISOString()).toBe(to);
    expect((await t.db.prisma.ledgerAccount.findUniqueOrThrow({ where: { key: ledgerKey } })).expiresAt?.toISOString()).toBe(to);
    expect(await signalsOf(`prepaid-card/${cardNo}`)).toEqual(['sourceExtended']);
    const events = await t.db.prisma.auditEvent.findMany({ where: { targetType: 'prepaid_card', targetId: cardNo } });
    expect(events).toEqual([
      expect.objectContaining({ actorId: sales.userId, action: 'prepaid_card.extended', details: expect.objectContaining({ cardId: card.id, status: 'bound', to }) }),
    ]);
  });

  it('moves an unused card with a fixed end date, to a later or an earlier future instant (even within the 3-day warning)', async () => {
    const { cards } = await batch({ count: 1, validDays: undefined, expiresAt: inDays(60) });
    const cardNo = cards[0]!.cardNo;
    for (const to of [inDays(120), inDays(1)]) {
      const response = await extend(cardNo, to);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ status: 'issued', expiresAt: to });
    }
    expect(await signalsOf(`prepaid-card/${cardNo}`)).toEqual(['sourceExtended', 'sourceExtended']);
    expect(await t.db.prisma.auditEvent.count({ where: { targetType: 'prepaid_card', targetId: cardNo, action: 'prepaid_card.extended' } })).toBe(2);
  });

  it('lets an admin do it too', async () => {
    const { cards } = await batch({ count: 1, validDays: undefined, expiresAt: inDays(60) });
    const response = await post(`/v1/sales/prepaid-cards/${cards[0]!.cardNo}/extend`, { expiresAt: inDays(90) }, { token: admin.token, key: null });
    expect(response.statusCode).toBe(200);
  });

  it('refuses an unused card valid for days from activation: it has no expiry yet (409)', async () => {
    const { cards } = await batch({ count: 1, validDays: 30 });
    const response = await extend(cards[0]!.cardNo, inDays(90));
    expect(response.statusCode).toBe(409);
    expect(response.json().type).toBe('urn:billing-center:problem:prepaid-card-not-activated');
  });

  it('refuses a revoked or expired card (409), and a card whose expiry has passed but is not yet cleared', async () => {
    const { cards } = await batch({ count: 3, validDays: undefined, expiresAt: inDays(1 / 24) });
    const [revoked, expired, lapsed] = cards.map((card) => card.cardNo) as [string, string, string];
    expect((await revoke(revoked)).statusCode).toBe(200);
    await t.db.prisma.prepaidCard.update({ where: { cardNo: expired }, data: { status: 'expired' } });
    const before = await stored();
    expect((await extend(revoked, inDays(90))).json()).toMatchObject({ status: 409, type: 'urn:billing-center:problem:prepaid-card-revoked' });
    expect((await extend(expired, inDays(90))).json()).toMatchObject({ status: 409, type: 'urn:billing-center:problem:prepaid-card-expired' });
    t.clock.advance(2 * 3_600_000); // past the end, within the session's lifetime
    try {
      expect((await extend(lapsed, inDays(90))).json()).toMatchObject({ status: 409, type: 'urn:billing-center:problem:prepaid-card-expired' });
    } finally {
      t.clock.advance(-2 * 3_600_000);
    }
    expect(await stored()).toEqual(before);
    expect((await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo: lapsed } })).expiresAt?.toISOString()).toBe(cards[2]!.expiresAt);
  });

  it('refuses a time in the past or more than ten years ahead (400), and an unknown card (404)', async () => {
    const { cards } = await batch({ count: 1, validDays: undefined, expiresAt: inDays(60) });
    const cardNo = cards[0]!.cardNo;
    expect((await extend(cardNo, '2020-01-01T00:00:00Z')).statusCode).toBe(400);
    expect((await extend(cardNo, t.clock.now().toISOString())).statusCode).toBe(400);
    expect((await extend(cardNo, inDays(3651))).statusCode).toBe(400);
    expect((await extend(cardNo, 'soon')).statusCode).toBe(400);
    expect((await extend('4111111111111111', inDays(90))).statusCode).toBe(404);
    expect((await extend('41111111', inDays(90))).statusCode).toBe(400);
    expect((await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo } })).expiresAt?.toISOString()).toBe(cards[0]!.expiresAt);
  });
});

describe('revoking a prepaid card', () => {
  it('revokes an unused card, tells its workflow, audits it, and answers the same to a retry without doing it twice', async () => {
    const { cards } = await batch({ count: 1 });
    const cardNo = cards[0]!.cardNo;
    const response = await post(`/v1/sales/prepaid-cards/${cardNo}/revoke`, { reason: 'lost in the post' }, { key: null });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ cardNo, status: 'revoked' });
    expect((await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo } })).status).toBe('revoked');
    expect(await signalsOf(`prepaid-card/${cardNo}`)).toEqual(['sourceRevoked']);
    const again = await revoke(cardNo);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ cardNo, status: 'revoked' });
    const events = await t.db.prisma.auditEvent.findMany({ where: { targetType: 'prepaid_card', targetId: cardNo } });
    expect(events).toEqual([expect.objectContaining({ actorId: sales.userId, action: 'prepaid_card.revoked', details: expect.objectContaining({ reason: 'lost in the post' }) })]);
  });

  it('takes a revocation without a body, or with an empty one', async () => {
    const { cards } = await batch({ count: 2 });
    const bare = await t.app.inject({ method: 'POST', url: `/v1/sales/prepaid-cards/${cards[0]!.cardNo}/revoke`, headers: bearer(sales.token) });
    expect(bare.statusCode, bare.body).toBe(200);
    expect((await revoke(cards[1]!.cardNo)).statusCode).toBe(200);
    const unknownField = await post(`/v1/sales/prepaid-cards/${cards[1]!.cardNo}/revoke`, { why: 'x' }, { key: null });
    expect(unknownField.statusCode).toBe(400);
  });

  it('refuses a bound card, an expired card, and a card being redeemed (409), and an unknown card (404)', async () => {
    const { cards } = await batch({ count: 3 });
    const [bound, expired, redeeming] = cards.map((card) => card.cardNo) as [string, string, string];
    const { accountId } = await t.customer();
    await bind(bound, accountId, new Date(inDays(30)));
    await t.db.prisma.prepaidCard.update({ where: { cardNo: expired }, data: { status: 'expired' } });
    await t.db.prisma.prepaidCard.update({ where: { cardNo: redeeming }, data: { rechargeId: randomUUID() } });
    const before = await stored();
    expect((await revoke(bound)).json()).toMatchObject({ status: 409, type: 'urn:billing-center:problem:prepaid-card-bound' });
    expect((await revoke(expired)).json()).toMatchObject({ status: 409, type: 'urn:billing-center:problem:prepaid-card-expired' });
    expect((await revoke(redeeming)).json()).toMatchObject({ status: 409, type: 'urn:billing-center:problem:prepaid-card-being-redeemed' });
    expect((await revoke('4111111111111111')).statusCode).toBe(404);
    expect(await stored()).toEqual(before);
    expect((await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo: redeeming } })).status).toBe('issued');
  });
});

describe('issuing vouchers', () => {
  it('issues vouchers with their terms, audits the issue, and starts each voucher/<code> lifetime', async () => {
    const { accountId } = await t.customer();
    const validFrom = inDays(1);
    const validUntil = inDays(31);
    const response = await issueVouchers({
      count: 3,
      faceValue: cny('20.00'),
      validFrom,
      validUntil,
      minSpend: cny('100.00'),
      scope: ['logs.ingest', 'metrics.series'],
      accountId,
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json() as { issueId: string; lifetimes: object; vouchers: { id: string; code: string }[] };
    expect(body.lifetimes).toEqual({ started: 3, starting: 0, failed: 0 });
    expect(body.vouchers).toHaveLength(3);
    for (const voucher of body.vouchers) {
      expect(voucher).toMatchObject({
        faceValue: cny('20.00'),
        validFrom,
        validUntil,
        minSpend: cny('100.00'),
        scope: ['logs.ingest', 'metrics.series'],
        accountId,
        status: 'issued',
        redeemedAccountId: null,
      });
      expect(isValidVoucherCode(voucher.code)).toBe(true);
      const row = await t.db.prisma.voucher.findUniqueOrThrow({ where: { id: voucher.id } });
      expect(row).toMatchObject({ code: voucher.code, faceValueMinor: 2000n, minSpendMinor: 10000n, targetAccountId: accountId, createdById: sales.userId, status: 'issued' });
      const description = await t.temporal.client.workflow.getHandle(`voucher/${voucher.code}`).describe();
      expect(description.status.name).toBe('RUNNING');
    }
    expect(new Set(body.vouchers.map((voucher) => voucher.code)).size).toBe(3);
    const events = await t.db.prisma.auditEvent.findMany({ where: { targetType: 'voucher_issue', targetId: body.issueId } });
    expect(events).toEqual([
      expect.objectContaining({
        actorId: sales.userId,
        action: 'vouchers.issued',
        details: expect.objectContaining({ count: 3, faceValue: '20.00', currency: 'CNY', accountId, voucherIds: body.vouchers.map((voucher) => voucher.id) }),
      }),
    ]);
  });

  it('issues vouchers for anyone, valid from now, when no account or start is given', async () => {
    const response = await issueVouchers({ count: 1, faceValue: cny('5.00'), validUntil: inDays(10) });
    expect(response.statusCode).toBe(201);
    const voucher = response.json().vouchers[0];
    expect(voucher).toMatchObject({ accountId: null, minSpend: null, scope: [] });
    expect(Math.abs(Date.parse(voucher.validFrom) - t.clock.now().getTime())).toBeLessThan(60_000);
  });

  it('answers a retried request with the same vouchers and issues nothing more', async () => {
    const key = randomUUID();
    const body = { count: 2, faceValue: cny('5.00'), validUntil: inDays(10) };
    const first = await issueVouchers(body, { key });
    expect(first.statusCode).toBe(201);
    const before = await stored();
    const again = await issueVouchers(body, { key });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().vouchers.map((voucher: { code: string }) => voucher.code)).toEqual(first.json().vouchers.map((voucher: { code: string }) => voucher.code));
    expect(await stored()).toEqual(before);
    const other = await issueVouchers({ ...body, count: 3 }, { key });
    expect(other.json()).toMatchObject({ status: 409, type: 'urn:billing-center:problem:idempotency-key-reused' });
  });

  it('refuses a voucher for an unknown account (404) or one billed in another currency (422), storing nothing', async () => {
    const register = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: `usd-${randomUUID()}@example.com`, password: STRONG_PASSWORD, name: 'Dollar Customer', currency: 'USD' },
      remoteAddress: '10.252.0.9',
    });
    const usdAccount = register.json().account.id as string;
    const before = await stored();
    const unknown = await issueVouchers({ count: 1, faceValue: cny('5.00'), validUntil: inDays(10), accountId: randomUUID() });
    expect(unknown.statusCode).toBe(404);
    const mismatch = await issueVouchers({ count: 1, faceValue: cny('5.00'), validUntil: inDays(10), accountId: usdAccount });
    expect(mismatch.json()).toMatchObject({ status: 422, type: 'urn:billing-center:problem:currency-mismatch' });
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['count 0', { count: 0 }, '/body/count'],
    ['count 10,001', { count: 10_001 }, '/body/count'],
    ['an amount with one decimal', { faceValue: cny('10.5') }, '/body/faceValue/amount'],
    ['an amount without decimals', { faceValue: cny('10') }, '/body/faceValue/amount'],
    ['a zero face value', { faceValue: cny('0.00') }, '/body/faceValue/amount'],
    ['an unknown currency', { faceValue: { amount: '10.00', currency: 'XYZ' } }, '/body/faceValue/currency'],
    ['a minimum spend in another currency', { minSpend: { amount: '10.00', currency: 'USD' } }, '/body/minSpend/currency'],
    ['a minimum spend with three decimals', { minSpend: cny('10.000') }, '/body/minSpend/amount'],
    ['validUntil before validFrom', { validFrom: 'IN_20_DAYS' }, '/body/validUntil'],
    ['validUntil equal to validFrom', { validFrom: 'SAME' }, '/body/validUntil'],
    ['validUntil in the past', { validUntil: '2020-01-01T00:00:00Z' }, '/body/validUntil'],
    ['validUntil more than ten years ahead', { validUntil: 'TEN_YEARS' }, '/body/validUntil'],
    ['no validUntil', { validUntil: undefined }, '/body/validUntil'],
    ['a validFrom that is no time', { validFrom: 'yesterday' }, '/body/validFrom'],
    ['51 scope items', { scope: Array.from({ length: 51 }, (_, index) => `item.${index}`) }, '/body/scope'],
    ['a scope item twice', { scope: ['logs.ingest', 'logs.ingest'] }, '/body/scope'],
    ['an empty scope item', { scope: [''] }, '/body/scope/0'],
    ['an account id that is no UUID', { accountId: 'acct-1' }, '/body/accountId'],
  ])('refuses %s with 400 and stores nothing', async (_case, change, path) => {
    const before = await stored();
    const body: Record<string, unknown> = { count: 2, faceValue: cny('10.00'), validUntil: inDays(10), ...change };
    if (body.validFrom === 'IN_20_DAYS') body.validFrom = inDays(20);
    if (body.validFrom === 'SAME') body.validFrom = body.validUntil;
    if (body.validUntil === 'TEN_YEARS') body.validUntil = inDays(3651);
    const response = await issueVouchers(body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(await stored()).toEqual(before);
  });
});

describe('listing vouchers', () => {
  it("pages newest first and filters by an account's vouchers and by status", async () => {
    const { accountId } = await t.customer();
    const issued = (await issueVouchers({ count: 3, faceValue: cny('5.00'), validUntil: inDays(10), accountId })).json().vouchers as { id: string }[];
    await t.db.prisma.voucher.update({ where: { id: issued[0]!.id }, data: { status: 'redeemed', accountId, targetAccountId: null } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`/v1/sales/vouchers?accountId=${accountId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      seen.push(...response.json().items.map((item: { id: string }) => item.id));
      cursor = response.json().nextCursor;
    } while (cursor !== null);
    expect(seen.sort()).toEqual(issued.map((voucher) => voucher.id).sort());
    const redeemed = await get(`/v1/sales/vouchers?accountId=${accountId}&status=redeemed`);
    expect(redeemed.json().items).toEqual([expect.objectContaining({ id: issued[0]!.id, status: 'redeemed', redeemedAccountId: accountId, accountId: null })]);
    expect((await get('/v1/sales/vouchers?status=lost')).statusCode).toBe(400);
  });
});

describe('who may use the sales routes', () => {
  it('refuses customers, support and finance (403) and anonymous callers (401), before anything is done', async () => {
    const { cards } = await batch({ count: 1, validDays: undefined, expiresAt: inDays(60) });
    const cardNo = cards[0]!.cardNo;
    const callers = [
      ['customer', (await t.customer()).token],
      ['support', (await t.staff(['support'])).token],
      ['finance', (await t.staff(['finance'])).token],
    ] as const;
    const before = await stored();
    const requests = [
      { method: 'POST', url: '/v1/sales/prepaid-card-batches', payload: { count: 1, faceValue: cny('1.00'), validDays: 1 } },
      { method: 'GET', url: '/v1/sales/prepaid-cards' },
      { method: 'POST', url: `/v1/sales/prepaid-cards/${cardNo}/extend`, payload: { expiresAt: inDays(90) } },
      { method: 'POST', url: `/v1/sales/prepaid-cards/${cardNo}/revoke`, payload: {} },
      { method: 'POST', url: '/v1/sales/vouchers', payload: { count: 1, faceValue: cny('1.00'), validUntil: inDays(5) } },
      { method: 'GET', url: '/v1/sales/vouchers' },
    ] as const;
    for (const request of requests) {
      for (const [, token] of callers) {
        const response = await t.app.inject({ ...request, headers: { ...bearer(token), 'idempotency-key': randomUUID() } });
        expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
      }
      expect((await t.app.inject({ ...request, headers: { 'idempotency-key': randomUUID() } })).statusCode).toBe(401);
    }
    expect(await stored()).toEqual(before);
    expect((await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { cardNo } })).status).toBe('issued');
  });
});
