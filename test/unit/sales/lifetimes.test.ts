import { describe, expect, it } from 'vitest';
import type { BalanceSourceLifetimeInput } from '../../../workflows/balance-source-contract.js';
import { startLifetimes } from '../../../src/services/sales/lifetimes.js';
import type { Workflows } from '../../../src/temporal/workflows.js';

const inputs = (count: number): BalanceSourceLifetimeInput[] =>
  Array.from({ length: count }, (_, index) => ({ kind: 'prepaid_card', reference: `card-${index}`, sourceId: `${index}`, expiresAt: null }));

/** A gateway whose starts take `delayMs` and fail for the references given; it counts how many run at once. */
function fakeGateway(options: { delayMs: number; failing?: Set<string> }) {
  const seen = { inFlight: 0, maxInFlight: 0, calls: 0 };
  const workflows = {
    async startBalanceSourceLifetime(input: BalanceSourceLifetimeInput) {
      seen.calls++;
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      seen.inFlight--;
      if (options.failing?.has(input.reference)) throw new Error(`Temporal refused ${input.reference}`);
    },
  } as unknown as Workflows;
  return { workflows, seen };
}

function recordingLog() {
  const lines: { details: Record<string, unknown>; message: string }[] = [];
  return { lines, log: { error: (details: object, message: string) => void lines.push({ details: details as Record<string, unknown>, message }) } };
}

describe('starting lifetime workflows', () => {
  it('starts every one, never more than the concurrency at once', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 2 });
    const { log, lines } = recordingLog();
    const result = await startLifetimes(workflows, inputs(200), { log, context: {}, concurrency: 7 });
    expect(result).toEqual({ started: 200, starting: 0, failed: 0 });
    expect(seen.calls).toBe(200);
    expect(seen.maxInFlight).toBe(7);
    expect(lines).toEqual([]);
  });

  it('counts and logs the ones that fail, and still tries all the others', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 1, failing: new Set(['card-3', 'card-17']) });
    const { log, lines } = recordingLog();
    const result = await startLifetimes(workflows, inputs(20), { log, context: { batchId: 'b-1' }, concurrency: 4 });
    expect(result).toEqual({ started: 18, starting: 0, failed: 2 });
    expect(seen.calls).toBe(20);
    expect(lines.map((line) => line.details.reference).sort()).toEqual(['card-17', 'card-3']);
    expect(lines.every((line) => line.details.batchId === 'b-1')).toBe(true);
  });

  it('answers when its time budget runs out and finishes the rest in the background', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 20, failing: new Set(['card-9']) });
    const { log, lines } = recordingLog();
    const result = await startLifetimes(workflows, inputs(10), { log, context: {}, concurrency: 1, budgetMs: 50 });
    expect(result.started).toBeGreaterThan(0);
    expect(result.starting).toBeGreaterThan(0);
    expect(result.started + result.starting + result.failed).toBe(10);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(seen.calls).toBe(10);
    // The late failure is logged, flagged as after the answer, and summed up at the end.
    expect(lines.find((line) => line.details.reference === 'card-9')?.details.afterAnswer).toBe(true);
    expect(lines.at(-1)?.details).toMatchObject({ failed: 1, total: 10 });
  });

  it('does nothing for nothing', async () => {
    const { workflows, seen } = fakeGateway({ delayMs: 1 });
    expect(await startLifetimes(workflows, [], { log: recordingLog().log, context: {} })).toEqual({ started: 0, starting: 0, failed: 0 });
    expect(seen.calls).toBe(0);
  });
});
