import { inTransaction } from '../../db/transaction.js';
import type { TicketEffect, TicketState } from '../../domain/tickets/machine.js';
import type { ServiceContext } from '../context.js';
import { audit } from '../identity/audit.js';
import { queueEmail } from '../notifications/outbox.js';
import { ticketEmails } from './emails.js';

export interface TicketChange {
  ticketId: string;
  no: string;
  /** When the workflow decided it (ms since epoch, workflow time). */
  at: number;
  state: TicketState;
  effects: TicketEffect[];
  message: { id: string; authorKind: 'customer' | 'staff'; authorId: string; body: string; internal: boolean } | null;
  /** The staff member whose action this is (audited), or null for customers' actions and the clocks. */
  staff?: { userId: string; action: string } | null;
}

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * Writes one change the ticket's workflow accepted, all or nothing: the message it carries, the ticket's new
 * state (only forward: a row already at this version is left alone), the audit record of a staff action and the
 * emails it causes. Idempotent, so
 * a retried activity changes nothing twice. Returns the business keys of the emails, for delivery.
 */
export async function applyTicketChange(ctx: ServiceContext, change: TicketChange, escalationEmails: readonly string[]): Promise<string[]> {
  return inTransaction(ctx.prisma, async (tx) => {
    const ticket = await tx.ticket.findUniqueOrThrow({
      where: { id: change.ticketId },
      select: { subject: true, accountId: true, account: { select: { name: true, contactEmail: true } } },
    });
    if (change.message) {
      await tx.ticketMessage.createMany({
        data: [{ ...change.message, ticketId: change.ticketId, createdAt: new Date(change.at) }],
        skipDuplicates: true,
      });
    }
    const { state } = change;
    const moved = await tx.ticket.updateMany({
      where: { id: change.ticketId, stateVersion: { lt: state.version } },
      data: {
        status: state.status,
        assigneeId: state.assigneeId,
        slaDueAt: at(state.sla.dueAt),
        slaBreached: state.sla.breachedAt !== null,
        firstResponseAt: at(state.sla.respondedAt),
        resolvedAt: at(state.resolvedAt),
        closedAt: state.status === 'closed' ? new Date(change.at) : null,
        stateVersion: state.version,
        ...(change.message && !change.message.internal ? { lastMessageAt: new Date(change.at) } : {}),
      },
    });
    // Audited once: a retried activity finds the row already at this version and moves nothing.
    if (change.staff && moved.count === 1) {
      await audit(tx, {
        actorId: change.staff.userId,
        action: `ticket.${change.staff.action}`,
        targetType: 'ticket',
        targetId: change.no,
        details: { status: state.status, assigneeId: state.assigneeId },
      });
    }
    const needsLeads = change.effects.some((effect) => effect.kind === 'escalation_to_leads');
    const leads =
      needsLeads && escalationEmails.length === 0
        ? (await tx.user.findMany({ where: { roles: { has: 'admin' } }, select: { email: true }, orderBy: { email: 'asc' } })).map((u) => u.email)
        : escalationEmails;
    const context = {
      no: change.no,
      subject: ticket.subject,
      accountId: ticket.accountId,
      accountName: ticket.account.name,
      customerEmail: ticket.account.contactEmail,
      reply: change.message?.authorKind === 'staff' && !change.message.internal ? { id: change.message.id, body: change.message.body } : null,
      state,
      leads,
    };
    const keys: string[] = [];
    for (const email of change.effects.flatMap((effect) => ticketEmails(effect, context))) {
      await queueEmail(tx, email);
      keys.push(email.businessKey);
    }
    return keys;
  });
}
