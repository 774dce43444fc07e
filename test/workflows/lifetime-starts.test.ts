import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLifetimes } from '../../src/services/sales/lifetimes.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { recordHistory } from '../support/histories.js';
import { issueCard } from '../support/sales.js';

/**
 * An issuing request that runs out of time hands the remaining lifetime starts to Temporal, so they happen even
 * if the API process that answered dies right after.
 */

let t: TestApp;
let salesId: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.startWorker();
  salesId = (await t.staff(['sales'])).userId;
});
afterAll(async () => {
  await t.close();
});

describe('lifetime starts handed over by an issuing request', () => {
  it('are started by a lifetime-starts workflow, each card then running its own lifetime', async () => {
    const cards = [];
    for (let i = 0; i < 3; i++) cards.push(await issueCard(t.db.prisma, { faceValue: 10_000n, validDays: 30, createdById: salesId }));
    const items = cards.map((card) => ({ kind: 'prepaid_card' as const, reference: card.cardNo, sourceId: card.id, expiresAt: null }));
    const errors: unknown[] = [];

    // No time at all: everything is handed over, nothing is started by the request itself.
    const result = await startLifetimes(t.workflows, items, { log: { error: (details) => errors.push(details) }, issue: 'prepaid-card-batch/test', context: {}, budgetMs: 0 });
    expect(result).toEqual({ started: 0, starting: 3, failed: 0 });
    expect(errors).toEqual([]);

    const handOver = t.temporal.client.workflow.getHandle(`lifetime-starts/prepaid-card-batch/test/${cards[0]!.cardNo}`);
    await handOver.result();
    expect((await handOver.describe()).type).toBe('lifetimeStarts');
    await recordHistory(handOver, 'lifetime-starts');
    for (const card of cards) {
      const lifetime = await t.temporal.client.workflow.getHandle(`prepaid-card/${card.cardNo}`).describe();
      expect(lifetime.type).toBe('balanceSourceLifetime');
      expect(lifetime.status.name).toBe('RUNNING');
    }
  });
});
