import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { WebhookPayloadError, WebhookVerificationError, type VerifiedPaymentEvent } from '../../src/payments/gateway.js';
import type { PaymentGateways } from '../../src/payments/gateways.js';
import { acceptPaymentNotification } from '../../src/payments/notifications.js';
import { SandboxNotification } from '../../src/payments/sandbox-protocol.js';
import { SIGNATURE_HEADER } from '../../src/payments/signature.js';
import type { ServiceContext } from '../../src/services/context.js';
import type { Workflows } from '../../src/temporal/workflows.js';
import { problem, ProblemType } from '../problem.js';
import { problems } from '../schemas.js';

const Outcome = Type.Union(
  [
    Type.Literal('delivered'),
    Type.Literal('refund_claim_recorded'),
    Type.Literal('refund_claim_exists'),
    Type.Literal('ignored_unknown_order'),
    Type.Literal('ignored_recharge_ended'),
  ],
  { description: 'what became of the notification; every verified one is acknowledged' },
);

const DESCRIPTION = [
  'Called by a payment gateway, not by people: authenticated by an HMAC-SHA256 signature over the raw body ',
  `(\`${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex>\` over \`<t>.<body>\`, at most 5 minutes old). `,
  'A missing, wrong or stale signature is 401 and changes nothing. Every verified notification is answered 200 at once: ',
  'it is handed to its recharge’s workflow, which ignores event ids it has seen (replays are harmless) and decides; ',
  'a success arriving after the recharge ended uncredited is recorded for refund (one claim per recharge), never credited; ',
  'a notification for an order no cash recharge has is logged and acknowledged, so the gateway stops retrying. ',
  '503 (retry later) only when the service cannot act on it now.',
].join('');

/** `POST /v1/payments/webhooks/{gateway}`: where payment gateways notify us of payments succeeding or failing. */
export const paymentWebhookRoutes: FastifyPluginAsyncTypebox<{
  services: ServiceContext;
  workflows: Workflows;
  payments: PaymentGateways;
}> = async (app, { services, workflows, payments }) => {
  // The signature covers the exact bytes sent, so in this plugin's scope JSON arrives unparsed; it is read
  // only after the signature holds (below). Other routes keep the app's JSON parser.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const verified = new WeakMap<FastifyRequest, VerifiedPaymentEvent>();

  app.post(
    '/v1/payments/webhooks/:gateway',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['payments'],
        summary: 'Payment notification from a gateway (signed)',
        description: DESCRIPTION,
        params: Type.Object({ gateway: Type.String({ description: 'the gateway’s name; the one shipped is `sandbox`' }) }),
        headers: Type.Object({ [SIGNATURE_HEADER]: Type.Optional(Type.String({ description: '`t=<unix seconds>,v1=<hex HMAC-SHA256>`' })) }),
        body: SandboxNotification,
        response: { 200: Type.Object({ received: Type.Literal(true), outcome: Outcome }), ...problems(400, 401, 404, 413, 415, 503) },
      },
      // Before schema validation: an unsigned body is refused as unsigned, whatever it contains.
      preValidation: async (request) => {
        const name = (request.params as { gateway: string }).gateway;
        const gateway = payments.byName(name);
        if (!gateway) throw problem(404, ProblemType.notFound, `No payment gateway is called ${JSON.stringify(name)}.`);
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        try {
          verified.set(request, gateway.verifyWebhook(raw, request.headers));
        } catch (error) {
          if (error instanceof WebhookVerificationError) {
            request.log.warn({ gateway: name, reason: error.reason }, 'payment notification refused: signature');
            throw problem(401, 'webhook-signature-invalid', error.message);
          }
          if (error instanceof WebhookPayloadError) {
            request.log.error({ gateway: name, err: error }, 'signed payment notification we cannot read');
            throw problem(400, ProblemType.validation, error.message);
          }
          throw error;
        }
        // The sandbox's notifications are JSON (its adapter has just read this one); the schema check that
        // follows sees the same object. A body that is not JSON stays raw and fails that check (400).
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          parsed = raw.toString('utf8');
        }
        (request as { body: unknown }).body = parsed;
      },
    },
    async (request, reply) => {
      const event = verified.get(request);
      if (!event) throw new Error('payment notification reached its handler unverified');
      try {
        const outcome = await acceptPaymentNotification({ services, workflows, log: request.log }, event);
        request.log.info({ gatewayEventId: event.eventId, orderId: event.orderId, outcome }, 'payment notification accepted');
        return reply.send({ received: true as const, outcome });
      } catch (error) {
        // Nothing the gateway sent is wrong: we cannot act now (database or Temporal away). It retries on non-2xx.
        request.log.error({ err: error, gatewayEventId: event.eventId }, 'payment notification not processed; the gateway will retry');
        throw problem(503, 'payment-notification-not-processed', 'The notification could not be processed now; send it again later.', {
          headers: { 'retry-after': '10' },
        });
      }
    },
  );
};
