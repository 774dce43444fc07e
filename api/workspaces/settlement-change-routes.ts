import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { DomainError } from '../../src/domain/errors.js';
import type { Effective } from '../../src/domain/settlement/cutover.js';
import type { SettlementTarget } from '../../src/domain/settlement/routing.js';
import type { ServiceContext } from '../../src/services/context.js';
import type { SettlementChange } from '../../src/services/settlement/change.js';
import { failSettlementChange } from '../../src/services/settlement/progress.js';
import { getSettlementChange, requestSettlementChange } from '../../src/services/settlement/request.js';
import type { Workflows } from '../../src/temporal/workflows.js';
import { customerOf } from '../plugins/auth.js';
import { IdempotencyHeaders } from '../plugins/idempotency.js';
import { problems, Timestamp, Uuid } from '../schemas.js';
import { WorkspaceId } from './routes.js';

const CUSTOMER = { roles: ['customer'] } as const;

const Method = Type.Union([Type.Literal('billing_center'), Type.Literal('cloud_account')]);
const Target = Type.Object({ method: Method, cloudAccountId: Type.Union([Uuid, Type.Null()]) });

const ChangeBody = Type.Object(
  {
    method: Method,
    cloudAccountId: Type.Optional(Uuid),
    effective: Type.Optional(
      Type.Union([Type.Literal('immediate'), Type.Literal('next_month'), Timestamp], {
        description:
          '`immediate`: the next full hour; `next_month` (the default): 00:00 on the 1st in your time zone; or a full hour in the future (RFC 3339).',
      }),
    ),
  },
  { additionalProperties: false },
);

const ChangeView = Type.Object({
  id: Uuid,
  workspaceId: Type.String(),
  from: Target,
  to: Target,
  effective: Type.Union([Type.Literal('immediate'), Type.Literal('next_month'), Type.Literal('at')]),
  cutoverAt: Timestamp,
  status: Type.Union([
    Type.Literal('requested'),
    Type.Literal('waiting'),
    Type.Literal('closing'),
    Type.Literal('completed'),
    Type.Literal('failed'),
  ]),
  failure: Type.Union([Type.Object({ code: Type.String(), reason: Type.String() }), Type.Null()]),
  requestedAt: Timestamp,
  updatedAt: Timestamp,
  endedAt: Type.Union([Timestamp, Type.Null()]),
  links: Type.Object({ self: Type.String() }),
});

const target = (t: SettlementTarget) => ({ method: t.method, cloudAccountId: t.cloudAccountId });
const view = (change: SettlementChange): Static<typeof ChangeView> => ({
  id: change.id,
  workspaceId: change.workspaceId,
  from: target(change.from),
  to: target(change.to),
  effective: change.effective,
  cutoverAt: change.cutoverAt.toISOString(),
  status: change.status,
  failure: change.failure,
  requestedAt: change.requestedAt.toISOString(),
  updatedAt: change.updatedAt.toISOString(),
  endedAt: change.endedAt?.toISOString() ?? null,
  links: { self: `/v1/workspaces/${encodeURIComponent(change.workspaceId)}/settlement-changes/${change.id}` },
});

const toEffective = (effective: Static<typeof ChangeBody>['effective']): Effective =>
  effective === undefined || effective === 'next_month' ? 'next_month' : effective === 'immediate' ? 'immediate' : { at: new Date(effective) };

/** POST /v1/workspaces/{workspaceId}/settlement-changes, GET /v1/workspaces/{workspaceId}/settlement-changes/{id} */
export const settlementChangeRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext; workflows: Workflows }> = async (
  app,
  { services, workflows },
) => {
  app.post(
    '/v1/workspaces/:workspaceId/settlement-changes',
    {
      config: { access: CUSTOMER, idempotency: 'required' },
      schema: {
        tags: ['workspaces'],
        summary: "Change a workspace's settlement (billing center or one of your cloud accounts) at a clean cut-over",
        description:
          'Answers 202 at once with the cut-over; follow the change at `links.self` until it is `completed` or `failed` (with the reason). ' +
          'The cloud marketplace is asked by the change itself: its refusal ends the change as failed, and the workspace stays where it was. ' +
          '404 for a workspace that is not yours; 409 `settlement-change-in-flight` while another change of the workspace runs; 422 ' +
          '`unknown-cloud-account`, `settlement-unchanged`, `account-cannot-pay`, `effective-in-past`, `effective-not-on-hour`.',
        params: Type.Object({ workspaceId: WorkspaceId }),
        headers: IdempotencyHeaders,
        body: ChangeBody,
        response: { 202: ChangeView, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { accountId, userId } = customerOf(request);
      const { method, cloudAccountId, effective } = request.body;
      const change = await requestSettlementChange(services, {
        accountId,
        userId,
        workspaceId: request.params.workspaceId,
        method,
        ...(cloudAccountId === undefined ? {} : { cloudAccountId }),
        effective: toEffective(effective),
      });
      try {
        await workflows.startSettlementChange({
          changeId: change.id,
          workspaceId: change.workspaceId,
          accountId,
          from: change.from,
          to: change.to,
          cutoverAt: change.cutoverAt.getTime(),
        });
      } catch (error) {
        // Nobody would carry the change out: end it, so it does not block the next one.
        request.log.error({ err: error, settlementChangeId: change.id }, 'could not start the settlement change workflow');
        await failSettlementChange(services, change.id, { code: 'not-started', reason: 'The change could not be started.' });
        throw new DomainError('unavailable', 'service-unavailable', 'Settlement changes are unavailable right now; nothing changed. Try again.', {
          retryAfterSeconds: 30,
        });
      }
      return reply.code(202).send(view(change));
    },
  );

  app.get(
    '/v1/workspaces/:workspaceId/settlement-changes/:id',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['workspaces'],
        summary: 'Follow a settlement change of one of your workspaces',
        params: Type.Object({ workspaceId: WorkspaceId, id: Uuid }),
        response: { 200: ChangeView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => view(await getSettlementChange(services, customerOf(request).accountId, request.params.workspaceId, request.params.id)),
  );
};
