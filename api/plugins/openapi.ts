import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** OpenAPI 3 document at /docs/json, generated from the route schemas; Swagger UI at /docs. */
export const openapiPlugin = fp(async (app: FastifyInstance, options: { version: string }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Billing Center API',
        version: options.version,
        description:
          'Accounts, balances, recharges, usage charging, bills and tickets. Errors are application/problem+json ' +
          '(RFC 9457) with a stable `type`; money is `{amount: "123.45", currency: "CNY"}`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A person: customer or staff' },
          apiKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`ApiKey <key>`: the platform' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}, { name: 'openapi' });
