import { DomainError } from '../../domain/errors.js';
import type { TicketClockSettings } from '../../domain/tickets/clocks.js';
import { TICKET_LIMITS, type TicketCategory, type TicketPriority } from '../../domain/tickets/ticket.js';
import type { Workflows } from '../../temporal/workflows.js';
import type { ServiceContext } from '../context.js';
import { actOnTicket, ticketFor } from './act.js';
import { submitTicket } from './open.js';

/**
 * A customer's reply. On a ticket still alive it reopens it where the machine says so; a closed ticket is
 * final, so the reply opens a new ticket that follows it up (same category, priority and workspace).
 */
export async function replyAsCustomer(
  ctx: ServiceContext,
  workflows: Workflows,
  settings: TicketClockSettings,
  customer: { userId: string; accountId: string },
  no: string,
  body: string,
  log: { error(details: object, message: string): void },
) {
  const actor = { kind: 'customer' as const, ...customer };
  const ticket = await ticketFor(ctx, actor, no);
  if (ticket.status !== 'closed') {
    try {
      return { ticket: await actOnTicket(ctx, workflows, actor, no, { type: 'customer_reply' }, body), followUp: false };
    } catch (error) {
      // Closed while the request was on its way (auto-close): a follow-up, as if it had been closed before.
      if (!(error instanceof DomainError && error.code === 'ticket-closed')) throw error;
    }
  }
  const followUp = await submitTicket(
    ctx,
    workflows,
    settings,
    customer,
    {
      category: ticket.category as TicketCategory,
      priority: ticket.priority as TicketPriority,
      subject: `Re: ${ticket.subject}`.slice(0, TICKET_LIMITS.subjectMaxChars),
      message: body,
      ...(ticket.workspaceId === null ? {} : { workspaceId: ticket.workspaceId }),
    },
    { log, followsUpNo: ticket.no },
  );
  return { ticket: followUp, followUp: true };
}
