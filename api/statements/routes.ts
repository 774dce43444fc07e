import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';
import { getBalances } from '../../src/services/statements/balances.js';
import { listConsumption } from '../../src/services/statements/consumption.js';
import { listIncomeExpenditure } from '../../src/services/statements/income-expenditure.js';
import type { SourceStatus } from '../../src/services/statements/common.js';
import { listSourceDetails, type SourceDetails } from '../../src/services/statements/source-details.js';
import { decodeCursor, encodeCursor } from '../pagination.js';
import { customerOf } from '../plugins/auth.js';
import { Page, problems } from '../schemas.js';
import { decodeSerialCursor, encodeSerialCursor } from './cursors.js';
import {
  BalancesView,
  ConsumptionItem,
  ConsumptionQuery,
  IncomeExpenditureItem,
  IncomeExpenditureQuery,
  NoQuery,
  PrepaidCardView,
  SourceQuery,
  VoucherView,
} from './schemas.js';
import { balancesView, consumptionView, prepaidCardView, statementLineView, voucherView } from './views.js';

/**
 * What a customer can see of their money. The account is always the caller's own (`customerOf`): no route
 * takes an account id, so none can show another account's data.
 */

const CUSTOMER = { roles: ['customer'] } as const;
const TAGS = ['balances & statements'];
const DEFAULT_LIMIT = 50;

const range = (query: { from?: string; to?: string }) => ({
  ...(query.from === undefined ? {} : { from: new Date(query.from) }),
  ...(query.to === undefined ? {} : { to: new Date(query.to) }),
});

/** One page of vouchers or prepaid cards, in the given view. */
async function sourcePage<V>(
  services: ServiceContext,
  accountId: string,
  source: 'voucher' | 'prepaid_card',
  query: { status?: SourceStatus; limit?: number; cursor?: string },
  view: (details: SourceDetails) => V,
): Promise<{ items: V[]; nextCursor: string | null }> {
  const after = decodeSerialCursor(query.cursor);
  const result = await listSourceDetails(services, accountId, source, {
    limit: query.limit ?? DEFAULT_LIMIT,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(after === undefined ? {} : { after }),
  });
  return {
    items: result.items.map(view),
    nextCursor: result.next && encodeSerialCursor({ id: result.next.ledgerAccountId, at: result.next.createdAt }),
  };
}

/** GET /v1/balances, /v1/statements/consumption, /v1/statements/income-expenditure, /v1/vouchers, /v1/prepaid-cards */
export const statementRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.get(
    '/v1/balances',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: TAGS,
        summary: 'Your balances: cash, vouchers, prepaid cards, their total and any arrears',
        querystring: NoQuery,
        response: { 200: BalancesView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => balancesView(await getBalances(services, customerOf(request).accountId)),
  );

  app.get(
    '/v1/statements/consumption',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: TAGS,
        summary: 'Your charged usage, newest period first, with what paid each charge',
        description: '`from` and `to` bound the period start (from inclusive, to exclusive).',
        querystring: ConsumptionQuery,
        response: { 200: Page(ConsumptionItem), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { workspaceId, item, cursor } = request.query;
      const limit = request.query.limit ?? DEFAULT_LIMIT;
      const after = decodeCursor(cursor);
      const result = await listConsumption(services, customerOf(request).accountId, {
        limit,
        ...range(request.query),
        ...(workspaceId === undefined ? {} : { workspaceId }),
        ...(item === undefined ? {} : { item }),
        ...(after ? { after: { periodStart: after.at, id: after.id } } : {}),
      });
      return {
        items: result.items.map(consumptionView),
        nextCursor: result.next && encodeCursor({ at: result.next.periodStart, id: result.next.id }),
      };
    },
  );

  app.get(
    '/v1/statements/income-expenditure',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: TAGS,
        summary: "Every movement of your account's money, newest first, with the running balance",
        description: '`amount` is the change of your total balance (positive income, negative expenditure); `balanceAfter` is the total right after it.',
        querystring: IncomeExpenditureQuery,
        response: { 200: Page(IncomeExpenditureItem), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { kind, cursor } = request.query;
      const after = decodeSerialCursor(cursor);
      const result = await listIncomeExpenditure(services, customerOf(request).accountId, {
        limit: request.query.limit ?? DEFAULT_LIMIT,
        ...range(request.query),
        ...(kind === undefined ? {} : { kind }),
        ...(after === undefined ? {} : { after }),
      });
      return {
        items: result.items.map(statementLineView),
        nextCursor: result.next && encodeSerialCursor({ id: result.next.id, at: result.next.occurredAt }),
      };
    },
  );

  app.get(
    '/v1/vouchers',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: TAGS,
        summary: 'Your vouchers (every status), newest first: face value, remaining, validity, scope, history',
        querystring: SourceQuery,
        response: { 200: Page(VoucherView), ...problems(400, 401, 403) },
      },
    },
    async (request) => sourcePage(services, customerOf(request).accountId, 'voucher', request.query, voucherView),
  );

  app.get(
    '/v1/prepaid-cards',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: TAGS,
        summary: 'Your prepaid cards (every status), newest first: face value, remaining, validity, history',
        querystring: SourceQuery,
        response: { 200: Page(PrepaidCardView), ...problems(400, 401, 403) },
      },
    },
    async (request) => sourcePage(services, customerOf(request).accountId, 'prepaid_card', request.query, prepaidCardView),
  );
};
