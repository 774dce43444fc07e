import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';
import { listRealNameReviews, reviewRealName } from '../../src/services/identity/real-name.js';
import { RealNameReviewView, RealNameStatus, toRealNameReviewView } from '../account/views.js';
import { decodeCursor, page } from '../pagination.js';
import { personOf } from '../plugins/auth.js';
import { Page, PageQuery, problems, Uuid } from '../schemas.js';

const REVIEWERS = { roles: ['support', 'admin'] } as const;
const ById = Type.Object({ id: Uuid });

/** GET /v1/support/real-name-reviews, POST .../{id}/approve, POST .../{id}/reject */
export const realNameReviewRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.get(
    '/v1/support/real-name-reviews',
    {
      config: { access: REVIEWERS },
      schema: {
        tags: ['support'],
        summary: 'Real-name submissions, newest first (document numbers masked)',
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(RealNameStatus) }, { additionalProperties: false }),
        response: { 200: Page(RealNameReviewView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor);
      const rows = await listRealNameReviews(services, {
        limit,
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(after ? { after } : {}),
      });
      const result = page(rows, limit, (row) => ({ at: row.submittedAt, id: row.id }));
      return { items: result.items.map(toRealNameReviewView), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/v1/support/real-name-reviews/:id/approve',
    {
      config: { access: REVIEWERS },
      schema: {
        tags: ['support'],
        summary: 'Approve a pending submission',
        params: ById,
        response: { 200: RealNameReviewView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toRealNameReviewView(await reviewRealName(services, personOf(request).userId, request.params.id, { approve: true })),
  );

  app.post(
    '/v1/support/real-name-reviews/:id/reject',
    {
      config: { access: REVIEWERS },
      schema: {
        tags: ['support'],
        summary: 'Reject a pending submission with a reason the customer will read',
        params: ById,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }) }, { additionalProperties: false }),
        response: { 200: RealNameReviewView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toRealNameReviewView(
        await reviewRealName(services, personOf(request).userId, request.params.id, { approve: false, reason: request.body.reason }),
      ),
  );
};
