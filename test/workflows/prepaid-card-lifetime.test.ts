import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { chargePendingUsage } from '../../src/services/usage/charge.js';
import { ingestUsage } from '../../src/services/usage/ingest.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { sourceBalances } from '../support/ledger.js';
import { issueCard, issueVoucher } from '../support/sales.js';
import { recordHistory } from '../support/histories.js';

/**
 * A prepaid card's life on the time-skipping server: 30 days pass in seconds. The service's clock is set to
 * the server's, so the card's expiry and the workflow's timers speak of the same instants.
 */

const DAY = 86_400_000;
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

async function redeemedCard(faceValue: bigint, validDays = 30) {
  const c = await t.customer();
  const card = await issueCard(t.db.prisma, { faceValue, validDays, createdById: salesId });
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/recharges',
    headers: { ...bearer(c.token), 'idempotency-key': randomUUID() },
    payload: { method: 'prepaid_card', cardNo: card.cardNo, secret: card.secret },
  });
  expect(response.statusCode).toBe(201);
  const bound = await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { id: card.id } });
  return { c, card, boundAt: bound.boundAt!.getTime(), expiresAt: bound.expiresAt!.getTime() };
}

async function spend(accountId: string, amount: string) {
  const workspaceId = `ws-${randomUUID()}`;
  await t.db.prisma.workspace.create({ data: { id: workspaceId, site: 's1', name: 'W', accountId } });
  await ingestUsage(t.services, [
    { id: randomUUID(), workspaceId, site: 's1', item: 'logs', unit: 'GB', periodStart: '2026-11-01T00:00:00Z', periodEnd: '2026-11-01T01:00:00Z', amount: { amount, currency: 'CNY' } },
  ]);
  await chargePendingUsage(t.services, accountId);
}

/**
 * When (workflow time) each activity of the lifetime ran, by activity type: regular activities by their
 * scheduled event, local ones (the clearing) by the marker that records their result.
 */
async function activityTimes(workflowId: string): Promise<Record<string, number[]>> {
  const history = await t.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const times: Record<string, number[]> = {};
  for (const event of history.events ?? []) {
    const at = Number(event.eventTime?.seconds ?? 0) * 1000;
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) (times[type] ??= []).push(at);
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') {
      const data = marker.details?.data?.payloads?.[0]?.data;
      const localType = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type : undefined;
      if (localType) (times[localType] ??= []).push(at);
    }
  }
  return times;
}

const warnings = (cardNo: string) =>
  t.db.prisma.outboxMessage.findMany({ where: { businessKey: { startsWith: `card-expiry-warning/${cardNo}/` } }, orderBy: { id: 'asc' } });

describe('a prepaid card with 30 days of validity', () => {
  it('is warned about at day 27 and cleared at day 30 with exactly what remains after usage', async () => {
    const { c, card, boundAt, expiresAt } = await redeemedCard(20_000n);
    expect(expiresAt - boundAt).toBe(30 * DAY);
    await spend(c.accountId, '30.00'); // the card pays first: 170.00 remains

    await expect(t.temporal.workflow.result(`prepaid-card/${card.cardNo}`)).resolves.toBe('expired');

    const times = await activityTimes(`prepaid-card/${card.cardNo}`);
    expect(times.warnBalanceSourceExpiry).toHaveLength(1);
    expect(Math.abs(times.warnBalanceSourceExpiry![0]! - (expiresAt - 3 * DAY))).toBeLessThan(2000);
    expect(Math.abs(times.expireBalanceSource![0]! - expiresAt)).toBeLessThan(2000);

    const sent = await warnings(card.cardNo);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.businessKey).toBe(`card-expiry-warning/${card.cardNo}/${new Date(expiresAt).toISOString()}`);
    expect(sent[0]?.body).toContain('170.00 CNY');
    expect(sent[0]?.sentAt).toBeInstanceOf(Date);
    // Delivered through the worker's mailer: exactly one message for this card.
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(t.mailDir!)).filter((name) => name.includes(card.cardNo));
    expect(files).toHaveLength(1);

    const expiry = await t.db.prisma.journalEntry.findUniqueOrThrow({ where: { businessKey: `prepaid-card/${card.id}/expiry` }, include: { postings: true } });
    expect(expiry.postings.map((p) => p.amountMinor).sort()).toEqual([-17_000n, 17_000n]);
    expect(await sourceBalances(t.services, c.accountId)).toEqual({ [`prepaid_card:${card.id}`]: 0n });
    expect((await t.db.prisma.prepaidCard.findUniqueOrThrow({ where: { id: card.id } })).status).toBe('expired');
    await recordHistory(t.temporal.client.workflow.getHandle(`prepaid-card/${card.cardNo}`), 'balance-source-lifetime-local-expiry');
  });

  it('moves both timers when extended at day 28, after its first warning, and warns again for the new date', async () => {
    const { c, card, boundAt, expiresAt } = await redeemedCard(10_000n);
    await t.temporal.skip(28 * DAY);
    expect(await warnings(card.cardNo)).toHaveLength(1);

    const sales = await t.staff(['sales']);
    const newExpiry = new Date(boundAt + 40 * DAY);
    const extended = await t.app.inject({
      method: 'POST',
      url: `/v1/sales/prepaid-cards/${card.cardNo}/extend`,
      headers: bearer(sales.token),
      payload: { expiresAt: newExpiry.toISOString() },
    });
    expect(extended.statusCode).toBe(200);

    await expect(t.temporal.workflow.result(`prepaid-card/${card.cardNo}`)).resolves.toBe('expired');
    const times = await activityTimes(`prepaid-card/${card.cardNo}`);
    expect(times.warnBalanceSourceExpiry).toHaveLength(2);
    expect(Math.abs(times.warnBalanceSourceExpiry![1]! - (newExpiry.getTime() - 3 * DAY))).toBeLessThan(2000);
    expect(Math.abs(times.expireBalanceSource![0]! - newExpiry.getTime())).toBeLessThan(2000);
    expect(times.expireBalanceSource![0]! - expiresAt).toBeGreaterThan(9 * DAY);
    expect((await warnings(card.cardNo)).map((w) => w.businessKey)).toEqual([
      `card-expiry-warning/${card.cardNo}/${new Date(expiresAt).toISOString()}`,
      `card-expiry-warning/${card.cardNo}/${newExpiry.toISOString()}`,
    ]);
    expect(await sourceBalances(t.services, c.accountId)).toMatchObject({ [`prepaid_card:${card.id}`]: 0n });
  });

  it('ends without a warning when it was spent before expiry', async () => {
    const { c, card } = await redeemedCard(5_000n);
    await spend(c.accountId, '50.00');
    await expect(t.temporal.workflow.result(`prepaid-card/${card.cardNo}`)).resolves.toBe('expired');
    expect(await warnings(card.cardNo)).toHaveLength(0);
    expect(await t.db.prisma.journalEntry.count({ where: { businessKey: `prepaid-card/${card.id}/expiry` } })).toBe(0);
  });
});

describe('a voucher', () => {
  /** Issued as sales issue it: the row, then its lifetime (which keeps the voucher's fixed dates on its own). */
  async function issuedVoucher(options: { faceValue: bigint; validDays: number; needsWord?: boolean }) {
    const now = t.clock.now().getTime();
    const voucher = await issueVoucher(t.db.prisma, { faceValue: options.faceValue, validFrom: new Date(now - DAY), validUntil: new Date(now + options.validDays * DAY), createdById: salesId, now: new Date(now) });
    if (options.needsWord) await t.db.prisma.voucher.update({ where: { id: voucher.id }, data: { lifetimeNeedsWord: true } });
    await t.workflows.startBalanceSourceLifetime({ kind: 'voucher', reference: voucher.code, sourceId: voucher.id, expiresAt: voucher.validUntil.getTime() });
    return voucher;
  }
  const redeem = (token: string, code: string) =>
    t.app.inject({ method: 'POST', url: '/v1/recharges', headers: { ...bearer(token), 'idempotency-key': randomUUID() }, payload: { method: 'voucher', code } });
  const voucherWarnings = (code: string) => t.db.prisma.outboxMessage.findMany({ where: { businessKey: { startsWith: `voucher-expiry-warning/${code}/` } } });

  it('needs no word of its redemption: 3 days before its end its holder is warned, at its end what remains is cleared', async () => {
    const c = await t.customer();
    const voucher = await issuedVoucher({ faceValue: 3_000n, validDays: 10 });
    const redeemed = await redeem(c.token, voucher.code);
    expect(redeemed.statusCode).toBe(201);
    const recharge = t.temporal.client.workflow.getHandle(`recharge/${redeemed.json().id}`);
    await recordHistory(recharge, 'recharge-voucher-no-word');
    // The recharge was one workflow: it credited and ended, and signalled nobody.
    const events = (await recharge.fetchHistory()).events ?? [];
    expect(events.some((e) => e.markerRecordedEventAttributes?.details?.data?.payloads?.some((p) => Buffer.from(p.data ?? []).toString().includes('tellBalanceSourceBound')))).toBe(false);
    await spend(c.accountId, '12.00');

    const lifetime = `voucher/${voucher.code}`;
    await expect(t.temporal.workflow.result(lifetime)).resolves.toBe('expired');
    await recordHistory(t.temporal.client.workflow.getHandle(lifetime), 'voucher-lifetime-own-dates');
    const times = await activityTimes(lifetime);
    expect(times.warnVoucherExpiry).toHaveLength(1);
    expect(Math.abs(times.warnVoucherExpiry![0]! - (voucher.validUntil.getTime() - 3 * DAY))).toBeLessThan(2000);
    expect(times.expireVoucher).toHaveLength(1);
    expect(Math.abs(times.expireVoucher![0]! - voucher.validUntil.getTime())).toBeLessThan(2000);
    const sent = await voucherWarnings(voucher.code);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.accountId).toBe(c.accountId);
    expect(sent[0]!.body).toContain('18.00');
    const expiry = await t.db.prisma.journalEntry.findUniqueOrThrow({ where: { businessKey: `voucher/${voucher.id}/expiry` }, include: { postings: true } });
    expect(expiry.postings.map((p) => p.amountMinor).sort()).toEqual([-1_800n, 1_800n]);
    expect(await sourceBalances(t.services, c.accountId)).toEqual({ [`voucher:${voucher.id}`]: 0n });
    expect((await t.db.prisma.voucher.findUniqueOrThrow({ where: { id: voucher.id } })).status).toBe('expired');
  });

  it('ends unused, with no warning and nothing to clear, when nobody redeemed it', async () => {
    const voucher = await issuedVoucher({ faceValue: 3_000n, validDays: 5 });
    await expect(t.temporal.workflow.result(`voucher/${voucher.code}`)).resolves.toBe('expired');
    expect(await voucherWarnings(voucher.code)).toHaveLength(0);
    expect(await t.db.prisma.journalEntry.count({ where: { businessKey: `voucher/${voucher.id}/expiry` } })).toBe(0);
    expect((await t.db.prisma.voucher.findUniqueOrThrow({ where: { id: voucher.id } })).status).toBe('expired');
  });

  it('is still told of its redemption when it was issued before lifetimes kept their own dates', async () => {
    const c = await t.customer();
    const voucher = await issuedVoucher({ faceValue: 2_000n, validDays: 10, needsWord: true });
    const redeemed = await redeem(c.token, voucher.code);
    expect(redeemed.statusCode).toBe(201);
    await expect(t.temporal.workflow.result(`voucher/${voucher.code}`)).resolves.toBe('expired');
    expect(await voucherWarnings(voucher.code)).toHaveLength(1);
    const expiry = await t.db.prisma.journalEntry.findUniqueOrThrow({ where: { businessKey: `voucher/${voucher.id}/expiry` }, include: { postings: true } });
    expect(expiry.postings.map((p) => p.amountMinor).sort()).toEqual([-2_000n, 2_000n]);
  });
});
