/** What a ticket is about, how urgent it is, and where it stands. Shared by the API, the services and the workflow. */

export const TICKET_CATEGORIES = ['billing', 'recharge', 'invoice', 'account', 'technical', 'other'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** new → open → awaiting_customer ↔ open → resolved → closed; closed is final. */
export const TICKET_STATUSES = ['new', 'open', 'awaiting_customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Documented in the README; longer subjects and messages are refused with 400, blank ones too. */
export const TICKET_LIMITS = { subjectMaxChars: 200, messageMaxChars: 10_000 } as const;
