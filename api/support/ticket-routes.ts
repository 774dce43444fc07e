import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../src/domain/errors.js';
import type { ServiceContext } from '../../src/services/context.js';
import { actOnTicket, ticketFor } from '../../src/services/tickets/act.js';
import { ticketThread } from '../../src/services/tickets/read.js';
import type { Workflows } from '../../src/temporal/workflows.js';
import { personOf } from '../plugins/auth.js';
import { IdempotencyHeaders } from '../plugins/idempotency.js';
import { Page, PageQuery, problems, Uuid } from '../schemas.js';
import {
  ByTicketNo,
  MessageBody,
  StaffTicketDetail,
  StaffTicketView,
  TicketCategory,
  TicketPriority,
  TicketStatus,
  toStaffMessageView,
  toStaffTicketView,
} from '../tickets/views.js';
import { ticketPage } from '../tickets/page.js';

const SUPPORT = { roles: ['support', 'admin'] } as const;
const ACTION_ANSWERS = { 200: StaffTicketView, ...problems(400, 401, 403, 404, 409) };

/** GET /v1/support/tickets (the queue), GET .../{no}, POST .../{no}/assign, .../messages, .../resolve, .../status */
export const supportTicketRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext; workflows: Workflows }> = async (app, { services, workflows }) => {
  const staff = (request: Parameters<typeof personOf>[0]) => ({ kind: 'staff' as const, userId: personOf(request).userId });

  app.get(
    '/v1/support/tickets',
    {
      config: { access: SUPPORT },
      schema: {
        tags: ['support'],
        summary: 'The ticket queue, newest first, with filters',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(TicketStatus),
            priority: Type.Optional(TicketPriority),
            category: Type.Optional(TicketCategory),
            assignee: Type.Optional(
              Type.Union([Type.Literal('me'), Type.Literal('none'), Uuid], { description: '`me`, `none` (unassigned) or a support user id' }),
            ),
            slaBreached: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(StaffTicketView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { assignee, status, priority, category, slaBreached } = request.query;
      const result = await ticketPage(
        services,
        {
          ...(status ? { status } : {}),
          ...(priority ? { priority } : {}),
          ...(category ? { category } : {}),
          ...(slaBreached === undefined ? {} : { slaBreached }),
          ...(assignee === undefined ? {} : { assigneeId: assignee === 'none' ? null : assignee === 'me' ? personOf(request).userId : assignee }),
        },
        request.query,
      );
      return { items: result.items.map(toStaffTicketView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/v1/support/tickets/:no',
    {
      config: { access: SUPPORT },
      schema: {
        tags: ['support'],
        summary: 'A ticket with its whole thread, internal notes included',
        params: ByTicketNo,
        response: { 200: StaffTicketDetail, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const ticket = await ticketFor(services, staff(request), request.params.no);
      const messages = await ticketThread(services, ticket.id, { includeInternal: true });
      return { ...toStaffTicketView(ticket), messages: messages.map(toStaffMessageView) };
    },
  );

  app.post(
    '/v1/support/tickets/:no/assign',
    {
      config: { access: SUPPORT },
      schema: {
        tags: ['support'],
        summary: 'Assign a ticket to a support user (yourself when `assigneeId` is omitted); a new ticket opens',
        params: ByTicketNo,
        body: Type.Object({ assigneeId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: ACTION_ANSWERS,
      },
    },
    async (request) => {
      const by = personOf(request).userId;
      const action = { type: 'assign' as const, by, assigneeId: request.body.assigneeId ?? by };
      return toStaffTicketView(await actOnTicket(services, workflows, staff(request), request.params.no, action));
    },
  );

  app.post(
    '/v1/support/tickets/:no/messages',
    {
      // A retried reply (same key and body) is answered again, never stored or emailed twice.
      config: { access: SUPPORT, idempotency: 'required' },
      schema: {
        tags: ['support'],
        summary: 'Reply to the customer, or add an internal note',
        description:
          'A public reply (emailed to the customer) opens the ticket, or with `waitForCustomer` sets it awaiting the customer; the first ' +
          'one stops the first-response SLA and assigns you if nobody was. An `internal` note is never shown to the customer.',
        headers: IdempotencyHeaders,
        params: ByTicketNo,
        body: Type.Object(
          { body: MessageBody, internal: Type.Optional(Type.Boolean({ default: false })), waitForCustomer: Type.Optional(Type.Boolean({ default: false })) },
          { additionalProperties: false },
        ),
        response: ACTION_ANSWERS,
      },
    },
    async (request) => {
      const { body, internal = false, waitForCustomer = false } = request.body;
      if (internal && waitForCustomer) {
        throw new DomainError('invalid', 'validation', 'An internal note does not reach the customer, so it cannot wait for them.', {
          fields: [{ path: '/body/waitForCustomer', message: 'cannot be set on an internal note' }],
        });
      }
      const by = personOf(request).userId;
      const action = internal ? { type: 'internal_note' as const, by } : { type: 'staff_reply' as const, by, waitForCustomer };
      return toStaffTicketView(await actOnTicket(services, workflows, staff(request), request.params.no, action, body));
    },
  );

  app.post(
    '/v1/support/tickets/:no/resolve',
    {
      config: { access: SUPPORT },
      schema: { tags: ['support'], summary: 'Resolve a ticket (it must have an assignee); the customer is told', params: ByTicketNo, response: ACTION_ANSWERS },
    },
    async (request) =>
      toStaffTicketView(await actOnTicket(services, workflows, staff(request), request.params.no, { type: 'resolve', by: personOf(request).userId })),
  );

  app.post(
    '/v1/support/tickets/:no/status',
    {
      config: { access: SUPPORT },
      schema: {
        tags: ['support'],
        summary: 'Set a ticket’s status; a transition the status machine does not allow is 409',
        params: ByTicketNo,
        body: Type.Object({ status: TicketStatus }, { additionalProperties: false }),
        response: ACTION_ANSWERS,
      },
    },
    async (request) => {
      const action = { type: 'set_status' as const, by: personOf(request).userId, status: request.body.status };
      return toStaffTicketView(await actOnTicket(services, workflows, staff(request), request.params.no, action));
    },
  );
};
