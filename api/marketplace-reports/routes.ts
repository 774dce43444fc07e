import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../src/domain/errors.js';
import type { ServiceContext } from '../../src/services/context.js';
import { maskExternalAccountId } from '../../src/domain/identity/masking.js';
import { listMarketplaceReports, listOwnMarketplaceReports, type MarketplaceReportLine } from '../../src/services/marketplaces/reports.js';
import { customerOf } from '../plugins/auth.js';
import { decodeCursor, page } from '../pagination.js';
import { Page, PageQuery, problems, Timestamp, Uuid } from '../schemas.js';

const ReportStatus = Type.Union([Type.Literal('pending'), Type.Literal('reported'), Type.Literal('late'), Type.Literal('refused')], {
  description: 'pending: not yet taken; reported: taken by the marketplace; late: its deadline passed first; refused: the marketplace refused it (see lastError)',
});

const ReportView = Type.Object({
  id: Type.String(),
  cloudAccountId: Type.String(),
  accountId: Type.String({ description: 'the billing-center account that owns the cloud account' }),
  provider: Type.String(),
  externalAccountId: Type.String({ description: 'the account at the marketplace (masked for staff)' }),
  hourStart: Timestamp,
  item: Type.String(),
  quantity: Type.String({ description: 'exact sum of the consolidated records (decimal string)' }),
  reportedQuantity: Type.String({ description: 'what the marketplace was sent (AWS: whole units, rounded up)' }),
  records: Type.Integer(),
  carriedOver: Type.Integer({ description: 'records of earlier hours that arrived after their hour was closed' }),
  status: ReportStatus,
  deadline: Timestamp,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  marketplaceRecordId: Type.Union([Type.String(), Type.Null()]),
  reportedAt: Type.Union([Timestamp, Type.Null()]),
  sources: Type.Array(
    Type.Object({ workspaceId: Type.String(), site: Type.String(), quantity: Type.String(), records: Type.Integer() }),
    { description: 'the workspaces and sites the hour consolidates' },
  ),
});

const ReportQuery = Type.Object(
  { status: Type.Optional(ReportStatus), cloudAccountId: Type.Optional(Uuid), accountId: Type.Optional(Uuid), ...PageQuery },
  { additionalProperties: false },
);

const view = (line: MarketplaceReportLine, externalAccountId: (id: string) => string) => ({
  ...line,
  externalAccountId: externalAccountId(line.externalAccountId),
  id: line.id.toString(),
  hourStart: line.hourStart.toISOString(),
  deadline: line.deadline.toISOString(),
  reportedAt: line.reportedAt?.toISOString() ?? null,
  records: line.recordCount,
});

/** The keyset position a `cursor` query names, or a 400 for one this API did not give out. */
function afterOf(raw: string | undefined): { at: Date; id: bigint } | undefined {
  const cursor = decodeCursor(raw);
  if (!cursor) return undefined;
  if (!/^[0-9]{1,19}$/.test(cursor.id)) {
    throw new DomainError('invalid', 'validation', 'The cursor is not one this API gave out.', { fields: [{ path: '/query/cursor', message: 'is not a valid cursor' }] });
  }
  return { at: cursor.at, id: BigInt(cursor.id) };
}

const pageOf = (lines: MarketplaceReportLine[], limit: number, externalAccountId: (id: string) => string) => {
  const result = page(lines, limit, (line) => ({ at: line.hourStart, id: line.id.toString() }));
  return { items: result.items.map((line) => view(line, externalAccountId)), nextCursor: result.nextCursor };
};

/**
 * GET /v1/finance/marketplace-reports: what was reported to cloud marketplaces, and what was late or refused.
 * GET /v1/account/cloud-accounts/{id}/marketplace-reports: the customer's own consolidated stream of one cloud account.
 */
export const marketplaceReportRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.get(
    '/v1/account/cloud-accounts/:id/marketplace-reports',
    {
      config: { access: { roles: ['customer'] } },
      schema: {
        tags: ['cloud-accounts'],
        summary: 'The hourly usage reported to this cloud account\'s marketplace, consolidated across your workspaces and sites, newest hour first',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ status: Type.Optional(ReportStatus), ...PageQuery }, { additionalProperties: false }),
        response: { 200: Page(ReportView), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = afterOf(request.query.cursor);
      const lines = await listOwnMarketplaceReports(services, customerOf(request).accountId, request.params.id, {
        ...(request.query.status ? { status: request.query.status } : {}),
        limit,
        ...(after ? { after } : {}),
      });
      // The owner typed the external id; it is shown to them as is.
      return pageOf(lines, limit, (id) => id);
    },
  );

  app.get(
    '/v1/finance/marketplace-reports',
    {
      config: { access: { roles: ['finance', 'admin'] } },
      schema: {
        tags: ['finance'],
        summary: 'Hourly usage reports to cloud marketplaces, newest hour first; filter by status to follow up late and refused ones',
        querystring: ReportQuery,
        response: { 200: Page(ReportView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { status, cloudAccountId, accountId } = request.query;
      const limit = request.query.limit ?? 50;
      const after = afterOf(request.query.cursor);
      const lines = await listMarketplaceReports(services, {
        ...(status ? { status } : {}),
        ...(cloudAccountId ? { cloudAccountId } : {}),
        ...(accountId ? { accountId } : {}),
        limit,
        ...(after ? { after } : {}),
      });
      // Staff see a customer's marketplace account id masked, as everywhere else.
      return pageOf(lines, limit, maskExternalAccountId);
    },
  );
};
