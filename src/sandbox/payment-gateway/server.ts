import { timingSafeEqual } from 'node:crypto';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { InvalidAmountError, Money } from '../../domain/money.js';
import type { Logger } from '../../logger.js';
import { listeningUrl } from '../../runtime/ports.js';
import { SandboxCloseResult, SandboxCreateOrder, SandboxOrder } from '../../payments/sandbox-protocol.js';
import { DEFAULT_RETRY_DELAYS_MS, Notifier } from './notifier.js';
import { OrderBook, OrderConflict, type StoredOrder } from './orders.js';
import { payPage } from './pay-page.js';

/**
 * The sandbox payment gateway: a small HTTP service of its own, standing in for a real gateway so cash
 * recharges work end to end with no account anywhere. Merchant API (bearer = the merchant key):
 * `POST /orders` (idempotent by orderRef), `GET /orders/:id`, `POST /orders/:id/close`. Payer side (open, as
 * a hosted pay page is): `GET /pay/:id`, `POST /pay/:id/succeed[?force=1]`, `POST /pay/:id/fail`; each
 * outcome is notified to the order's notify URL, signed with the merchant key, retried until acknowledged.
 * Not a real gateway: no money moves, and nothing stops a visitor of a pay link from paying it.
 */

export interface SandboxGatewayOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The merchant key: our calls' bearer token and the notifications' HMAC key. */
  secret: string;
  log: Logger;
  /** Base of the pay links it hands out (default: where it listens). */
  publicUrl?: string;
  /** Where orders are kept across restarts; in memory only when unset. */
  stateFile?: string;
  retryDelaysMs?: readonly number[];
  now?: () => Date;
}

export interface SandboxGatewayHandle {
  name: string;
  url: string;
  stop(): Promise<void>;
}

const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const PayQuery = Type.Object({ force: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true')])) });
const Failure = Type.Object({ error: Type.String(), message: Type.String() });

class SandboxError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startSandboxGateway(options: SandboxGatewayOptions): Promise<SandboxGatewayHandle> {
  const now = options.now ?? (() => new Date());
  const log = options.log;
  const book = await OrderBook.open({
    ...(options.stateFile ? { file: options.stateFile } : {}),
    onSaveError: (error) => log.error({ err: error }, 'sandbox gateway could not save its orders'),
  });
  const notifier = new Notifier({
    secret: options.secret,
    now,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: 10_000,
    onAttempt: (event, result) => {
      book.attempted(event.orderId, event.eventId, result);
      if (result.deliveredAt) log.info({ orderId: event.orderId, eventId: event.eventId }, 'notification delivered');
      else log.warn({ orderId: event.orderId, eventId: event.eventId, answer: result.status }, 'notification not acknowledged');
    },
  });

  // Its own log lines say what happened to orders; per-request lines would only repeat them.
  const app = Fastify({ loggerInstance: log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) }).withTypeProvider<TypeBoxTypeProvider>();
  let publicUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const view = (order: StoredOrder): SandboxOrder => {
    const { notifyUrl: _notifyUrl, ...rest } = order;
    return { ...rest, payUrl: `${publicUrl}/pay/${encodeURIComponent(order.orderId)}` };
  };
  const find = (id: string): StoredOrder => {
    const order = book.get(id);
    if (!order) throw new SandboxError(404, 'order_not_found', `No order ${id}.`);
    return order;
  };
  const merchantOnly = async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !sameSecret(header.slice(7), options.secret)) {
      throw new SandboxError(401, 'unauthorized', 'Send the merchant key as `Authorization: Bearer <key>`.');
    }
  };
  // The pay page's buttons post plain HTML forms; their (empty) fields carry nothing we read.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));
  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    if (error instanceof SandboxError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    if (error instanceof OrderConflict) return reply.code(409).send({ error: error.code, message: error.message });
    if (error instanceof InvalidAmountError) return reply.code(400).send({ error: 'invalid_amount', message: error.message });
    const status = error.statusCode ?? 500;
    if (status >= 500) log.error({ err: error }, 'sandbox gateway failed');
    return reply.code(status).send({ error: status >= 500 ? 'internal' : 'invalid_request', message: error.message });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.post(
    '/orders',
    { onRequest: merchantOnly, schema: { body: SandboxCreateOrder, response: { 200: SandboxOrder, 201: SandboxOrder, 400: Failure, 409: Failure } } },
    async (request, reply) => {
      Money.fromApi(request.body.amount, { field: '/amount' }); // only amounts our money type accepts
      const { order, created } = book.create(request.body, now());
      if (created) log.info({ orderId: order.orderId, orderRef: order.orderRef }, 'sandbox order created');
      return reply.code(created ? 201 : 200).send(view(order));
    },
  );

  app.get('/orders/:id', { onRequest: merchantOnly, schema: { params: OrderParams, response: { 200: SandboxOrder, 404: Failure } } }, async (request) =>
    view(find(request.params.id)),
  );

  app.post(
    '/orders/:id/close',
    { onRequest: merchantOnly, schema: { params: OrderParams, response: { 200: SandboxCloseResult, 404: Failure } } },
    async (request) => {
      const order = find(request.params.id);
      return { status: book.close(order, now()), order: view(order) };
    },
  );

  app.get('/pay/:id', { schema: { params: OrderParams } }, async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(payPage(find(request.params.id))),
  );

  const settle = (outcome: 'succeeded' | 'failed') => async (
    request: FastifyRequest<{ Params: { id: string }; Querystring: { force?: '1' | 'true' } }>,
    reply: FastifyReply,
  ) => {
    const order = find(request.params.id);
    const browser = (request.headers.accept ?? '').includes('text/html');
    try {
      const event = book.settle(order, outcome, request.query.force !== undefined, now());
      log.info({ orderId: order.orderId, outcome, forced: request.query.force !== undefined }, 'sandbox payment settled');
      notifier.send(order.notifyUrl, event);
      if (browser) return reply.redirect(`/pay/${encodeURIComponent(order.orderId)}`, 303);
      return reply.send({ order: view(order), eventId: event.eventId });
    } catch (error) {
      // A person pressing a button twice sees the page again; a program gets the 409.
      if (browser && error instanceof OrderConflict) return reply.redirect(`/pay/${encodeURIComponent(order.orderId)}`, 303);
      throw error;
    }
  };
  const payRoute = { schema: { params: OrderParams, querystring: PayQuery } };
  app.post('/pay/:id/succeed', payRoute, settle('succeeded'));
  app.post('/pay/:id/fail', payRoute, settle('failed'));

  await app.listen({ host: options.host, port: options.port });
  const url = listeningUrl(app.server, options.host, options.port);
  publicUrl ||= url;
  return {
    name: 'sandbox payment gateway',
    url,
    async stop() {
      await app.close();
      await notifier.close();
      await book.flushed();
    },
  };
}
