import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DomainError, notFound } from '../../src/domain/errors.js';
import { Money, type Currency } from '../../src/domain/money.js';
import type { ServiceContext } from '../../src/services/context.js';
import { abandonRecharge } from '../../src/services/recharges/credit.js';
import { requestRecharge, type CashLimits } from '../../src/services/recharges/request.js';
import type { Workflows } from '../../src/temporal/workflows.js';
import { afterCursorDesc, decodeCursor, page } from '../pagination.js';
import { customerOf } from '../plugins/auth.js';
import { IdempotencyHeaders } from '../plugins/idempotency.js';
import { Page, PageQuery, problems, Timestamp, Uuid } from '../schemas.js';

const CUSTOMER = { roles: ['customer'] } as const;
const MoneyInput = Type.Object({ amount: Type.String({ minLength: 1, maxLength: 24 }), currency: Type.String({ minLength: 3, maxLength: 3 }) }, { additionalProperties: false });
const MoneyView = Type.Object({ amount: Type.String(), currency: Type.String() });

const RechargeBody = Type.Union([
  Type.Object({ method: Type.Literal('cash'), amount: MoneyInput }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('voucher'), code: Type.String({ minLength: 4, maxLength: 32, pattern: '^[A-Za-z0-9-]+$' }) }, { additionalProperties: false }),
  Type.Object(
    {
      method: Type.Literal('prepaid_card'),
      cardNo: Type.String({ minLength: 16, maxLength: 19, pattern: '^[0-9 -]+$' }),
      secret: Type.String({ minLength: 16, maxLength: 19, pattern: '^[A-Za-z0-9 -]+$' }),
    },
    { additionalProperties: false },
  ),
]);

const RechargeView = Type.Object({
  id: Type.String(),
  method: Type.Union([Type.Literal('cash'), Type.Literal('voucher'), Type.Literal('prepaid_card')]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('awaiting_payment'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled')]),
  amount: Type.Union([MoneyView, Type.Null()]),
  payment: Type.Union([Type.Object({ orderId: Type.String(), payUrl: Type.String() }), Type.Null()]),
  failure: Type.Union([Type.Object({ code: Type.String(), reason: Type.String() }), Type.Null()]),
  createdAt: Timestamp,
  completedAt: Type.Union([Timestamp, Type.Null()]),
  links: Type.Object({ self: Type.String() }),
});
type RechargeView = Static<typeof RechargeView>;

interface RechargeRow {
  id: string;
  method: string;
  status: string;
  amountMinor: bigint | null;
  currency: string;
  paymentOrderId: string | null;
  paymentUrl: string | null;
  failureCode: string | null;
  failureReason: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

function view(row: RechargeRow): RechargeView {
  return {
    id: row.id,
    method: row.method as RechargeView['method'],
    status: row.status as RechargeView['status'],
    amount: row.amountMinor === null ? null : Money.ofMinor(row.amountMinor, row.currency as Currency).toApi(),
    payment: row.paymentOrderId && row.paymentUrl ? { orderId: row.paymentOrderId, payUrl: row.paymentUrl } : null,
    failure: row.failureCode ? { code: row.failureCode, reason: row.failureReason ?? '' } : null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    links: { self: `/v1/recharges/${row.id}` },
  };
}

/** How long the API waits for a quick recharge (voucher, card) or a cash recharge's payment link. */
const ANSWER_WITHIN_MS = 3000;

export const rechargeRoutes: FastifyPluginAsyncTypebox<{ services: ServiceContext; workflows: Workflows; cashLimits: CashLimits }> = async (
  app,
  { services, workflows, cashLimits },
) => {
  const own = async (accountId: string, id: string) => {
    const row = await services.prisma.recharge.findFirst({ where: { id, accountId } });
    if (!row) throw notFound('Recharge');
    return row;
  };

  app.post(
    '/v1/recharges',
    {
      config: { access: CUSTOMER, idempotency: 'required' },
      schema: {
        tags: ['recharges'],
        summary: 'Recharge by cash, voucher or prepaid card',
        description:
          'Voucher and card recharges answer 201 when already completed, else 202 with the status to follow. A cash recharge ' +
          'answers 202 with the payment link. A voucher or card that cannot be used is 422 with the reason ' +
          '(voucher-expired, voucher-already-used, voucher-not-yet-valid, voucher-not-yours, wrong-card-secret, card-locked, ...).',
        headers: IdempotencyHeaders,
        body: RechargeBody,
        response: { 201: RechargeView, 202: RechargeView, ...problems(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { accountId } = customerOf(request);
      const body = request.body;
      const normalized =
        body.method === 'cash'
          ? body
          : body.method === 'voucher'
            ? { method: 'voucher' as const, code: body.code.replaceAll('-', '').toUpperCase() }
            : { method: 'prepaid_card' as const, cardNo: body.cardNo.replace(/[ -]/g, ''), secret: body.secret };
      const recharge = await requestRecharge(services, accountId, normalized, cashLimits);
      try {
        await workflows.startRecharge({ rechargeId: recharge.id, accountId, method: recharge.method as 'cash' });
      } catch (error) {
        // Nothing will credit it: give back what was reserved, and say the service is unavailable.
        request.log.error({ err: error, rechargeId: recharge.id }, 'could not start the recharge workflow');
        await abandonRecharge(services, recharge.id, { status: 'failed', code: 'not-started', reason: 'The recharge could not be started.' });
        throw new DomainError('unavailable', 'service-unavailable', 'Recharges are unavailable right now; nothing was charged. Try again.', {
          retryAfterSeconds: 30,
        });
      }
      const deadline = Date.now() + ANSWER_WITHIN_MS;
      let row = recharge;
      if (recharge.method === 'cash') {
        while (!row.paymentUrl && row.status === 'pending' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          row = await own(accountId, recharge.id);
        }
      } else {
        await workflows.rechargeResult(recharge.id, ANSWER_WITHIN_MS).catch(() => undefined);
        row = await own(accountId, recharge.id);
      }
      return reply.code(row.status === 'completed' ? 201 : 202).send(view(row));
    },
  );

  app.get(
    '/v1/recharges',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['recharges'],
        summary: 'Recharges of the account, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(RechargeView), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { accountId } = customerOf(request);
      const limit = request.query.limit ?? 50;
      const cursor = decodeCursor(request.query.cursor);
      const rows = await services.prisma.recharge.findMany({
        where: { accountId, ...afterCursorDesc(cursor, 'createdAt') },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (row) => ({ at: row.createdAt, id: row.id }));
      return { items: result.items.map(view), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/v1/recharges/:id',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['recharges'],
        summary: 'Follow a recharge',
        params: Type.Object({ id: Uuid }),
        response: { 200: RechargeView, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => view(await own(customerOf(request).accountId, request.params.id)),
  );

  app.post(
    '/v1/recharges/:id/cancel',
    {
      config: { access: CUSTOMER },
      schema: {
        tags: ['recharges'],
        summary: 'Cancel a pending cash recharge',
        description: 'Closes the payment order. A payment that still arrives is never credited silently: it is recorded for refund.',
        params: Type.Object({ id: Uuid }),
        response: { 200: RechargeView, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { accountId } = customerOf(request);
      const row = await own(accountId, request.params.id);
      if (row.method !== 'cash' || (row.status !== 'pending' && row.status !== 'awaiting_payment')) {
        throw new DomainError('conflict', 'recharge-not-cancellable', `The recharge is ${row.status}; only a pending cash recharge can be cancelled.`);
      }
      try {
        await workflows.cancelRecharge(row.id);
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          throw new DomainError('conflict', 'recharge-not-cancellable', 'The recharge has already ended.');
        }
        throw error;
      }
      return view(await own(accountId, row.id));
    },
  );
};
