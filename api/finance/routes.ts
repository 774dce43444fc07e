import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';

/** GET /v1/finance/journal, GET /v1/finance/trial-balance, POST /v1/finance/adjustments */
export const financeRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (_app, _options) => {};
