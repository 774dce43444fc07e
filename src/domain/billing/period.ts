// Billing months in an account's time zone. Pure: the monthly-bills activity asks it which month each account
// has closed, and the tests pin its answers at the awkward instants (DST, year ends, UTC+14 and UTC−12).

/** A calendar month of one time zone, as the instants it spans: [start, end). */
export interface BillingMonth {
  /** `YYYY-MM`, the month's name in that time zone. */
  month: string;
  timeZone: string;
  start: Date;
  end: Date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

interface LocalTime {
  year: number;
  /** 1 to 12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localTime(instant: number, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in ms (whole seconds: zones have no finer offsets). */
function offsetAt(instant: number, timeZone: string): number {
  const local = localTime(instant, timeZone);
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant the 1st of `month` (1 to 12, may overflow into the next year) begins in `timeZone`: local 00:00,
 * or, where a DST jump skips that midnight, the first instant after the gap; where the clock turns back over
 * midnight, its first occurrence.
 */
export function startOfMonth(year: number, month: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, 1);
  // Zones change their offset at most once around a midnight: the offsets a day either side are the candidates.
  const candidates = [wall - offsetAt(wall - 86_400_000, timeZone), wall - offsetAt(wall + 86_400_000, timeZone)].filter(
    (instant) => localTime(instant, timeZone).day === 1,
  );
  if (candidates.length === 0) throw new RangeError(`no start of ${year}-${month} in ${timeZone}`);
  return new Date(Math.min(...candidates));
}

const label = (year: number, month: number) => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;

/** The month `YYYY-MM` in `timeZone`, as instants. */
export function billingMonth(month: string, timeZone: string): BillingMonth {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new RangeError(`not a month: ${JSON.stringify(month)}`);
  const year = Number(match[1]);
  const number = Number(match[2]);
  return {
    month: label(year, number),
    timeZone,
    start: startOfMonth(year, number, timeZone),
    end: startOfMonth(number === 12 ? year + 1 : year, number === 12 ? 1 : number + 1, timeZone),
  };
}

/** The month the zone's wall clock is in at `at`. */
export function monthAt(at: Date, timeZone: string): BillingMonth {
  const local = localTime(at.getTime(), timeZone);
  return billingMonth(label(local.year, local.month), timeZone);
}

/**
 * The last month that has ended, at `at`, in `timeZone`: the month before the one the zone's wall clock is in.
 * At exactly local midnight on the 1st the month before has closed.
 */
export function lastClosedMonth(at: Date, timeZone: string): BillingMonth {
  const local = localTime(at.getTime(), timeZone);
  const year = local.month === 1 ? local.year - 1 : local.year;
  const month = local.month === 1 ? 12 : local.month - 1;
  return billingMonth(label(year, month), timeZone);
}
