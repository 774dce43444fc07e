import { describe, expect, it } from 'vitest';
import { billingMonth, lastClosedMonth, monthAt } from '../../../src/domain/billing/period.js';

const iso = (date: Date) => date.toISOString();

describe('billing months in the account\'s time zone', () => {
  it('spans local midnight on the 1st to local midnight on the next 1st, as instants', () => {
    const shanghai = billingMonth('2026-11', 'Asia/Shanghai');
    expect([iso(shanghai.start), iso(shanghai.end)]).toEqual(['2026-10-31T16:00:00.000Z', '2026-11-30T16:00:00.000Z']);
    const utc = billingMonth('2026-02', 'UTC');
    expect([iso(utc.start), iso(utc.end)]).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });

  it('follows daylight saving time: a Los Angeles March is an hour shorter, a November an hour longer', () => {
    const march = billingMonth('2026-03', 'America/Los_Angeles');
    expect([iso(march.start), iso(march.end)]).toEqual(['2026-03-01T08:00:00.000Z', '2026-04-01T07:00:00.000Z']);
    const november = billingMonth('2026-11', 'America/Los_Angeles');
    expect([iso(november.start), iso(november.end)]).toEqual(['2026-11-01T07:00:00.000Z', '2026-12-01T08:00:00.000Z']);
    expect(november.end.getTime() - november.start.getTime()).toBe((30 * 24 + 1) * 3_600_000);
  });

  it('crosses the year: December ends at the local start of January of the next year', () => {
    const december = billingMonth('2026-12', 'Europe/Berlin');
    expect([iso(december.start), iso(december.end)]).toEqual(['2026-11-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z']);
    expect(lastClosedMonth(new Date('2027-01-01T00:00:00Z'), 'Europe/Berlin').month).toBe('2026-12');
    expect(lastClosedMonth(new Date('2026-12-31T22:59:59.999Z'), 'Europe/Berlin').month).toBe('2026-11');
  });

  it('handles the extremes: UTC+14 closes its month 26 hours before UTC−12 does', () => {
    const kiritimati = lastClosedMonth(new Date('2026-11-30T10:00:00Z'), 'Pacific/Kiritimati');
    expect(kiritimati.month).toBe('2026-11');
    expect(iso(kiritimati.end)).toBe('2026-11-30T10:00:00.000Z');
    expect(lastClosedMonth(new Date('2026-11-30T09:59:59.999Z'), 'Pacific/Kiritimati').month).toBe('2026-10');
    const etcMinus12 = billingMonth('2026-11', 'Etc/GMT+12');
    expect(iso(etcMinus12.end)).toBe('2026-12-01T12:00:00.000Z');
    expect(lastClosedMonth(new Date('2026-12-01T11:59:59.999Z'), 'Etc/GMT+12').month).toBe('2026-10');
    expect(lastClosedMonth(new Date('2026-12-01T12:00:00Z'), 'Etc/GMT+12').month).toBe('2026-11');
  });

  it('handles offsets of :30 and :45', () => {
    expect(iso(billingMonth('2026-12', 'Asia/Kolkata').start)).toBe('2026-11-30T18:30:00.000Z');
    expect(iso(billingMonth('2026-12', 'Asia/Kathmandu').start)).toBe('2026-11-30T18:15:00.000Z');
  });

  it('starts a month at the first instant after a daylight-saving jump that skips midnight on the 1st', () => {
    // Paraguay moved its clocks from 00:00 to 01:00 on 1 October 1993: that day had no midnight.
    const october = billingMonth('1993-10', 'America/Asuncion');
    expect(iso(october.start)).toBe('1993-10-01T04:00:00.000Z');
    expect(iso(billingMonth('1993-09', 'America/Asuncion').end)).toBe('1993-10-01T04:00:00.000Z');
    expect(lastClosedMonth(new Date('1993-10-01T03:59:59.999Z'), 'America/Asuncion').month).toBe('1993-08');
    expect(lastClosedMonth(october.start, 'America/Asuncion').month).toBe('1993-09');
  });

  it('closes each month exactly at its end, never a moment before, in zones with and without DST', () => {
    for (const zone of ['Asia/Shanghai', 'America/Los_Angeles', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago']) {
      for (let i = 0; i < 96; i++) {
        const month = billingMonth(`${2020 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`, zone);
        expect(lastClosedMonth(month.end, zone).month).toBe(month.month);
        expect(lastClosedMonth(new Date(month.end.getTime() - 1), zone).month).not.toBe(month.month);
      }
    }
  });

  it('refuses a month that is not YYYY-MM', () => {
    expect(() => billingMonth('2026-13', 'UTC')).toThrow(RangeError);
  });
});

describe('the month a zone is in', () => {
  it('is the month after the last closed one, and contains the instant', () => {
    for (const at of ['2026-11-30T15:59:59.999Z', '2026-11-30T16:00:00Z', '2027-01-01T00:00:00Z']) {
      const month = monthAt(new Date(at), 'Asia/Shanghai');
      expect(month.start.getTime()).toBeLessThanOrEqual(new Date(at).getTime());
      expect(month.end.getTime()).toBeGreaterThan(new Date(at).getTime());
      expect(lastClosedMonth(new Date(at), 'Asia/Shanghai').end.getTime()).toBe(month.start.getTime());
    }
    expect(monthAt(new Date('2026-11-30T16:00:00Z'), 'Asia/Shanghai').month).toBe('2026-12');
    expect(monthAt(new Date('2026-11-30T16:00:00Z'), 'America/Los_Angeles').month).toBe('2026-11');
  });
});
