import { randomUUID } from 'node:crypto';
import { DomainError, notFound } from '../../domain/errors.js';
import type { PersonAction } from '../../domain/tickets/machine.js';
import type { Workflows } from '../../temporal/workflows.js';
import type { ServiceContext } from '../context.js';

/** Who acts: a customer sees only the account's tickets; support sees all. */
export type TicketActor = { kind: 'customer'; userId: string; accountId: string } | { kind: 'staff'; userId: string };

/** The ticket, if this actor may see it; another account's ticket is simply not found. */
export async function ticketFor(ctx: ServiceContext, actor: TicketActor, no: string) {
  const ticket = await ctx.prisma.ticket.findFirst({ where: { no, ...(actor.kind === 'customer' ? { accountId: actor.accountId } : {}) } });
  if (!ticket) throw notFound('Ticket');
  return ticket;
}

/** Tickets are assigned to support users only. */
async function checkAssignee(ctx: ServiceContext, assigneeId: string): Promise<void> {
  const user = await ctx.prisma.user.findUnique({ where: { id: assigneeId }, select: { roles: true } });
  if (!user?.roles.includes('support')) {
    throw new DomainError('invalid', 'assignee-not-support', 'Tickets can be assigned to support users only.', {
      fields: [{ path: '/body/assigneeId', message: 'is not a support user' }],
    });
  }
}

/**
 * Hands one action (and the message it carries) to the ticket's workflow, which validates the transition and
 * writes the change before answering; then reads the ticket back. A refused transition is a 409 conflict.
 */
export async function actOnTicket(ctx: ServiceContext, workflows: Workflows, actor: TicketActor, no: string, action: PersonAction, body?: string) {
  const ticket = await ticketFor(ctx, actor, no);
  if (action.type === 'assign') await checkAssignee(ctx, action.assigneeId);
  await workflows.actOnTicket(ticket.no, {
    requestId: randomUUID(),
    action,
    message: body === undefined ? null : { authorKind: actor.kind, authorId: actor.userId, body },
  });
  return ctx.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
}
