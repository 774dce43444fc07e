import { localMonth, startOfMonth } from '../time-zone.js';

/**
 * When a settlement change takes effect. Cut-overs are whole UTC hours because the marketplaces are metered by
 * the UTC hour: the old method's last hour and the new method's first never share a report.
 */
export const HOUR_MS = 3_600_000;

export type Effective = 'immediate' | 'next_month' | { at: Date };

export type Cutover =
  | { ok: true; at: Date; mode: 'immediate' | 'next_month' | 'at' }
  | { ok: false; code: 'effective-in-past' | 'effective-not-on-hour'; message: string };

/** 00:00 on the 1st of the month after the one `now` falls in, in `timeZone`. */
export function startOfNextMonth(now: Date, timeZone: string): Date {
  const { year, month } = localMonth(now.getTime(), timeZone);
  return startOfMonth(year, month + 1, timeZone);
}

const ceilToHour = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS;

/**
 * The cut-over of a change requested at `now` by an account in `timeZone`:
 * - `immediate`: the next full hour (strictly after now);
 * - `next_month`: 00:00 on the 1st in the account's time zone (in the few zones whose offset is not a whole hour,
 *   the first full hour after that midnight, so the old month stays wholly with the old method);
 * - an explicit instant: on a full hour, and after now.
 * Never in the past.
 */
export function cutoverFor(effective: Effective, now: Date, timeZone: string): Cutover {
  if (effective === 'immediate') return { ok: true, at: new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS), mode: 'immediate' };
  if (effective === 'next_month') return { ok: true, at: new Date(ceilToHour(startOfNextMonth(now, timeZone).getTime())), mode: 'next_month' };
  const at = effective.at.getTime();
  if (at % HOUR_MS !== 0) {
    return { ok: false, code: 'effective-not-on-hour', message: 'A settlement change takes effect on a full hour (UTC minutes and seconds zero).' };
  }
  if (at <= now.getTime()) return { ok: false, code: 'effective-in-past', message: 'The effective date has passed; choose a full hour in the future.' };
  return { ok: true, at: effective.at, mode: 'at' };
}
