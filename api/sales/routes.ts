import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../../src/services/context.js';
import { issuePrepaidCards } from '../../src/services/sales/prepaid-card-batches.js';
import { extendPrepaidCard, listPrepaidCards, revokePrepaidCard } from '../../src/services/sales/prepaid-cards.js';
import { issueVouchers, listVouchers } from '../../src/services/sales/vouchers.js';
import type { Workflows } from '../../src/temporal/workflows.js';
import { decodeCursor, page } from '../pagination.js';
import { personOf } from '../plugins/auth.js';
import { IdempotencyHeaders } from '../plugins/idempotency.js';
import { Page, problems } from '../schemas.js';
import { issueKeyOf, requireIdempotencyKey } from './issue-key.js';
import {
  CardListQuery,
  CardNoParams,
  CardView,
  ExtendBody,
  IssueCardsBody,
  IssuedBatchView,
  IssuedVouchersView,
  IssueVouchersBody,
  RevokeBody,
  VoucherListQuery,
  VoucherView,
} from './schemas.js';
import { cardView, issuedBatchView, issuedVouchersView, voucherView } from './views.js';

const SALES = { roles: ['sales', 'admin'] } as const;

/** Issuing and managing prepaid cards and vouchers: /v1/sales/... */
export const salesRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext; workflows: Workflows }> = async (app, { services, workflows }) => {
  app.post(
    '/v1/sales/prepaid-card-batches',
    {
      config: { access: SALES },
      preValidation: requireIdempotencyKey,
      schema: {
        tags: ['sales'],
        summary: 'Issue a batch of prepaid cards (the secrets are shown in this response only)',
        description:
          'Give exactly one of `validDays` (counted from activation) and `expiresAt` (a fixed end). Only a hash of each secret ' +
          'is kept, so the secrets cannot be shown again: the same request with the same Idempotency-Key issues nothing more and ' +
          'answers 409 `prepaid-card-batch-already-issued` naming the batch (it also starts any card lifetime a failure left unstarted).',
        headers: IdempotencyHeaders,
        body: IssueCardsBody,
        response: { 201: IssuedBatchView, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const batch = await issuePrepaidCards(services, workflows, personOf(request).userId, request.body, issueKeyOf(request), { log: request.log });
      return reply.code(201).send(issuedBatchView(batch));
    },
  );

  app.get(
    '/v1/sales/prepaid-cards',
    {
      config: { access: SALES },
      schema: {
        tags: ['sales'],
        summary: 'Prepaid cards, newest first (never their secrets)',
        querystring: CardListQuery,
        response: { 200: Page(CardView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor);
      const cards = await listPrepaidCards(services, {
        ...(request.query.batchId ? { batchId: request.query.batchId } : {}),
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(after ? { after } : {}),
        limit,
      });
      const result = page(cards, limit, (card) => ({ at: card.createdAt, id: card.id }));
      return { items: result.items.map(cardView), nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/v1/sales/prepaid-cards/:cardNo/extend',
    {
      config: { access: SALES },
      schema: {
        tags: ['sales'],
        summary: "Move a card's expiry",
        description:
          'Any instant after now (at most 3650 days ahead), later or earlier than the current end; the lifetime workflow moves its ' +
          'expiry warning and clearing with it. For a bound card the balance expires at the new time too. 409 for a card that is ' +
          'expired, revoked, past its expiry, or unused and valid for a number of days from activation (it has no expiry yet). ' +
          'Sending it again is harmless: it sets the same expiry.',
        params: CardNoParams,
        body: ExtendBody,
        response: { 200: CardView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => cardView(await extendPrepaidCard(services, workflows, personOf(request).userId, request.params.cardNo, request.body)),
  );

  app.post(
    '/v1/sales/prepaid-cards/:cardNo/revoke',
    {
      config: { access: SALES },
      schema: {
        tags: ['sales'],
        summary: 'Revoke an unused card',
        description:
          'Only an unused card can be revoked; a bound, expired or in-redemption card is 409. Revoking a revoked card again changes ' +
          'nothing and answers the card as it is.',
        params: CardNoParams,
        body: RevokeBody,
        response: { 200: CardView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      cardView(await revokePrepaidCard(services, workflows, personOf(request).userId, request.params.cardNo, { reason: request.body?.reason?.trim() || null })),
  );

  app.post(
    '/v1/sales/vouchers',
    {
      config: { access: SALES },
      preValidation: requireIdempotencyKey,
      schema: {
        tags: ['sales'],
        summary: 'Issue vouchers',
        description:
          'validUntil after validFrom (default now) and in the future; minSpend in the face value’s currency; with `accountId`, only ' +
          'that account may redeem them, so it must exist (404) and keep its money in the face value’s currency (422). ' +
          'The same request with the same Idempotency-Key issues nothing more and answers the same vouchers.',
        headers: IdempotencyHeaders,
        body: IssueVouchersBody,
        response: { 201: IssuedVouchersView, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const issued = await issueVouchers(services, workflows, personOf(request).userId, request.body, issueKeyOf(request), { log: request.log });
      if (issued.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(issuedVouchersView(issued));
    },
  );

  app.get(
    '/v1/sales/vouchers',
    {
      config: { access: SALES },
      schema: {
        tags: ['sales'],
        summary: 'Vouchers, newest first',
        querystring: VoucherListQuery,
        response: { 200: Page(VoucherView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor);
      const vouchers = await listVouchers(services, {
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.accountId ? { accountId: request.query.accountId } : {}),
        ...(after ? { after } : {}),
        limit,
      });
      const result = page(vouchers, limit, (voucher) => ({ at: voucher.createdAt, id: voucher.id }));
      return { items: result.items.map(voucherView), nextCursor: result.nextCursor };
    },
  );
};
