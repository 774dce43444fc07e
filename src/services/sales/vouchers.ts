import { randomBytes, randomUUID } from 'node:crypto';
import { Prisma } from '../../db/generated/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { Money } from '../../domain/money.js';
import { bufferedRandom, type RandomBytes } from '../../domain/sales/random.js';
import { generateVoucherCode } from '../../domain/sales/voucher-code.js';
import type { Workflows } from '../../temporal/workflows.js';
import type { ServiceContext } from '../context.js';
import { audit } from '../identity/audit.js';
import { claimIssueKey, settleIssueKey, type IssueKey } from './issue-claim.js';
import { futureInstant, invalidField, parseFaceValue, parseMoney, storedCurrency } from './inputs.js';
import { startLifetimes, type LifetimeLog, type LifetimeStarts } from './lifetimes.js';

export type VoucherStatus = 'issued' | 'reserved' | 'redeemed' | 'expired' | 'revoked';

export interface IssueVouchersInput {
  count: number;
  faceValue: { amount: string; currency: string };
  validFrom?: string;
  validUntil: string;
  minSpend?: { amount: string; currency: string };
  scope?: string[];
  accountId?: string;
}

export interface VoucherSummary {
  id: string;
  code: string;
  faceValue: Money;
  validFrom: Date;
  validUntil: Date;
  minSpend: Money | null;
  scope: string[];
  /** The only account that may redeem it; null: anyone with the code. */
  accountId: string | null;
  status: VoucherStatus;
  /** The account it was redeemed into. */
  redeemedAccountId: string | null;
  redeemedAt: Date | null;
  createdAt: Date;
}

export interface IssuedVouchers {
  issueId: string;
  vouchers: VoucherSummary[];
  lifetimes: LifetimeStarts;
  /** True when this answers a retried request (same Idempotency-Key and body): nothing new was issued. */
  replayed: boolean;
}

const MAX_CODE_ROUNDS = 5;

/**
 * Issues vouchers: all of them and the audit event in one transaction, then each voucher's lifetime workflow
 * (`voucher/<code>`, ending at validUntil). The same request with the same Idempotency-Key again issues
 * nothing: it answers the first issue's vouchers and starts any lifetime still missing.
 */
export async function issueVouchers(
  ctx: ServiceContext,
  workflows: Workflows,
  actorId: string,
  input: IssueVouchersInput,
  issueKey: IssueKey,
  options: { log: LifetimeLog; random?: RandomBytes },
): Promise<IssuedVouchers> {
  const random = options.random ?? bufferedRandom(randomBytes);
  const now = ctx.now();
  const terms = parseTerms(input, now);
  const target = input.accountId === undefined ? null : await targetAccount(ctx, input.accountId, terms.faceValue);

  const outcome = await inTransaction(
    ctx.prisma,
    async (tx) => {
      const claim = await claimIssueKey(tx, issueKey);
      if (claim.kind === 'issued-before') return { replayed: true, ...(JSON.parse(claim.responseBody) as { issueId: string; voucherIds: string[] }) };
      const issueId = randomUUID();
      const voucherIds = await insertVouchers(tx, random, input.count, { ...terms, targetAccountId: target, createdById: actorId, now });
      await audit(tx, {
        actorId,
        action: 'vouchers.issued',
        targetType: 'voucher_issue',
        targetId: issueId,
        details: {
          count: input.count,
          faceValue: terms.faceValue.toDecimalString(),
          currency: terms.faceValue.currency,
          validFrom: terms.validFrom.toISOString(),
          validUntil: terms.validUntil.toISOString(),
          minSpend: terms.minSpend?.toDecimalString() ?? null,
          scope: terms.scope,
          accountId: target,
          // Each voucher also names its issuer (created_by_id); the ids tie this event to exactly these vouchers.
          voucherIds,
        },
      });
      // Only ids are remembered: a replay reads the vouchers as they are then.
      await settleIssueKey(tx, issueKey, 201, JSON.stringify({ issueId, voucherIds }));
      return { replayed: false, issueId, voucherIds };
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );

  const vouchers = await vouchersById(ctx, outcome.voucherIds);
  const lifetimes = await startLifetimes(
    workflows,
    // On a retry, only those still unused: the others have had their lifetime already.
    vouchers
      .filter((voucher) => outcome.replayed === false || voucher.status === 'issued')
      .map((voucher) => ({ kind: 'voucher', reference: voucher.code, sourceId: voucher.id, expiresAt: voucher.validUntil.getTime() })),
    { log: options.log, issue: `voucher-issue/${outcome.issueId}`, context: { voucherIssueId: outcome.issueId, retried: outcome.replayed } },
  );
  return { issueId: outcome.issueId, vouchers, lifetimes, replayed: outcome.replayed };
}

interface Terms {
  faceValue: Money;
  minSpend: Money | null;
  validFrom: Date;
  validUntil: Date;
  scope: string[];
}

/**
 * validFrom defaults to now and may lie in the past (the voucher is simply valid at once); validUntil must be
 * in the future, after validFrom, and at most ten years ahead. A minimum spend is in the face value's currency.
 */
function parseTerms(input: IssueVouchersInput, now: Date): Terms {
  const faceValue = parseFaceValue(input.faceValue, '/body/faceValue');
  const minSpend = input.minSpend === undefined ? null : parseMoney(input.minSpend, '/body/minSpend');
  if (minSpend !== null && minSpend.currency !== faceValue.currency) {
    throw invalidField('/body/minSpend/currency', `must be ${faceValue.currency}, the face value's currency`, 'The minimum spend must be in the face value’s currency.');
  }
  const validFrom = input.validFrom === undefined ? now : new Date(input.validFrom);
  if (Number.isNaN(validFrom.getTime())) throw invalidField('/body/validFrom', 'is not a valid time');
  const validUntil = futureInstant(input.validUntil, '/body/validUntil', now);
  if (validUntil.getTime() <= validFrom.getTime()) {
    throw invalidField('/body/validUntil', 'must be after validFrom', 'validUntil must be after validFrom.');
  }
  const scope = input.scope ?? [];
  if (new Set(scope).size !== scope.length) throw invalidField('/body/scope', 'must not name an item twice');
  return { faceValue, minSpend, validFrom, validUntil, scope };
}

/** A voucher for one account: the account must exist (404) and keep its money in the voucher's currency (422). */
async function targetAccount(ctx: ServiceContext, accountId: string, faceValue: Money): Promise<string> {
  const account = await ctx.prisma.account.findUnique({ where: { id: accountId }, select: { id: true, currency: true } });
  if (!account) throw notFound('Account');
  if (account.currency !== faceValue.currency) {
    throw new DomainError('business_rule', 'currency-mismatch', `The account keeps its money in ${account.currency}, not ${faceValue.currency}.`, {
      fields: [{ path: '/body/faceValue/currency', message: `must be ${account.currency}, the account's currency` }],
    });
  }
  return account.id;
}

/**
 * One statement per round however many vouchers: the codes travel as one array (`unnest`), the shared terms
 * as single values. A code that clashes with an existing voucher is skipped (ON CONFLICT DO NOTHING) and
 * drawn again. Returns the ids in the order issued.
 */
async function insertVouchers(
  tx: Tx,
  random: RandomBytes,
  count: number,
  terms: Terms & { targetAccountId: string | null; createdById: string; now: Date },
): Promise<string[]> {
  const ids: string[] = [];
  const drawn = new Set<string>();
  for (let round = 1; ids.length < count; round++) {
    if (round > MAX_CODE_ROUNDS) throw new Error(`could not draw unused voucher codes in ${MAX_CODE_ROUNDS} rounds`);
    const codes: string[] = [];
    while (codes.length < count - ids.length) {
      const code = generateVoucherCode(random);
      if (!drawn.has(code)) codes.push(code);
      drawn.add(code);
    }
    const rows = await tx.$queryRaw<{ id: string; code: string }[]>`
      INSERT INTO vouchers (id, code, face_value_minor, currency, valid_from, valid_until, min_spend_minor, scope, target_account_id, status, created_by_id, created_at)
      SELECT gen_random_uuid(), c.code, ${terms.faceValue.minor}, ${terms.faceValue.currency}, ${terms.validFrom}::timestamptz, ${terms.validUntil}::timestamptz,
             ${terms.minSpend?.minor ?? null}::bigint, ${terms.scope}::varchar[], ${terms.targetAccountId}::uuid, 'issued', ${terms.createdById}::uuid,
             ${terms.now}::timestamptz
      FROM unnest(${codes}::text[]) WITH ORDINALITY AS c(code, position)
      ORDER BY c.position
      ON CONFLICT (code) DO NOTHING
      RETURNING id::text AS id, code`;
    const idOf = new Map(rows.map((row) => [row.code, row.id]));
    ids.push(...codes.flatMap((code) => idOf.get(code) ?? []));
  }
  return ids;
}

const SUMMARY = {
  id: true,
  code: true,
  faceValueMinor: true,
  currency: true,
  validFrom: true,
  validUntil: true,
  minSpendMinor: true,
  scope: true,
  targetAccountId: true,
  status: true,
  accountId: true,
  redeemedAt: true,
  createdAt: true,
} as const satisfies Prisma.VoucherSelect;

function summary(row: Prisma.VoucherGetPayload<{ select: typeof SUMMARY }>): VoucherSummary {
  const currency = storedCurrency(row.currency);
  return {
    id: row.id,
    code: row.code,
    faceValue: Money.ofMinor(row.faceValueMinor, currency),
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    minSpend: row.minSpendMinor === null ? null : Money.ofMinor(row.minSpendMinor, currency),
    scope: row.scope,
    accountId: row.targetAccountId,
    status: row.status as VoucherStatus,
    redeemedAccountId: row.accountId,
    redeemedAt: row.redeemedAt,
    createdAt: row.createdAt,
  };
}

/** In the order given (the order they were issued in). */
async function vouchersById(ctx: ServiceContext, ids: readonly string[]): Promise<VoucherSummary[]> {
  const rows = await ctx.prisma.voucher.findMany({ where: { id: { in: [...ids] } }, select: SUMMARY });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [summary(row)] : [];
  });
}

export interface VoucherListQuery {
  status?: VoucherStatus;
  /** Vouchers issued for this account or redeemed into it. */
  accountId?: string;
  limit: number;
  after?: { at: Date; id: string };
}

/** Newest first; `limit + 1` rows, so the caller can tell whether another page follows. */
export async function listVouchers(ctx: ServiceContext, query: VoucherListQuery): Promise<VoucherSummary[]> {
  const { after } = query;
  const rows = await ctx.prisma.voucher.findMany({
    where: {
      AND: [
        query.status ? { status: query.status } : {},
        query.accountId ? { OR: [{ targetAccountId: query.accountId }, { accountId: query.accountId }] } : {},
        after ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] } : {},
      ],
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
    select: SUMMARY,
  });
  return rows.map(summary);
}
