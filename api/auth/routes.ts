import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';
import { revokeSession } from '../../src/services/identity/sessions.js';
import { logIn, register } from '../../src/services/identity/sign-in.js';
import { personOf } from '../plugins/auth.js';
import { AccountView, toAccountView } from '../account/views.js';
import { Currency, Email, Password, PersonName, problems, Role, TimeZone, Timestamp } from '../schemas.js';
import { assertTimeZone } from '../time-zone.js';

/** Abuse guard per client address, on top of the per-email lockout in the sign-in service. */
const PER_ADDRESS_LIMIT = { max: 30, timeWindow: '1 minute' };

export const authRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.post(
    '/v1/auth/register',
    {
      config: { access: { public: true }, rateLimit: PER_ADDRESS_LIMIT },
      schema: {
        tags: ['auth'],
        summary: 'Open a billing-center account and sign in',
        body: Type.Object(
          {
            email: Email,
            password: Password,
            name: PersonName,
            currency: Type.Optional(Currency),
            timezone: Type.Optional(TimeZone),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ account: AccountView, token: Type.String(), expiresAt: Timestamp }), ...problems(400, 409, 429) },
      },
    },
    async (request, reply) => {
      if (request.body.timezone !== undefined) assertTimeZone(request.body.timezone, '/body/timezone');
      const { account, user, session } = await register(services, request.body);
      return reply.code(201).send({
        account: toAccountView(account, user.email),
        token: session.token,
        expiresAt: session.expiresAt.toISOString(),
      });
    },
  );

  app.post(
    '/v1/auth/login',
    {
      config: { access: { public: true }, rateLimit: PER_ADDRESS_LIMIT },
      schema: {
        tags: ['auth'],
        summary: 'Sign in (customers and staff alike)',
        description: 'After 5 failed sign-ins for one email within 15 minutes, that email is refused with 429 for 15 minutes.',
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: {
          200: Type.Object({ token: Type.String(), expiresAt: Timestamp, roles: Type.Array(Role) }),
          ...problems(400, 401, 429),
        },
      },
    },
    async (request) => {
      const session = await logIn(services, request.body);
      return { token: session.token, expiresAt: session.expiresAt.toISOString(), roles: session.roles };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { access: { roles: ['customer', 'support', 'sales', 'finance', 'operator', 'admin'] } },
      schema: { tags: ['auth'], summary: 'Revoke the token of this request', response: { 204: Type.Null(), ...problems(401) } },
    },
    async (request, reply) => {
      await revokeSession(services, personOf(request).sessionId);
      return reply.code(204).send(null);
    },
  );
};
