// Wall clocks of IANA time zones, for the rules that fall on a local midnight (billing months, settlement
// cut-overs). Pure: only the runtime's time-zone database.

const HOUR_MS = 3_600_000;

// Building a formatter costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** What the clocks of `timeZone` read at `instant` (ms), as if that reading were UTC (ms; whole seconds). */
export function wallClock(instant: number, timeZone: string): number {
  const parts = formatterOf(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/**
 * The first instant at which the clocks of `timeZone` read the wall time `wall` (ms, read as UTC). A wall time
 * that a daylight-saving jump skips resolves to the instant the jump lands on; one the clocks pass twice (turned
 * back) to its first occurrence.
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

/** When the 1st of `month` (1 to 12; 13 is January of the next year) begins in `timeZone`: local 00:00, as above. */
export function startOfMonth(year: number, month: number, timeZone: string): Date {
  return new Date(zonedInstant(Date.UTC(year, month - 1, 1), timeZone));
}

/** The local calendar month `instant` falls in, in `timeZone`. */
export function localMonth(instant: number, timeZone: string): { year: number; month: number } {
  const wall = new Date(wallClock(instant, timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1 };
}
