import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../src/domain/errors.js';
import type { ServiceContext } from '../../src/services/context.js';
import { adjustCash } from '../../src/services/finance/adjustments.js';
import { listJournal } from '../../src/services/finance/journal.js';
import { trialBalance } from '../../src/services/finance/trial-balance.js';
import { decodeCursor, page } from '../pagination.js';
import { personOf } from '../plugins/auth.js';
import { IdempotencyHeaders } from '../plugins/idempotency.js';
import { Page, problems } from '../schemas.js';
import { AdjustmentBody, AdjustmentView, JournalEntryView, JournalQuery, TrialBalanceQuery, TrialBalanceView } from './schemas.js';
import { adjustmentView, journalEntryView, trialBalanceView } from './views.js';

const FINANCE = { roles: ['finance', 'admin'] } as const;

/** GET /v1/finance/journal, GET /v1/finance/trial-balance, POST /v1/finance/adjustments */
export const financeRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext }> = async (app, { services }) => {
  app.post(
    '/v1/finance/adjustments',
    {
      config: { access: FINANCE, idempotency: 'required' },
      schema: {
        tags: ['finance'],
        summary: "Adjust an account's cash with an audited journal entry",
        description:
          'Credit adds to the customer’s cash, debit takes from it (it may go into arrears). The amount is positive, with exactly ' +
          'the currency’s minor digits, in the account’s currency (otherwise 422 `currency-mismatch`).',
        headers: IdempotencyHeaders,
        body: AdjustmentBody,
        response: { 201: AdjustmentView, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const adjustment = await adjustCash(services, personOf(request).userId, request.body);
      return reply.code(201).send(adjustmentView(adjustment));
    },
  );

  app.get(
    '/v1/finance/journal',
    {
      config: { access: FINANCE },
      schema: {
        tags: ['finance'],
        summary: 'Journal entries with their postings, newest first',
        querystring: JournalQuery,
        response: { 200: Page(JournalEntryView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { accountId, kind, from, to, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      const lines = await listJournal(services, {
        ...(accountId ? { accountId } : {}),
        ...(kind ? { kind } : {}),
        ...(from ? { from: new Date(from) } : {}),
        ...(to ? { to: new Date(to) } : {}),
        ...(cursor === undefined ? {} : { beforeId: entryIdOf(cursor) }),
        limit,
      });
      const result = page(lines, limit, (line) => ({ at: line.occurredAt, id: line.id.toString() }));
      return { items: result.items.map(journalEntryView), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/v1/finance/trial-balance',
    {
      config: { access: FINANCE },
      schema: {
        tags: ['finance'],
        summary: 'Debits, credits and balance of every ledger account at a time, with the ledger check',
        querystring: TrialBalanceQuery,
        response: { 200: TrialBalanceView, ...problems(400, 401, 403) },
      },
    },
    async (request) => trialBalanceView(await trialBalance(services, request.query.at ? new Date(request.query.at) : services.now())),
  );
};

/** The journal pages by entry id alone; the cursor carries the last id seen (and its time, unused). */
function entryIdOf(cursor: string): bigint {
  const { id } = decodeCursor(cursor)!;
  if (!/^[0-9]{1,19}$/.test(id)) {
    throw new DomainError('invalid', 'validation', 'The cursor is not one this API gave out.', { fields: [{ path: '/query/cursor', message: 'is not a valid cursor' }] });
  }
  return BigInt(id);
}
