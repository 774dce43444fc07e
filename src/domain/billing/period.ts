// Billing months in an account's time zone. Pure: the monthly-bills activity asks it which month each account
// has closed, and the tests pin its answers at the awkward instants (DST, year ends, UTC+14 and UTC−12).

import { localMonth, startOfMonth } from '../time-zone.js';

/** A calendar month of one time zone, as the instants it spans: [start, end). */
export interface BillingMonth {
  /** `YYYY-MM`, the month's name in that time zone. */
  month: string;
  timeZone: string;
  start: Date;
  end: Date;
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
  const local = localMonth(at.getTime(), timeZone);
  return billingMonth(label(local.year, local.month), timeZone);
}

/**
 * The last month that has ended, at `at`, in `timeZone`: the month before the one the zone's wall clock is in.
 * At exactly local midnight on the 1st the month before has closed.
 */
export function lastClosedMonth(at: Date, timeZone: string): BillingMonth {
  const local = localMonth(at.getTime(), timeZone);
  const year = local.month === 1 ? local.year - 1 : local.year;
  const month = local.month === 1 ? 12 : local.month - 1;
  return billingMonth(label(year, month), timeZone);
}
