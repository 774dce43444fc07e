import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';
import { changePassword, getProfile, updateProfile } from '../../src/services/identity/account-profile.js';
import { latestRealName, submitRealName } from '../../src/services/identity/real-name.js';
import { customerOf } from '../plugins/auth.js';
import { Email, Password, PersonName, problems, TimeZone } from '../schemas.js';
import { assertTimeZone } from '../time-zone.js';
import { AccountView, RealNameView, toAccountView, toRealNameView } from './views.js';

const CUSTOMER = { roles: ['customer'] } as const;

const Phone = Type.Union([Type.String({ pattern: '^\\+[0-9]{6,15}$', description: '+ and 6 to 15 digits' }), Type.Null()], {
  description: 'null clears it',
});

const ProfileChanges = Type.Object(
  { name: Type.Optional(PersonName), phone: Type.Optional(Phone), contactEmail: Type.Optional(Email), timezone: Type.Optional(TimeZone) },
  { additionalProperties: false, minProperties: 1 },
);

// Bounded but otherwise unconstrained: the service checks the number and says why, without echoing it.
const DocumentNumber = Type.String({ minLength: 1, maxLength: 32 });
const LegalName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });

const RealNameSubmission = Type.Union([
  Type.Object(
    { type: Type.Literal('individual'), legalName: LegalName, idNumber: DocumentNumber },
    { additionalProperties: false, title: 'individual' },
  ),
  Type.Object(
    {
      type: Type.Literal('enterprise'),
      companyName: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
      creditCode: DocumentNumber,
      legalRepresentative: LegalName,
    },
    { additionalProperties: false, title: 'enterprise' },
  ),
]);

const NeverSubmitted = Type.Object({ status: Type.Literal('none') });

/** Guessing the current password with a stolen token is slowed down per address, like sign-in. */
const PASSWORD_LIMIT = { max: 10, timeWindow: '1 minute' };

/** GET|PATCH /v1/account, POST /v1/account/password, GET|POST /v1/account/real-name */
export const accountRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.get(
    '/v1/account',
    {
      config: { access: CUSTOMER },
      schema: { tags: ['account'], summary: 'The signed-in customer’s profile', response: { 200: AccountView, ...problems(401, 403) } },
    },
    async (request) => {
      const { account, email } = await getProfile(services, customerOf(request));
      return toAccountView(account, email);
    },
  );

  app.patch(
    '/v1/account',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['account'],
        summary: 'Change name, phone, contact email or time zone',
        body: ProfileChanges,
        response: { 200: AccountView, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      if (request.body.timezone !== undefined) assertTimeZone(request.body.timezone, '/body/timezone');
      const { account, email } = await updateProfile(services, customerOf(request), request.body);
      return toAccountView(account, email);
    },
  );

  app.post(
    '/v1/account/password',
    {
      config: { access: CUSTOMER, rateLimit: PASSWORD_LIMIT },
      schema: {
        tags: ['account'],
        summary: 'Change the password; every other token of this person is revoked',
        body: Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...problems(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = customerOf(request);
      await changePassword(services, { userId, sessionId }, request.body);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/account/real-name',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['account'],
        summary: 'Submit real-name data for review',
        description: 'Refused with 409 while a submission is pending or after one was approved; allowed again after a rejection.',
        body: RealNameSubmission,
        response: { 201: RealNameView, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await submitRealName(services, customerOf(request).accountId, request.body);
      return reply.code(201).send(toRealNameView(created));
    },
  );

  app.get(
    '/v1/account/real-name',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['account'],
        summary: 'The latest real-name submission and its review',
        response: { 200: Type.Union([NeverSubmitted, RealNameView]), ...problems(401, 403) },
      },
    },
    async (request) => {
      const latest = await latestRealName(services, customerOf(request).accountId);
      return latest ? toRealNameView(latest) : { status: 'none' as const };
    },
  );
};
