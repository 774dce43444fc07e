import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { microBatch } from '../../src/services/micro-batch.js';

describe('microBatch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs calls that arrive within the window as one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const double = microBatch(async (items: number[]) => {
      batches.push(items);
      return items.map((n) => n * 2);
    }, { windowMs: 10, maxItems: 100 });
    const results = Promise.all([double(1), double(2), double(3)]);
    await vi.advanceTimersByTimeAsync(10);
    expect(await results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);

    // A call after the batch went out starts the next one.
    const later = double(4);
    await vi.advanceTimersByTimeAsync(10);
    expect(await later).toBe(8);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('sends a full batch at once, without waiting out the window', async () => {
    const batches: number[][] = [];
    const echo = microBatch(async (items: number[]) => {
      batches.push(items);
      return items;
    }, { windowMs: 60_000, maxItems: 2 });
    const results = Promise.all([echo(1), echo(2)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(await results).toEqual([1, 2]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('runs the items of a failed batch one by one, so only the one that cannot succeed fails', async () => {
    const batches: number[][] = [];
    const strict = microBatch(async (items: number[]) => {
      batches.push(items);
      if (items.includes(13)) throw new Error('13 refused');
      return items;
    }, { windowMs: 10, maxItems: 100 });
    const outcomes = Promise.allSettled([strict(12), strict(13), strict(14)]);
    await vi.advanceTimersByTimeAsync(10);
    const settled = await outcomes;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('13 refused'));
    expect(batches).toEqual([[12, 13, 14], [12], [13], [14]]);
  });
});
