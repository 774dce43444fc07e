import { describe, expect, it } from 'vitest';
import type { BalanceSourceLifetimeInput } from '../../../workflows/balance-source-contract.js';
import { startLifetimes, startLifetimesResuming } from '../../../src/services/sales/lifetimes.js';
import type { Workflows } from '../../../src/temporal/workflows.js';

const inputs = (count: number): BalanceSourceLifetimeInput[] =>
  Array.from({ length: count }, (_, index) => ({ kind: 'prepaid_card', reference: `card-${index}`, sourceId: `${index}`, expiresAt: null }));

/**
 * A gateway whose starts take `delayMs` and fail for the references given; it counts how many run at once and
 * keeps what was handed over (or refuses the hand-over).
 */
function fakeGateway(options: { delayMs: number; failing?: Set<string>; handOverFails?: boolean }) {
  const seen = { inFlight: 0, maxInFlight: 0, calls: 0, handedOver: [] as { issue: string; references: string[] }[] };
  const workflows = {
    async startBalanceSourceLifetime(input: BalanceSourceLifetimeInput) {
      seen.calls++;
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      seen.inFlight--;
      if (options.failing?.has(input.reference)) throw new Error(`Temporal refused ${input.reference}`);
    },
    async handOverLifetimeStarts(issue: string, items: readonly BalanceSourceLifetimeInput[]) {
      if (options.handOverFails) throw new Error('Temporal unreachable');
      seen.handedOver.push({ issue, references: items.map((item) => item.reference) });
    },
  } as unknown as Workflows;
  return { workflows, seen };
}

function recordingLog() {
  const lines: { details: Record<string, unknown>; message: string }[] = [];
  return { lines, log: { error: (details: object, message: string) => void lines.push({ details: details as Record<string, unknown>, message }) } };
}

const issue = 'prepaid-card-batch/b-1';

describe('starting lifetime workflows', () => {
  it('starts every one, never more than the concurrency at once', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 2 });
    const { log, lines } = recordingLog();
    const result = await startLifetimes(workflows, inputs(200), { log, issue, context: {}, concurrency: 7 });
    expect(result).toEqual({ started: 200, starting: 0, failed: 0 });
    expect(seen.calls).toBe(200);
    expect(seen.maxInFlight).toBe(7);
    expect(seen.handedOver).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('logs the ones that fail, tries all the others, and hands the failed ones over to a durable workflow', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 1, failing: new Set(['card-3', 'card-17']) });
    const { log, lines } = recordingLog();
    const result = await startLifetimes(workflows, inputs(20), { log, issue, context: { batchId: 'b-1' }, concurrency: 4 });
    expect(result).toEqual({ started: 18, starting: 2, failed: 0 });
    expect(seen.calls).toBe(20);
    expect(seen.handedOver).toEqual([{ issue, references: expect.arrayContaining(['card-3', 'card-17']) }]);
    expect(seen.handedOver[0]!.references).toHaveLength(2);
    expect(lines.map((line) => line.details.reference).sort()).toEqual(['card-17', 'card-3']);
    expect(lines.every((line) => line.details.batchId === 'b-1')).toBe(true);
  });

  it('answers when its time budget runs out, handing the rest over instead of going on in this process', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 20 });
    const { log } = recordingLog();
    const result = await startLifetimes(workflows, inputs(10), { log, issue, context: {}, concurrency: 1, budgetMs: 50 });
    expect(result.started).toBeGreaterThan(0);
    expect(result.starting).toBeGreaterThan(0);
    expect(result.started + result.starting).toBe(10);
    expect(result.failed).toBe(0);
    // Exactly the ones not started, in order, went to the hand-over; nothing more runs here after the answer.
    expect(seen.handedOver).toEqual([{ issue, references: inputs(10).slice(result.started).map((input) => input.reference) }]);
    const callsAtAnswer = seen.calls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.calls).toBe(callsAtAnswer);
  });

  it('counts as failed, and logs, what it could neither start nor hand over', async () => {
    const { workflows } = fakeGateway({ delayMs: 1, failing: new Set(['card-1']), handOverFails: true });
    const { log, lines } = recordingLog();
    const result = await startLifetimes(workflows, inputs(4), { log, issue, context: {}, budgetMs: 10_000 });
    expect(result).toEqual({ started: 3, starting: 0, failed: 1 });
    expect(lines.at(-1)).toMatchObject({ details: { count: 1 }, message: expect.stringContaining('Idempotency-Key') });
  });

  it('does nothing for nothing', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 1 });
    expect(await startLifetimes(workflows, [], { log: recordingLog().log, issue, context: {} })).toEqual({ started: 0, starting: 0, failed: 0 });
    expect(seen.calls).toBe(0);
    expect(seen.handedOver).toEqual([]);
  });
});

describe('the durable starts of handed-over lifetimes', () => {
  it('start each one from where the last attempt reported it got, and report progress as they go', async () => {
    const started: string[] = [];
    const workflows = { startBalanceSourceLifetime: async (input: BalanceSourceLifetimeInput) => void started.push(input.reference) } as unknown as Workflows;
    const reached: number[] = [];
    await startLifetimesResuming(workflows, inputs(45), { from: 20, reached: (done) => reached.push(done) });
    expect(started).toEqual(inputs(45).slice(20).map((input) => input.reference));
    expect(reached).toEqual([40, 45]);
  });

  it('throw when a start fails, so the activity is retried, having reported only the groups that all started', async () => {
    const workflows = {
      startBalanceSourceLifetime: async (input: BalanceSourceLifetimeInput) => {
        if (input.reference === 'card-25') throw new Error('Temporal refused card-25');
      },
    } as unknown as Workflows;
    const reached: number[] = [];
    await expect(startLifetimesResuming(workflows, inputs(45), { from: 0, reached: (done) => reached.push(done) })).rejects.toThrow('card-25');
    expect(reached).toEqual([20]);
  });
});
