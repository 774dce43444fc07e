import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';

/** GET /v1/balances, /v1/statements/consumption, /v1/statements/income-expenditure, /v1/vouchers, /v1/prepaid-cards */
export const statementRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (_app, _options) => {};
