import { describe, expect, it } from 'vitest';
import { limitConcurrency } from '../../src/services/concurrency-limit.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('limiting how many calls run at once', () => {
  it('never runs more than the limit, runs every call, and starts them in the order they came', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const startedOrder: number[] = [];
    const limited = limitConcurrency(3, async (n: number) => {
      startedOrder.push(n);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await tick(1 + (n % 4));
      inFlight--;
      return n * 2;
    });
    const results = await Promise.all(Array.from({ length: 25 }, (_, n) => limited(n)));
    expect(results).toEqual(Array.from({ length: 25 }, (_, n) => n * 2));
    expect(maxInFlight).toBe(3);
    expect(startedOrder).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  it('gives a failure to its own caller and frees the place for the next', async () => {
    const limited = limitConcurrency(1, async (n: number) => {
      await tick(1);
      if (n === 1) throw new Error('call 1 failed');
      return n;
    });
    const outcomes = await Promise.allSettled([limited(0), limited(1), limited(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('call 1 failed');
    expect(await limited(3)).toBe(3);
  });
});
