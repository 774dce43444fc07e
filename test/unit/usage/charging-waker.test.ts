import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChargingWaker } from '../../../src/services/usage/charging-waker.js';

const quiet = { warn: () => {} };

describe('ChargingWaker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('wakes at once after a quiet spell, then gathers what arrives into one round per interval', async () => {
    const rounds: string[][] = [];
    const waker = new ChargingWaker(async (ids) => void rounds.push(ids), quiet, { interval: 2_000 });

    waker.add(['a', 'b']);
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds).toEqual([['a', 'b']]);

    // Three requests within the interval name overlapping accounts: one wake-up each, in one round.
    waker.add(['a']);
    waker.add(['b', 'c']);
    waker.add(['a', 'c']);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(rounds).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(rounds).toEqual([['a', 'b'], ['a', 'b', 'c']]);
  });

  it('sends what is owed at once when the process shuts down, without waiting out the interval', async () => {
    const rounds: string[][] = [];
    const waker = new ChargingWaker(async (ids) => void rounds.push(ids), quiet, { interval: 60_000 });
    waker.add(['a']);
    await vi.advanceTimersByTimeAsync(0);
    waker.add(['b']);
    await waker.idle();
    expect(rounds).toEqual([['a'], ['b']]);
  });

  it('keeps going after a failed round: the next accounts are still woken', async () => {
    const rounds: string[][] = [];
    const warnings: object[] = [];
    let fail = true;
    const waker = new ChargingWaker(
      async (ids) => {
        if (fail) {
          fail = false;
          throw new Error('Temporal unavailable');
        }
        rounds.push(ids);
      },
      { warn: (details) => void warnings.push(details) },
      { interval: 1_000 },
    );
    waker.add(['a']);
    await vi.advanceTimersByTimeAsync(0);
    waker.add(['b']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(warnings).toHaveLength(1);
    expect(rounds).toEqual([['b']]);
  });
});
