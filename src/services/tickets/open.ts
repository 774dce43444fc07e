import { randomUUID } from 'node:crypto';
import { inTransaction } from '../../db/transaction.js';
import { DomainError } from '../../domain/errors.js';
import { clocksFor, type TicketClockSettings } from '../../domain/tickets/clocks.js';
import type { TicketCategory, TicketPriority } from '../../domain/tickets/ticket.js';
import { formatTicketNo } from '../../domain/tickets/ticket-number.js';
import type { Workflows } from '../../temporal/workflows.js';
import type { ServiceContext } from '../context.js';

export interface NewTicket {
  category: TicketCategory;
  priority: TicketPriority;
  subject: string;
  message: string;
  workspaceId?: string;
}

/**
 * Opens a ticket: the row and first message, then its workflow `ticket/<no>` with the clocks of its priority.
 * If the workflow cannot start, the ticket is taken back and the caller hears the service is unavailable.
 */
export async function submitTicket(
  ctx: ServiceContext,
  workflows: Workflows,
  settings: TicketClockSettings,
  opener: { userId: string; accountId: string },
  input: NewTicket,
  options: { log: { error(details: object, message: string): void }; followsUpNo?: string },
) {
  const clocks = clocksFor(settings, input.priority);
  const ticket = await openTicket(ctx, opener, input, clocks.firstResponseMs, options.followsUpNo ?? null);
  try {
    await workflows.startTicket(
      { ticketId: ticket.id, no: ticket.no, accountId: ticket.accountId, priority: input.priority, createdAt: ticket.createdAt.getTime(), clocks },
      { subject: ticket.subject, category: ticket.category },
    );
  } catch (error) {
    options.log.error({ err: error, ticketNo: ticket.no }, 'could not start the ticket workflow');
    await discardUnstartedTicket(ctx, ticket.id);
    throw new DomainError('unavailable', 'service-unavailable', 'Tickets cannot be opened right now; nothing was saved. Try again.', {
      retryAfterSeconds: 30,
    });
  }
  return ticket;
}

/**
 * The ticket's row and first message, under the next number of the year (one counter row per year, so
 * numbers are unique and short enough to read aloud).
 */
async function openTicket(
  ctx: ServiceContext,
  opener: { userId: string; accountId: string },
  input: NewTicket,
  firstResponseMs: number,
  followsUpNo: string | null,
) {
  const now = ctx.now();
  return inTransaction(ctx.prisma, async (tx) => {
    if (input.workspaceId !== undefined) {
      const workspace = await tx.workspace.findFirst({ where: { id: input.workspaceId, accountId: opener.accountId }, select: { id: true } });
      if (!workspace) {
        throw new DomainError('invalid', 'unknown-workspace', 'The workspace is not bound to this account.', {
          fields: [{ path: '/body/workspaceId', message: 'is not a workspace of this account' }],
        });
      }
    }
    const year = now.getUTCFullYear();
    const [counter] = await tx.$queryRaw<{ last: number }[]>`
      INSERT INTO ticket_number_counters (year, last) VALUES (${year}, 1)
      ON CONFLICT (year) DO UPDATE SET last = ticket_number_counters.last + 1
      RETURNING last`;
    return tx.ticket.create({
      data: {
        no: formatTicketNo(year, counter!.last),
        accountId: opener.accountId,
        openedById: opener.userId,
        workspaceId: input.workspaceId ?? null,
        category: input.category,
        priority: input.priority,
        subject: input.subject.trim(),
        status: 'new',
        slaDueAt: new Date(now.getTime() + firstResponseMs),
        followsUpNo,
        lastMessageAt: now,
        createdAt: now,
        messages: { create: { id: randomUUID(), authorKind: 'customer', authorId: opener.userId, body: input.message, createdAt: now } },
      },
    });
  });
}

/** A ticket whose workflow could not start never existed: its row and first message go (its number stays used). */
async function discardUnstartedTicket(ctx: ServiceContext, ticketId: string): Promise<void> {
  await inTransaction(ctx.prisma, async (tx) => {
    await tx.ticketMessage.deleteMany({ where: { ticketId } });
    await tx.ticket.deleteMany({ where: { id: ticketId, stateVersion: 0 } });
  });
}
