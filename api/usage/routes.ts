import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';
import { ingestUsage } from '../../src/services/usage/ingest.js';
import { ChargingWaker } from '../../src/services/usage/charging-waker.js';
import type { Workflows } from '../../src/temporal/workflows.js';
import { problems, Timestamp } from '../schemas.js';

export const MAX_USAGE_RECORDS = 1000;

const Token = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[A-Za-z0-9._:/-]+$' });
const Decimal = (description: string) => Type.String({ minLength: 1, maxLength: 40, description });

const UsageRecord = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:/-]+$', description: "the platform's record id; a record is charged once" }),
    workspaceId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }),
    site: Token(64),
    item: Token(64),
    unit: Token(32),
    periodStart: Timestamp,
    periodEnd: Timestamp,
    amount: Type.Optional(
      Type.Object({ amount: Decimal('exactly the currency’s minor digits'), currency: Type.String({ minLength: 3, maxLength: 3 }) }, { additionalProperties: false }),
    ),
    quantity: Type.Optional(Decimal('non-negative, up to 12 decimals')),
    unitPrice: Type.Optional(Decimal('up to 8 decimals, in the paying account’s currency')),
  },
  { additionalProperties: false },
);

const IngestReply = Type.Object({
  accepted: Type.Integer({ description: 'new records stored now' }),
  duplicates: Type.Integer({ description: 'records whose id was stored before: nothing changed' }),
  conflicting: Type.Array(Type.String(), { description: 'duplicate ids whose content differs from the stored record (the stored one stands)' }),
  billable: Type.Integer({ description: 'accepted records to be charged to a billing-center account' }),
  cloud: Type.Integer({ description: 'accepted records of workspaces settled by a cloud account' }),
  unbilled: Type.Integer({ description: 'accepted records of workspaces bound to no account: kept, not charged' }),
  held: Type.Integer({
    description: 'accepted records whose period begins at or after the cut-over of a settlement change in flight: routed to the new method when it completes, to the old one if it fails',
  }),
});

export const usageRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext; workflows: Workflows }> = async (app, { services, workflows }) => {
  const waker = new ChargingWaker((accountIds) => workflows.chargeUsage(accountIds), app.log);
  // Cloud-settled usage is reported hourly by its cloud account's metering, which must be running.
  const metering = new ChargingWaker((cloudAccountIds) => workflows.meterMarketplace(cloudAccountIds), app.log, { what: 'marketplace metering' });
  // On shutdown, the wake-ups already owed go out before the process leaves.
  app.addHook('onClose', async () => {
    await waker.idle();
    await metering.idle();
  });

  app.post(
    '/v1/usage',
    {
      config: { access: { platform: true } },
      schema: {
        tags: ['usage'],
        summary: 'Report usage records (up to 1,000 a call)',
        description:
          'All or nothing: if any record is invalid, the reply is 400 with a reason per record and nothing is stored. ' +
          'A 202 means every record is durable; charging follows within seconds. Record ids make the call idempotent: ' +
          'sending a record again changes nothing (it is counted as a duplicate, and listed as conflicting if its content differs).',
        body: Type.Object({ records: Type.Array(UsageRecord, { minItems: 1, maxItems: MAX_USAGE_RECORDS }) }, { additionalProperties: false }),
        response: { 202: IngestReply, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const { accountsToCharge, cloudAccountsToMeter, ...result } = await ingestUsage(services, request.body.records);
      waker.add(accountsToCharge);
      metering.add(cloudAccountsToMeter);
      return reply.code(202).send(result);
    },
  );
};
