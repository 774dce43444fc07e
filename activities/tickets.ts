import type { ServiceContext } from '../src/services/context.js';
import { applyTicketChange, type TicketChange } from '../src/services/tickets/apply-change.js';

export function ticketActivities(services: ServiceContext, escalationEmails: readonly string[]) {
  return {
    /** Writes a change `ticket/<no>` accepted (message, state, emails) at once; returns the emails' keys. */
    applyTicketChange: (change: TicketChange) => applyTicketChange(services, change, escalationEmails),
  };
}
