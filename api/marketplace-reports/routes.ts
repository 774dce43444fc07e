import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../src/domain/errors.js';
import type { ServiceContext } from '../../src/services/context.js';
import { listMarketplaceReports, type MarketplaceReportLine } from '../../src/services/marketplaces/reports.js';
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
  externalAccountId: Type.String(),
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

const view = (line: MarketplaceReportLine) => ({
  ...line,
  id: line.id.toString(),
  hourStart: line.hourStart.toISOString(),
  deadline: line.deadline.toISOString(),
  reportedAt: line.reportedAt?.toISOString() ?? null,
  records: line.recordCount,
});

/** GET /v1/finance/marketplace-reports: what was reported to cloud marketplaces, and what was late or refused. */
export const marketplaceReportRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
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
      const cursor = decodeCursor(request.query.cursor);
      if (cursor && !/^[0-9]{1,19}$/.test(cursor.id)) {
        throw new DomainError('invalid', 'validation', 'The cursor is not one this API gave out.', { fields: [{ path: '/query/cursor', message: 'is not a valid cursor' }] });
      }
      const lines = await listMarketplaceReports(services, {
        ...(status ? { status } : {}),
        ...(cloudAccountId ? { cloudAccountId } : {}),
        ...(accountId ? { accountId } : {}),
        limit,
        ...(cursor ? { after: { at: cursor.at, id: BigInt(cursor.id) } } : {}),
      });
      const result = page(lines, limit, (line) => ({ at: line.hourStart, id: line.id.toString() }));
      return { items: result.items.map(view), nextCursor: result.nextCursor };
    },
  );
};
