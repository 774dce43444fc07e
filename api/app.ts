import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../src/logger.js';
import type { ServiceContext } from '../src/services/context.js';
import type { Workflows } from '../src/temporal/workflows.js';
import { accountRoutes } from './account/routes.js';
import { adminRoutes } from './admin/routes.js';
import { authRoutes } from './auth/routes.js';
import { cloudAccountRoutes } from './cloud-accounts/routes.js';
import { healthRoutes, type ReadinessChecks } from './health/routes.js';
import { authPlugin } from './plugins/auth.js';
import { errorsPlugin } from './plugins/errors.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openapiPlugin } from './plugins/openapi.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { realNameReviewRoutes } from './support/real-name-routes.js';
import { salesRoutes } from './sales/routes.js';
import { usageRoutes } from './usage/routes.js';
import { statementRoutes } from './statements/routes.js';
import { financeRoutes } from './finance/routes.js';
import { marketplaceReportRoutes } from './marketplace-reports/routes.js';
import { billRoutes } from './bills/routes.js';
import { workspaceRoutes } from './workspaces/routes.js';
import { settlementChangeRoutes } from './workspaces/settlement-change-routes.js';
import { paymentWebhookRoutes } from './payments/webhook-routes.js';
import type { PaymentGateways } from '../src/payments/gateways.js';
import { rechargeRoutes } from './recharges/routes.js';
import { supportTicketRoutes } from './support/ticket-routes.js';
import { ticketRoutes } from './tickets/routes.js';
import type { TicketClockSettings } from '../src/domain/tickets/clocks.js';

/** The application instance every route plugin is registered on. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface AppDependencies {
  log: Logger;
  services: ServiceContext;
  workflows: Workflows;
  /** The payment gateways whose signed notifications the webhook accepts. */
  payments: PaymentGateways;
  /** Cash recharge limits, decimal amounts in each account's currency. */
  cashLimits: { min: string; max: string };
  /** The clocks new tickets get (TICKET_* settings). */
  ticketClocks: TicketClockSettings;
  readiness: ReadinessChecks;
  version: string;
  bodyLimitBytes: number;
  /** Where the in-process worker's Temporal runtime exports metrics, if any. */
  workerMetricsUrl?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Composes the API: cross-cutting plugins first (errors, metrics, OpenAPI), then one plugin per resource.
 * The process concerns (listening, shutdown) live in src/roles/api.ts; tests call `app.inject` on this.
 */
export async function buildApp(deps: AppDependencies): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // A caller's request id is kept (so a trace spans services); otherwise each request gets a fresh one.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON is the only request body the API speaks; anything else is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorsPlugin);
  await app.register(rateLimitPlugin);
  await app.register(authPlugin, { services: deps.services });
  await app.register(idempotencyPlugin, { services: deps.services });
  await app.register(metricsPlugin, deps.workerMetricsUrl ? { workerMetricsUrl: deps.workerMetricsUrl } : {});
  await app.register(openapiPlugin, { version: deps.version });

  await app.register(healthRoutes, { checks: deps.readiness });
  await app.register(authRoutes, { services: deps.services });
  await app.register(accountRoutes, { services: deps.services });
  await app.register(cloudAccountRoutes, { services: deps.services });
  await app.register(workspaceRoutes, { services: deps.services });
  await app.register(settlementChangeRoutes, { services: deps.services, workflows: deps.workflows });
  await app.register(realNameReviewRoutes, { services: deps.services });
  await app.register(usageRoutes, { services: deps.services, workflows: deps.workflows });
  await app.register(rechargeRoutes, { services: deps.services, workflows: deps.workflows, cashLimits: deps.cashLimits });
  await app.register(paymentWebhookRoutes, { services: deps.services, workflows: deps.workflows, payments: deps.payments });
  await app.register(statementRoutes, { services: deps.services });
  await app.register(financeRoutes, { services: deps.services });
  await app.register(marketplaceReportRoutes, { services: deps.services });
  await app.register(billRoutes, { services: deps.services });
  await app.register(salesRoutes, { services: deps.services, workflows: deps.workflows });
  await app.register(adminRoutes, { services: deps.services });
  await app.register(ticketRoutes, { services: deps.services, workflows: deps.workflows, ticketClocks: deps.ticketClocks });
  await app.register(supportTicketRoutes, { services: deps.services, workflows: deps.workflows });

  return app;
}
