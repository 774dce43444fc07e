import { describe, expect, it } from 'vitest';
import { canonicalQuantity, ceilQuantity, InvalidQuantityError, isZeroQuantity } from '../../../src/domain/marketplaces/quantity.js';
import {
  batches,
  closesAt,
  deadlineOf,
  HOUR_MS,
  hourlyRecords,
  hourOf,
  MARKETPLACE_RULES,
  nextCallAllowedAt,
  reportedQuantity,
  timeliness,
} from '../../../src/domain/marketplaces/rules.js';

const H = Date.UTC(2026, 10, 27, 10); // 10:00 UTC, an hour boundary
const MIN = 60_000;

describe('marketplace metering rules', () => {
  it('puts an instant in its clock hour', () => {
    expect(hourOf(H)).toBe(H);
    expect(hourOf(H + 59 * MIN + 59_999)).toBe(H);
    expect(hourOf(H + HOUR_MS)).toBe(H + HOUR_MS);
  });

  it('refuses an hour that has not ended, or is not a clock hour, everywhere', () => {
    for (const provider of ['aws', 'aliyun', 'huawei'] as const) {
      expect(timeliness(provider, H, H + 30 * MIN)).toBe('too_early');
      expect(timeliness(provider, H + MIN, H + 3 * HOUR_MS)).toBe('too_early');
      expect(timeliness(provider, H, H + HOUR_MS)).toBe('on_time');
    }
  });

  it('AWS: rejected 6 h or more after the event, taken just before', () => {
    expect(timeliness('aws', H, H + 6 * HOUR_MS - 1)).toBe('on_time');
    expect(timeliness('aws', H, H + 6 * HOUR_MS)).toBe('refused_late');
    expect(deadlineOf('aws', H)).toBe(H + 6 * HOUR_MS);
  });

  it("Alibaba Cloud: an hour's usage is pushed before the end of the next hour", () => {
    expect(timeliness('aliyun', H, H + 2 * HOUR_MS - 1)).toBe('on_time');
    expect(timeliness('aliyun', H, H + 2 * HOUR_MS)).toBe('refused_late');
  });

  it('Huawei Cloud: due within 15 minutes of the hour, taken late up to 2 h, refused after', () => {
    expect(timeliness('huawei', H, H + HOUR_MS + 15 * MIN - 1)).toBe('on_time');
    expect(timeliness('huawei', H, H + HOUR_MS + 15 * MIN)).toBe('late');
    expect(timeliness('huawei', H, H + 3 * HOUR_MS - 1)).toBe('late');
    expect(timeliness('huawei', H, H + 3 * HOUR_MS)).toBe('refused_late');
  });

  it('closes an hour early enough for the tightest due time (Huawei, 15 minutes)', () => {
    for (const provider of ['aws', 'aliyun', 'huawei'] as const) expect(timeliness(provider, H, closesAt(H))).toBe('on_time');
  });

  it('plans calls of at most 25 (AWS) and 100 (Alibaba, Huawei) records, in order', () => {
    const records = Array.from({ length: 230 }, (_, i) => i);
    expect(batches('aws', records).map((b) => b.length)).toEqual([25, 25, 25, 25, 25, 25, 25, 25, 25, 5]);
    expect(batches('aliyun', records).map((b) => b.length)).toEqual([100, 100, 30]);
    expect(batches('huawei', records).flat()).toEqual(records);
    expect(batches('aws', [])).toEqual([]);
  });

  it('AWS reports zero for every known billing item without usage in the hour; the others report usage only', () => {
    const usage = [{ item: 'logs', quantity: '3' }];
    expect(hourlyRecords('aws', usage, ['metrics', 'logs', 'traces', 'metrics'])).toEqual([
      { item: 'logs', quantity: '3' },
      { item: 'metrics', quantity: '0' },
      { item: 'traces', quantity: '0' },
    ]);
    expect(hourlyRecords('aws', [], ['logs'])).toEqual([{ item: 'logs', quantity: '0' }]);
    expect(hourlyRecords('aliyun', usage, ['metrics'])).toEqual(usage);
    expect(hourlyRecords('huawei', [], ['metrics'])).toEqual([]);
  });

  it('Alibaba Cloud: one push per instance per 60 s; the others unpaced', () => {
    expect(nextCallAllowedAt('aliyun', undefined)).toBe(Number.NEGATIVE_INFINITY);
    expect(nextCallAllowedAt('aliyun', H)).toBe(H + 60_000);
    expect(nextCallAllowedAt('aws', H)).toBe(Number.NEGATIVE_INFINITY);
    expect(MARKETPLACE_RULES.aliyun.minIntervalPerAccountMs).toBe(60_000);
  });

  it('tells AWS whole units, rounded up, and the others the exact sum', () => {
    expect(reportedQuantity('aws', '2.000000000001')).toBe('3');
    expect(reportedQuantity('aws', '2.000000000000')).toBe('2');
    expect(reportedQuantity('aws', '0')).toBe('0');
    expect(reportedQuantity('aliyun', '2.500000000000')).toBe('2.5');
    expect(reportedQuantity('huawei', '12345678901234567890.000000000001')).toBe('12345678901234567890.000000000001');
  });
});

describe('metered quantities', () => {
  it('are exact decimals with one spelling', () => {
    expect(canonicalQuantity('10.100')).toBe('10.1');
    expect(canonicalQuantity('7')).toBe('7');
    expect(ceilQuantity('99999999999999999999.1')).toBe('100000000000000000000');
    expect(isZeroQuantity('0.000')).toBe(true);
    expect(isZeroQuantity('0.001')).toBe(false);
  });

  it('refuse what is not a non-negative decimal', () => {
    for (const bad of ['-1', '1e3', '', ' 1', '01', '1.']) expect(() => canonicalQuantity(bad), bad).toThrow(InvalidQuantityError);
  });
});
