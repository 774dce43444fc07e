import type { TicketPriority } from './ticket.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The clocks as configured for the service (see TICKET_* in src/config.ts). */
export interface TicketClockSettings {
  /** First-response SLA per priority, from creation; paused while awaiting the customer. */
  firstResponseMs: Record<TicketPriority, number>;
  /** Reminder emails while awaiting the customer, after each of these (ascending, each before auto-resolve). */
  reminderAfterMs: number[];
  /** Awaiting the customer this long: the ticket is resolved for them. */
  autoResolveAfterMs: number;
  /** Resolved this long without being reopened: closed for good. */
  autoCloseAfterMs: number;
}

/** Support teams' usual defaults (Zendesk, Freshdesk, Zammad): urgent answered within the hour. */
export const DEFAULT_TICKET_CLOCKS: TicketClockSettings = {
  firstResponseMs: { urgent: 1 * HOUR, high: 4 * HOUR, normal: 8 * HOUR, low: 24 * HOUR },
  reminderAfterMs: [2 * DAY, 4 * DAY],
  autoResolveAfterMs: 7 * DAY,
  autoCloseAfterMs: 4 * DAY,
};

/** The clocks of one ticket, fixed when it opens and carried in its workflow's input (so replay sees the same). */
export interface TicketClocks {
  firstResponseMs: number;
  reminderAfterMs: number[];
  autoResolveAfterMs: number;
  autoCloseAfterMs: number;
}

export function clocksFor(settings: TicketClockSettings, priority: TicketPriority): TicketClocks {
  return {
    firstResponseMs: settings.firstResponseMs[priority],
    reminderAfterMs: [...settings.reminderAfterMs],
    autoResolveAfterMs: settings.autoResolveAfterMs,
    autoCloseAfterMs: settings.autoCloseAfterMs,
  };
}
