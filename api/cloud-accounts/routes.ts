import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { CLOUD_PROVIDERS } from '../../src/domain/identity/cloud-account-id.js';
import type { ServiceContext } from '../../src/services/context.js';
import {
  bindCloudAccount,
  listCloudAccounts,
  unbindCloudAccount,
  type CloudAccountWithWorkspaces,
} from '../../src/services/identity/cloud-accounts.js';
import { decodeCursor, page } from '../pagination.js';
import { customerOf } from '../plugins/auth.js';
import { Page, PageQuery, problems, Timestamp, Uuid } from '../schemas.js';

const CUSTOMER = { roles: ['customer'] } as const;

const Provider = Type.Enum(CLOUD_PROVIDERS);

// The owner gets the full external account id, unmasked: they typed it, it is not a credential, and it is
// the one thing that tells them which marketplace account a workspace's bill goes to. Masking
// (maskExternalAccountId) is for everyone else who may see it: staff views and logs.
const CloudAccountView = Type.Object({
  id: Uuid,
  provider: Provider,
  externalAccountId: Type.String({ description: 'in its canonical spelling (AWS without hyphens, Huawei lower-case)' }),
  createdAt: Timestamp,
  workspaceIds: Type.Array(Type.String(), { description: 'the workspaces that settle to this cloud account' }),
});

const toView = (cloud: CloudAccountWithWorkspaces): Static<typeof CloudAccountView> => ({
  ...cloud,
  createdAt: cloud.createdAt.toISOString(),
});

/** GET|POST /v1/account/cloud-accounts, DELETE /v1/account/cloud-accounts/{id} */
export const cloudAccountRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.get(
    '/v1/account/cloud-accounts',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['cloud-accounts'],
        summary: 'Your cloud accounts, newest first, with the workspaces that settle to each',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(CloudAccountView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor);
      const rows = await listCloudAccounts(services, customerOf(request).accountId, { limit, ...(after ? { after } : {}) });
      const result = page(rows, limit, (row) => ({ at: row.createdAt, id: row.id }));
      return { items: result.items.map(toView), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/v1/account/cloud-accounts',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['cloud-accounts'],
        summary: 'Bind a cloud account (Alibaba Cloud, AWS, Huawei Cloud)',
        description:
          'Each provider account can be bound to one billing-center account at a time: 409 ' +
          '`cloud-account-already-bound` when it is yours already, `cloud-account-bound-elsewhere` when another holds it.',
        body: Type.Object(
          { provider: Provider, externalAccountId: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: { 201: CloudAccountView, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const bound = await bindCloudAccount(services, customerOf(request).accountId, request.body);
      return reply.code(201).send(toView(bound));
    },
  );

  app.delete(
    '/v1/account/cloud-accounts/:id',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['cloud-accounts'],
        summary: 'Unbind a cloud account no workspace settles to',
        description: '409 `cloud-account-in-use` while a workspace settles to it, or a settlement change to it runs: change that settlement first.',
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await unbindCloudAccount(services, customerOf(request).accountId, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
