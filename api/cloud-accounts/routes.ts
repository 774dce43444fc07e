import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';

/** GET|POST /v1/account/cloud-accounts, DELETE /v1/account/cloud-accounts/{id} */
export const cloudAccountRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (_app, _options) => {};
