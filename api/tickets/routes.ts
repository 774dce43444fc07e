import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TicketClockSettings } from '../../src/domain/tickets/clocks.js';
import type { ServiceContext } from '../../src/services/context.js';
import { actOnTicket, ticketFor } from '../../src/services/tickets/act.js';
import { submitTicket } from '../../src/services/tickets/open.js';
import { ticketThread } from '../../src/services/tickets/read.js';
import { replyAsCustomer } from '../../src/services/tickets/reply.js';
import type { Workflows } from '../../src/temporal/workflows.js';
import { customerOf } from '../plugins/auth.js';
import { IdempotencyHeaders } from '../plugins/idempotency.js';
import { ticketPage } from './page.js';
import { Page, PageQuery, problems } from '../schemas.js';
import { ByTicketNo, MessageBody, Subject, TicketCategory, TicketDetail, TicketPriority, TicketStatus, TicketView, toMessageView, toTicketView } from './views.js';

const CUSTOMER = { roles: ['customer'] } as const;

/** POST|GET /v1/tickets, GET /v1/tickets/{no}, POST .../messages, .../close, .../reopen */
export const ticketRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext; workflows: Workflows; ticketClocks: TicketClockSettings }> = async (
  app,
  { services, workflows, ticketClocks },
) => {
  const actor = (request: Parameters<typeof customerOf>[0]) => ({ kind: 'customer' as const, ...customerOf(request) });

  app.post(
    '/v1/tickets',
    {
      config: { access: CUSTOMER, idempotency: 'required' },
      schema: {
        tags: ['tickets'],
        summary: 'Open a support ticket',
        description: 'The answer carries the ticket number (T-<year>-<sequence>) to quote; the first-response SLA starts now.',
        headers: IdempotencyHeaders,
        body: Type.Object(
          { category: TicketCategory, priority: TicketPriority, subject: Subject, message: MessageBody, workspaceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 201: TicketView, ...problems(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const { userId, accountId } = customerOf(request);
      const ticket = await submitTicket(services, workflows, ticketClocks, { userId, accountId }, request.body, { log: request.log });
      return reply.code(201).send(toTicketView(ticket));
    },
  );

  app.get(
    '/v1/tickets',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['tickets'],
        summary: 'Tickets of the account, newest first',
        querystring: Type.Object(
          { ...PageQuery, status: Type.Optional(TicketStatus), priority: Type.Optional(TicketPriority), category: Type.Optional(TicketCategory) },
          { additionalProperties: false },
        ),
        response: { 200: Page(TicketView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { accountId } = customerOf(request);
      const { status, priority, category } = request.query;
      const result = await ticketPage(
        services,
        { accountId, ...(status ? { status } : {}), ...(priority ? { priority } : {}), ...(category ? { category } : {}) },
        request.query,
      );
      return { items: result.items.map(toTicketView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/v1/tickets/:no',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['tickets'],
        summary: 'A ticket with its whole thread (support’s internal notes are never shown)',
        params: ByTicketNo,
        response: { 200: TicketDetail, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const ticket = await ticketFor(services, actor(request), request.params.no);
      const messages = await ticketThread(services, ticket.id, { includeInternal: false });
      return { ...toTicketView(ticket), messages: messages.map(toMessageView) };
    },
  );

  app.post(
    '/v1/tickets/:no/messages',
    {
      // A retried reply (same key and body) is answered again, never stored twice.
      config: { access: CUSTOMER, idempotency: 'required' },
      schema: {
        tags: ['tickets'],
        summary: 'Reply on a ticket',
        description:
          'A reply to a ticket awaiting your answer or resolved reopens it (200). A closed ticket is final: the reply opens a new ' +
          'ticket that follows it up (201, with `followsUpNo`).',
        headers: IdempotencyHeaders,
        params: ByTicketNo,
        body: Type.Object({ body: MessageBody }, { additionalProperties: false }),
        response: { 200: TicketView, 201: TicketView, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const result = await replyAsCustomer(services, workflows, ticketClocks, customerOf(request), request.params.no, request.body.body, request.log);
      return reply.code(result.followUp ? 201 : 200).send(toTicketView(result.ticket));
    },
  );

  for (const [path, type, summary] of [
    ['close', 'customer_close', 'Close a ticket (final: a later reply opens a new ticket)'],
    ['reopen', 'customer_reopen', 'Reopen a resolved ticket'],
  ] as const) {
    app.post(
      `/v1/tickets/:no/${path}`,
      {
        config: { access: CUSTOMER },
        schema: { tags: ['tickets'], summary, params: ByTicketNo, response: { 200: TicketView, ...problems(400, 401, 403, 404, 409) } },
      },
      async (request) => toTicketView(await actOnTicket(services, workflows, actor(request), request.params.no, { type })),
    );
  }
};
