import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';

/** GET|PATCH /v1/account, POST /v1/account/password, GET|POST /v1/account/real-name */
export const accountRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (_app, _options) => {};
