import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';

/** GET /v1/support/real-name-reviews, POST .../{id}/approve, POST .../{id}/reject */
export const realNameReviewRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (_app, _options) => {};
