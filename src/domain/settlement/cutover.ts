/**
 * When a settlement change takes effect. Cut-overs are whole UTC hours because the marketplaces are metered by
 * the UTC hour: the old method's last hour and the new method's first never share a report.
 */
export const HOUR_MS = 3_600_000;

export type Effective = 'immediate' | 'next_month' | { at: Date };

export type Cutover =
  | { ok: true; at: Date; mode: 'immediate' | 'next_month' | 'at' }
  | { ok: false; code: 'effective-in-past' | 'effective-not-on-hour'; message: string };

// Building a formatter costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterOf = (timeZone: string) => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/** The wall-clock reading of `instant` in `timeZone`, as if that reading were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  const parts = formatterOf(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/**
 * The first instant at which the clocks of `timeZone` read the wall time `wall` (ms, read as UTC). A wall time
 * that a daylight-saving jump skips resolves to the instant the jump lands on.
 */
export function zonedInstant(wall: number, timeZone: string): number {
  // The zone's offset just before and just after the wall time bracket every answer; the earlier reading that
  // gives back `wall` is the first instant, and none does only inside a skipped hour.
  const offsets = [wallClock(wall - 14 * HOUR_MS, timeZone) - (wall - 14 * HOUR_MS), wallClock(wall + 14 * HOUR_MS, timeZone) - (wall + 14 * HOUR_MS)];
  const candidates = [...new Set(offsets)].map((offset) => wall - offset).sort((a, b) => a - b);
  const exact = candidates.find((instant) => wallClock(instant, timeZone) === wall);
  if (exact !== undefined) return exact;
  // Skipped: the jump happens between the two candidates' readings; the later candidate is where it lands.
  return candidates[candidates.length - 1]!;
}

/** 00:00 on the 1st of the month after the one `now` falls in, in `timeZone`. */
export function startOfNextMonth(now: Date, timeZone: string): Date {
  const local = new Date(wallClock(now.getTime(), timeZone));
  return new Date(zonedInstant(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1), timeZone));
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
