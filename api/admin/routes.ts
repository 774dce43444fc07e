import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { inTransaction } from '../../src/db/transaction.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createApiKey } from '../../src/services/identity/api-keys.js';
import { createStaff, setStaffRoles } from '../../src/services/identity/staff.js';
import { decodeCursor, page } from '../pagination.js';
import { personOf } from '../plugins/auth.js';
import { Email, Page, PageQuery, Password, PersonName, problems, StaffRole, Timestamp, Uuid } from '../schemas.js';

const ADMIN = { roles: ['admin'] } as const;

const StaffView = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), roles: Type.Array(StaffRole), createdAt: Timestamp });
const toStaffView = (user: { id: string; email: string; name: string; roles: string[]; createdAt: Date }) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  roles: user.roles as ('support' | 'sales' | 'finance' | 'operator' | 'admin')[],
  createdAt: user.createdAt.toISOString(),
});

const AuditEventView = Type.Object({
  id: Type.String(),
  actorId: Type.String(),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Timestamp,
});

export const adminRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.post(
    '/v1/admin/staff',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Create a staff user with roles',
        body: Type.Object(
          { email: Email, name: PersonName, password: Password, roles: Type.Array(StaffRole, { minItems: 1, maxItems: 5 }) },
          { additionalProperties: false },
        ),
        response: { 201: StaffView, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const user = await createStaff(services, personOf(request).userId, request.body);
      return reply.code(201).send(toStaffView(user));
    },
  );

  app.put(
    '/v1/admin/staff/:userId/roles',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: "Replace a staff user's roles (grant or withdraw)",
        params: Type.Object({ userId: Uuid }),
        body: Type.Object({ roles: Type.Array(StaffRole, { minItems: 1, maxItems: 5 }) }, { additionalProperties: false }),
        response: { 200: StaffView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => toStaffView(await setStaffRoles(services, personOf(request).userId, request.params.userId, request.body.roles)),
  );

  app.post(
    '/v1/admin/api-keys',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Create an API key for the platform (the key is shown once)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: {
          201: Type.Object({ id: Type.String(), name: Type.String(), prefix: Type.String(), key: Type.String(), createdAt: Timestamp }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const created = await inTransaction(services.prisma, (tx) => createApiKey(tx, personOf(request).userId, request.body.name));
      return reply.code(201).send({ ...created, createdAt: created.createdAt.toISOString() });
    },
  );

  app.get(
    '/v1/admin/audit-events',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Every staff write, newest first',
        querystring: Type.Object({ ...PageQuery, targetType: Type.Optional(Type.String({ maxLength: 32 })), targetId: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Page(AuditEventView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const cursor = decodeCursor(request.query.cursor);
      const rows = await services.prisma.auditEvent.findMany({
        where: {
          ...(request.query.targetType ? { targetType: request.query.targetType } : {}),
          ...(request.query.targetId ? { targetId: request.query.targetId } : {}),
          ...(cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: BigInt(cursor.id) } }] } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (row) => ({ at: row.createdAt, id: row.id.toString() }));
      return {
        nextCursor: result.nextCursor,
        items: result.items.map((row) => ({
          id: row.id.toString(),
          actorId: row.actorId,
          action: row.action,
          targetType: row.targetType,
          targetId: row.targetId,
          details: row.details as Record<string, unknown>,
          createdAt: row.createdAt.toISOString(),
        })),
      };
    },
  );
};
