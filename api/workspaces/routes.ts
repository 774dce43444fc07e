import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { CLOUD_PROVIDERS } from '../../src/domain/identity/cloud-account-id.js';
import type { ServiceContext } from '../../src/services/context.js';
import {
  bindWorkspace,
  getWorkspace,
  listWorkspaces,
  unbindWorkspace,
  workspaceStanding,
  type BoundWorkspace,
} from '../../src/services/identity/workspaces.js';
import { decodeCursor, page } from '../pagination.js';
import { customerOf } from '../plugins/auth.js';
import { Currency, Page, PageQuery, problems, Timestamp, Uuid } from '../schemas.js';

const CUSTOMER = { roles: ['customer'] } as const;
const PLATFORM = { platform: true } as const;

/** The platform's workspace id, as it spells it (case-sensitive). */
export const WorkspaceId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
/** A regional site: a region or host name such as `cn-hangzhou` or `us1.example.com`. */
const Site = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const WorkspaceName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const WorkspaceParams = Type.Object({ workspaceId: WorkspaceId });

const SettlementMethod = Type.Union([Type.Literal('billing_center'), Type.Literal('cloud_account')]);
const Settlement = Type.Union([
  Type.Object({ method: Type.Literal('billing_center') }),
  Type.Object({ method: Type.Literal('cloud_account'), cloudAccountId: Uuid, provider: Type.Enum(CLOUD_PROVIDERS) }),
]);

const WorkspaceView = Type.Object({ id: WorkspaceId, site: Type.String(), name: Type.String(), settlement: Settlement, boundAt: Timestamp });
const toView = (workspace: BoundWorkspace): Static<typeof WorkspaceView> => ({
  ...workspace,
  boundAt: workspace.boundAt.toISOString(),
});

const StandingView = Type.Object({
  workspaceId: Type.String(),
  site: Type.String(),
  accountId: Uuid,
  payable: Type.Boolean({ description: 'whether the platform may keep serving the workspace' }),
  settlement: SettlementMethod,
  arrears: Type.Object({ amount: Type.String(), currency: Currency }),
});

/** GET|POST /v1/workspaces, GET|DELETE /v1/workspaces/{workspaceId}, GET /v1/workspaces/{workspaceId}/standing */
export const workspaceRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.get(
    '/v1/workspaces',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['workspaces'],
        summary: 'Your workspaces, most recently bound first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(WorkspaceView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor);
      const rows = await listWorkspaces(services, customerOf(request).accountId, { limit, ...(after ? { after } : {}) });
      const result = page(rows, limit, (row) => ({ at: row.boundAt, id: row.id }));
      return { items: result.items.map(toView), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/v1/workspaces',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['workspaces'],
        summary: 'Bind a workspace to your account (settled by the billing center)',
        description:
          'A workspace belongs to one account at a time: 409 `workspace-already-bound` when it is yours already, ' +
          '`workspace-bound-elsewhere` when another account holds it.',
        body: Type.Object({ workspaceId: WorkspaceId, site: Site, name: WorkspaceName }, { additionalProperties: false }),
        response: { 201: WorkspaceView, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const bound = await bindWorkspace(services, customerOf(request).accountId, request.body);
      return reply.code(201).send(toView(bound));
    },
  );

  app.get(
    '/v1/workspaces/:workspaceId',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['workspaces'],
        summary: 'One of your workspaces (404 for any other)',
        params: WorkspaceParams,
        response: { 200: WorkspaceView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => toView(await getWorkspace(services, customerOf(request).accountId, request.params.workspaceId)),
  );

  app.delete(
    '/v1/workspaces/:workspaceId',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['workspaces'],
        summary: 'Unbind one of your workspaces',
        description: '409 `settlement-change-in-flight` while a settlement change of it runs: unbind it once the change has ended.',
        params: WorkspaceParams,
        response: { 204: Type.Null(), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await unbindWorkspace(services, customerOf(request).accountId, request.params.workspaceId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/workspaces/:workspaceId/standing',
    {
      config: { access: PLATFORM },
      schema: {
        tags: ['workspaces'],
        summary: 'Whether the platform may keep serving a workspace (platform API key)',
        description: '404 when the workspace is bound to no account.',
        params: WorkspaceParams,
        response: { 200: StandingView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => workspaceStanding(services, request.params.workspaceId),
  );
};
