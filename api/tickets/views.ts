import { Type, type Static } from '@fastify/type-provider-typebox';
import { TICKET_CATEGORIES, TICKET_LIMITS, TICKET_PRIORITIES, TICKET_STATUSES } from '../../src/domain/tickets/ticket.js';
import { TICKET_NO_PATTERN } from '../../src/domain/tickets/ticket-number.js';
import type { Ticket, TicketMessage } from '../../src/db/generated/client.js';
import { Timestamp, Uuid } from '../schemas.js';

/** Schemas and views shared by the customers' ticket routes and support's. */

export const TicketCategory = Type.Enum(TICKET_CATEGORIES);
export const TicketPriority = Type.Enum(TICKET_PRIORITIES);
export const TicketStatus = Type.Enum(TICKET_STATUSES);
export const ByTicketNo = Type.Object({ no: Type.String({ pattern: TICKET_NO_PATTERN, description: 'e.g. T-2026-000123' }) });
export const Subject = Type.String({ minLength: 1, maxLength: TICKET_LIMITS.subjectMaxChars, pattern: '\\S' });
export const MessageBody = Type.String({
  minLength: 1,
  maxLength: TICKET_LIMITS.messageMaxChars,
  pattern: '\\S',
  description: `1 to ${TICKET_LIMITS.messageMaxChars} characters, not blank`,
});

const customerFields = {
  no: Type.String(),
  status: TicketStatus,
  category: TicketCategory,
  priority: TicketPriority,
  subject: Type.String(),
  workspaceId: Type.Union([Type.String(), Type.Null()]),
  /** The closed ticket this one follows up. */
  followsUpNo: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  lastMessageAt: Timestamp,
  resolvedAt: Type.Union([Timestamp, Type.Null()]),
  closedAt: Type.Union([Timestamp, Type.Null()]),
  links: Type.Object({ self: Type.String() }),
};
const staffFields = {
  ...customerFields,
  accountId: Uuid,
  assigneeId: Type.Union([Uuid, Type.Null()]),
  slaDueAt: Type.Union([Timestamp, Type.Null()]),
  slaBreached: Type.Boolean(),
  firstResponseAt: Type.Union([Timestamp, Type.Null()]),
};

export const TicketView = Type.Object(customerFields);
export const StaffTicketView = Type.Object(staffFields);

const MessageView = Type.Object({ id: Uuid, from: Type.Union([Type.Literal('customer'), Type.Literal('support')]), body: Type.String(), createdAt: Timestamp });
const StaffMessageView = Type.Object({ ...MessageView.properties, authorId: Uuid, internal: Type.Boolean() });

export const TicketDetail = Type.Object({ ...customerFields, messages: Type.Array(MessageView) });
export const StaffTicketDetail = Type.Object({ ...staffFields, messages: Type.Array(StaffMessageView) });

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toTicketView(ticket: Ticket): Static<typeof TicketView> {
  return {
    no: ticket.no,
    status: ticket.status as Static<typeof TicketStatus>,
    category: ticket.category as Static<typeof TicketCategory>,
    priority: ticket.priority as Static<typeof TicketPriority>,
    subject: ticket.subject,
    workspaceId: ticket.workspaceId,
    followsUpNo: ticket.followsUpNo,
    createdAt: ticket.createdAt.toISOString(),
    lastMessageAt: ticket.lastMessageAt.toISOString(),
    resolvedAt: iso(ticket.resolvedAt),
    closedAt: iso(ticket.closedAt),
    links: { self: `/v1/tickets/${ticket.no}` },
  };
}

export function toStaffTicketView(ticket: Ticket): Static<typeof StaffTicketView> {
  return {
    ...toTicketView(ticket),
    links: { self: `/v1/support/tickets/${ticket.no}` },
    accountId: ticket.accountId,
    assigneeId: ticket.assigneeId,
    slaDueAt: iso(ticket.slaDueAt),
    slaBreached: ticket.slaBreached,
    firstResponseAt: iso(ticket.firstResponseAt),
  };
}

export function toMessageView(message: TicketMessage) {
  return { id: message.id, from: message.authorKind === 'staff' ? ('support' as const) : ('customer' as const), body: message.body, createdAt: message.createdAt.toISOString() };
}

export function toStaffMessageView(message: TicketMessage) {
  return { ...toMessageView(message), authorId: message.authorId, internal: message.internal };
}
