import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../src/domain/errors.js';
import { maskExternalAccountId } from '../../src/domain/identity/masking.js';
import type { ServiceContext } from '../../src/services/context.js';
import { getOwnBill, listBills, type BillFilter, type IssuedBill } from '../../src/services/billing/read.js';
import { decodeCursor, page } from '../pagination.js';
import { customerOf } from '../plugins/auth.js';
import { Page, problems, Uuid } from '../schemas.js';
import { BillView, CustomerBillQuery, FinanceBillQuery } from './schemas.js';
import { billView } from './views.js';

const TAGS = ['bills'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The keyset position a `cursor` names, or a 400 for one this API did not give out. */
function afterOf(raw: string | undefined): BillFilter['after'] {
  const cursor = decodeCursor(raw);
  if (cursor && !UUID.test(cursor.id)) {
    throw new DomainError('invalid', 'validation', 'The cursor is not one this API gave out.', { fields: [{ path: '/query/cursor', message: 'is not a valid cursor' }] });
  }
  return cursor;
}

async function billPage(services: ServiceContext, filter: Omit<BillFilter, 'limit' | 'after'>, query: { limit?: number; cursor?: string }, externalAccountId: (id: string) => string) {
  const limit = query.limit ?? 50;
  const after = afterOf(query.cursor);
  const bills = await listBills(services, { ...filter, limit, ...(after ? { after } : {}) });
  const result = page(bills, limit, (bill: IssuedBill) => ({ at: bill.periodStart, id: bill.id }));
  return { items: result.items.map((bill) => billView(bill, externalAccountId)), nextCursor: result.nextCursor };
}

// The owner typed their cloud account's external id: they see it as is; staff see it masked, as everywhere else.
const asTyped = (id: string) => id;

/** GET /v1/bills, GET /v1/bills/{id} (the customer's own), GET /v1/finance/bills (all accounts) */
export const billRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.get(
    '/v1/bills',
    {
      config: { access: { roles: ['customer'] } },
      schema: {
        tags: TAGS,
        summary: "Your monthly bills, and your cloud accounts' consolidated statements, newest month first",
        description:
          "Issued at 00:00 on the 1st in your account's time zone for the month before. A bill's line items are per workspace and billing " +
          'item; `paidBy` says what each balance source paid; opening + movements = closing, to the cent, as in the ledger.',
        querystring: CustomerBillQuery,
        response: { 200: Page(BillView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { month, kind } = request.query;
      return billPage(services, { accountId: customerOf(request).accountId, ...(month ? { month } : {}), ...(kind ? { kind } : {}) }, request.query, asTyped);
    },
  );

  app.get(
    '/v1/bills/:id',
    {
      config: { access: { roles: ['customer'] } },
      schema: {
        tags: TAGS,
        summary: 'One of your bills or consolidated statements',
        params: Type.Object({ id: Uuid }),
        response: { 200: BillView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => billView(await getOwnBill(services, customerOf(request).accountId, request.params.id), asTyped),
  );

  app.get(
    '/v1/finance/bills',
    {
      config: { access: { roles: ['finance', 'admin'] } },
      schema: {
        tags: ['finance'],
        summary: 'Bills and consolidated statements of every account, newest month first',
        querystring: FinanceBillQuery,
        response: { 200: Page(BillView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { accountId, month, kind } = request.query;
      return billPage(services, { ...(accountId ? { accountId } : {}), ...(month ? { month } : {}), ...(kind ? { kind } : {}) }, request.query, maskExternalAccountId);
    },
  );
};
