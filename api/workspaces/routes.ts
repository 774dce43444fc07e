import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';

/** GET|POST /v1/workspaces, GET|DELETE /v1/workspaces/{workspaceId}, GET /v1/workspaces/{workspaceId}/standing */
export const workspaceRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (_app, _options) => {};
