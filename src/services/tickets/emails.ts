import type { TicketEffect, TicketState } from '../../domain/tickets/machine.js';
import type { Email } from '../notifications/outbox.js';

/** The ticket as the emails about it speak of it. */
export interface TicketMailContext {
  no: string;
  subject: string;
  accountId: string;
  accountName: string;
  customerEmail: string;
  /** The staff reply this change carries, if any. */
  reply: { id: string; body: string } | null;
  state: TicketState;
  /** Where escalations go (see TICKET_ESCALATION_EMAILS). */
  leads: readonly string[];
}

/**
 * The emails one change causes. Each business key names what it is about for ever (this reply, this
 * resolution, the n-th reminder of this wait, this ticket's breach per lead), so each is sent once however
 * often the change is retried.
 */
export function ticketEmails(effect: TicketEffect, ticket: TicketMailContext): Email[] {
  const to = { to: ticket.customerEmail, accountId: ticket.accountId };
  const about = `ticket ${ticket.no} (“${ticket.subject}”)`;
  switch (effect.kind) {
    case 'reply_to_customer':
      if (ticket.reply === null) return [];
      return [
        {
          ...to,
          businessKey: `ticket-reply/${ticket.no}/${ticket.reply.id}`,
          kind: 'ticket-reply',
          subject: `[${ticket.no}] Support replied: ${ticket.subject}`,
          body: [`Hello ${ticket.accountName},`, '', `Support replied to your ${about}:`, '', ticket.reply.body, '', replyHint(ticket.no)].join('\n'),
        },
      ];
    case 'resolved_to_customer':
      return [
        {
          ...to,
          businessKey: `ticket-resolved/${ticket.no}/${ticket.state.version}`,
          kind: 'ticket-resolved',
          subject: `[${ticket.no}] Resolved: ${ticket.subject}`,
          body: [
            `Hello ${ticket.accountName},`,
            '',
            `Your ${about} has been resolved. If something is still wrong, reopen it or reply; otherwise it closes by itself in a few days.`,
            '',
            replyHint(ticket.no),
          ].join('\n'),
        },
      ];
    case 'reminder_to_customer':
      return [
        {
          ...to,
          businessKey: `ticket-reminder/${ticket.no}/${new Date(ticket.state.awaitingSince ?? 0).toISOString()}/${effect.reminder}`,
          kind: 'ticket-reminder',
          subject: `[${ticket.no}] Waiting for your answer: ${ticket.subject}`,
          body: [
            `Hello ${ticket.accountName},`,
            '',
            `Support is waiting for your answer on ${about}. Without one, the ticket will be resolved automatically.`,
            '',
            replyHint(ticket.no),
          ].join('\n'),
        },
      ];
    case 'escalation_to_leads':
      return ticket.leads.map((lead) => ({
        to: lead,
        accountId: ticket.accountId,
        businessKey: `ticket-sla-breach/${ticket.no}/${lead}`,
        kind: 'ticket-sla-breach',
        subject: `[${ticket.no}] First-response SLA breached`,
        body: [
          `Nobody from support has answered ${about} of account ${ticket.accountId} within its first-response SLA.`,
          `It is ${ticket.state.status.replace('_', ' ')}, ${ticket.state.assigneeId === null ? 'unassigned' : `assigned to ${ticket.state.assigneeId}`}.`,
          '',
          `Queue: GET /v1/support/tickets?slaBreached=true`,
        ].join('\n'),
      }));
  }
}

const replyHint = (no: string) => `Answer through the Billing Center (POST /v1/tickets/${no}/messages).`;
