import { DomainError } from '../src/domain/errors.js';

/** Refuses anything the runtime's IANA database does not know, with the field that carried it. */
export function assertTimeZone(zone: string, field: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new DomainError('invalid', 'validation', `Unknown time zone "${zone}".`, {
      fields: [{ path: field, message: 'is not an IANA time zone' }],
    });
  }
}
