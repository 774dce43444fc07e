import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { TicketClocks } from '../src/domain/tickets/clocks.js';
import type { PersonAction, TicketState } from '../src/domain/tickets/machine.js';
import type { TicketPriority } from '../src/domain/tickets/ticket.js';

/** What starts `ticket/<no>`. The clocks are fixed here, from configuration, so replay always sees the same. */
export interface TicketInput {
  ticketId: string;
  no: string;
  accountId: string;
  priority: TicketPriority;
  /** When the ticket was opened (ms since epoch): the first-response SLA runs from here. */
  createdAt: number;
  clocks: TicketClocks;
}

/** A message that comes with an action; stored by the workflow's activity together with the change. */
export interface TicketMessageInput {
  authorKind: 'customer' | 'staff';
  authorId: string;
  body: string;
}

/**
 * A person's action on a ticket. `requestId` is chosen by the API for the request: it is the Update's id (a
 * retried Update is applied once) and the id of the message it carries (a retried activity stores it once).
 */
export interface TicketRequest {
  requestId: string;
  action: PersonAction;
  message: TicketMessageInput | null;
}

/** Validated against the status machine before it is accepted (a refusal is synchronous); answers the new state. */
export const actOnTicket = defineUpdate<TicketState, [TicketRequest]>('actOnTicket');
export const ticketState = defineQuery<TicketState>('ticketState');
