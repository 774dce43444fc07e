import { describe, expect, it } from 'vitest';
import { cutoverFor, startOfNextMonth } from '../../../src/domain/settlement/cutover.js';
import { zonedInstant } from '../../../src/domain/time-zone.js';

const iso = (s: string) => new Date(s);
const at = (effective: Parameters<typeof cutoverFor>[0], now: string, zone: string) => {
  const result = cutoverFor(effective, iso(now), zone);
  if (!result.ok) throw new Error(result.message);
  return result.at.toISOString();
};

describe('the cut-over of a settlement change', () => {
  it('is the next full hour when immediate, never the current instant even on the hour', () => {
    expect(at('immediate', '2026-11-27T03:24:10.500Z', 'Asia/Shanghai')).toBe('2026-11-27T04:00:00.000Z');
    expect(at('immediate', '2026-11-27T03:00:00.000Z', 'Asia/Shanghai')).toBe('2026-11-27T04:00:00.000Z');
    expect(at('immediate', '2026-12-31T23:59:59.999Z', 'UTC')).toBe('2027-01-01T00:00:00.000Z');
  });

  it("is 00:00 on the 1st of next month in Asia/Shanghai (16:00 UTC the day before)", () => {
    expect(at('next_month', '2026-11-27T03:24:00Z', 'Asia/Shanghai')).toBe('2026-11-30T16:00:00.000Z');
    // Already December in Shanghai, still November in UTC: the next month is January.
    expect(at('next_month', '2026-11-30T16:30:00Z', 'Asia/Shanghai')).toBe('2026-12-31T16:00:00.000Z');
  });

  it('crosses the year from December to January', () => {
    expect(at('next_month', '2026-12-15T10:00:00Z', 'Asia/Shanghai')).toBe('2026-12-31T16:00:00.000Z');
    expect(at('next_month', '2026-12-15T10:00:00Z', 'America/New_York')).toBe('2027-01-01T05:00:00.000Z');
    expect(at('next_month', '2026-12-31T23:30:00Z', 'UTC')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('follows daylight saving time: New York midnight is 04:00 UTC in summer, 05:00 in winter', () => {
    expect(at('next_month', '2026-06-10T12:00:00Z', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
    // October is summer time, November 1st is still summer time (the clocks go back on the 1st at 02:00).
    expect(at('next_month', '2026-10-10T12:00:00Z', 'America/New_York')).toBe('2026-11-01T04:00:00.000Z');
    expect(at('next_month', '2026-11-10T12:00:00Z', 'America/New_York')).toBe('2026-12-01T05:00:00.000Z');
    expect(at('next_month', '2026-03-02T12:00:00Z', 'Europe/Berlin')).toBe('2026-03-31T22:00:00.000Z');
    expect(at('next_month', '2026-02-02T12:00:00Z', 'Europe/Berlin')).toBe('2026-02-28T23:00:00.000Z');
  });

  it('rounds a midnight that is not on a UTC hour up to the next full hour', () => {
    // India is UTC+05:30: local midnight on 1 December is 18:30 UTC on 30 November.
    expect(startOfNextMonth(iso('2026-11-27T03:00:00Z'), 'Asia/Kolkata').toISOString()).toBe('2026-11-30T18:30:00.000Z');
    expect(at('next_month', '2026-11-27T03:00:00Z', 'Asia/Kolkata')).toBe('2026-11-30T19:00:00.000Z');
  });

  it('resolves a midnight that daylight saving skips to the instant the clocks jump to', () => {
    // Chile moved its clocks from 00:00 to 01:00 on 2026-09-06; the instant is 04:00 UTC either way.
    const wall = Date.UTC(2026, 8, 6, 0, 0);
    expect(new Date(zonedInstant(wall, 'America/Santiago')).toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  it('accepts an explicit full hour in the future, and refuses one in the past, now, or off the hour', () => {
    expect(at({ at: iso('2027-01-01T00:00:00Z') }, '2026-11-27T03:24:00Z', 'UTC')).toBe('2027-01-01T00:00:00.000Z');
    expect(cutoverFor({ at: iso('2026-11-27T03:00:00Z') }, iso('2026-11-27T03:24:00Z'), 'UTC')).toMatchObject({ ok: false, code: 'effective-in-past' });
    expect(cutoverFor({ at: iso('2026-11-27T03:00:00Z') }, iso('2026-11-27T03:00:00Z'), 'UTC')).toMatchObject({ ok: false, code: 'effective-in-past' });
    expect(cutoverFor({ at: iso('2027-01-01T00:30:00Z') }, iso('2026-11-27T03:24:00Z'), 'UTC')).toMatchObject({ ok: false, code: 'effective-not-on-hour' });
  });

  it('is never in the past, whatever the zone and the moment', () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago', 'UTC'];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 29 * 3_600_000 + 13 * 60_000) {
      for (const zone of zones) {
        for (const mode of ['immediate', 'next_month'] as const) {
          const result = cutoverFor(mode, new Date(t), zone);
          expect(result.ok && result.at.getTime() > t && result.at.getTime() % 3_600_000 === 0).toBe(true);
        }
      }
    }
  });
});
