/**
 * Ticket numbers a person can read aloud: `T-2026-000123`, the year the ticket was opened and its place in that
 * year (six digits at least; the 1,000,000th ticket of a year simply gets seven).
 */
export function formatTicketNo(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`not a year: ${year}`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`not a sequence number: ${sequence}`);
  return `T-${year}-${String(sequence).padStart(6, '0')}`;
}

/** What a ticket number looks like (for path parameters): anything else is not found, without a query. */
export const TICKET_NO_PATTERN = '^T-[0-9]{4}-[0-9]{6,9}$';
