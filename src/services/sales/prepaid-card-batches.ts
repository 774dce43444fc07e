import { randomBytes } from 'node:crypto';
import { Prisma } from '../../db/generated/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { DomainError } from '../../domain/errors.js';
import type { Money } from '../../domain/money.js';
import { generateCardNumber } from '../../domain/sales/card-number.js';
import { formatCardSecret, generateCardSecret, hashCardSecret } from '../../domain/sales/card-secret.js';
import { bufferedRandom, type RandomBytes } from '../../domain/sales/random.js';
import type { Workflows } from '../../temporal/workflows.js';
import type { ServiceContext } from '../context.js';
import { audit } from '../identity/audit.js';
import { claimIssueKey, settleIssueKey, type IssueKey } from './issue-claim.js';
import { futureInstant, invalidField, parseFaceValue } from './inputs.js';
import { startLifetimes, type LifetimeLog, type LifetimeStarts } from './lifetimes.js';

export interface IssueCardsInput {
  count: number;
  faceValue: { amount: string; currency: string };
  validDays?: number;
  expiresAt?: string;
  note?: string;
}

export interface IssuedCard {
  id: string;
  cardNo: string;
  /** As printed (`ABCD-EFGH-JKLM-NPQR`). Exists only in this result: the database keeps its hash. */
  secret: string;
}

export interface IssuedBatch {
  batchId: string;
  count: number;
  faceValue: Money;
  expiresAt: Date | null;
  validDays: number | null;
  note: string | null;
  createdAt: Date;
  cards: IssuedCard[];
  /** How the cards' lifetime workflows stand as the answer goes out (see `startLifetimes`). */
  lifetimes: LifetimeStarts;
}

// Card numbers are 15 random digits: a clash with an existing card is rare, several in a row means a bug.
const MAX_NUMBER_ROUNDS = 5;

/**
 * Issues a batch of prepaid cards: the batch, its cards (numbers, hashed secrets) and the audit event in one
 * transaction, then each card's lifetime workflow. Sending the same request with the same Idempotency-Key
 * again issues nothing: it starts any lifetime still missing and answers 409, because the secrets were
 * shown once and are kept nowhere.
 */
export async function issuePrepaidCards(
  ctx: ServiceContext,
  workflows: Workflows,
  actorId: string,
  input: IssueCardsInput,
  issueKey: IssueKey,
  options: { log: LifetimeLog; random?: RandomBytes },
): Promise<IssuedBatch> {
  const random = options.random ?? bufferedRandom(randomBytes);
  const faceValue = parseFaceValue(input.faceValue, '/body/faceValue');
  const now = ctx.now();
  const validity = parseValidity(input, now);
  const note = input.note?.trim() || null;

  const outcome = await inTransaction(
    ctx.prisma,
    async (tx) => {
      const claim = await claimIssueKey(tx, issueKey);
      if (claim.kind === 'issued-before') return { kind: 'issued-before' as const, batchId: (JSON.parse(claim.responseBody) as { batchId: string }).batchId };
      const batch = await tx.prepaidCardBatch.create({
        data: {
          count: input.count,
          faceValueMinor: faceValue.minor,
          currency: faceValue.currency,
          expiresAt: validity.expiresAt,
          validDays: validity.validDays,
          note,
          createdById: actorId,
          createdAt: now,
        },
      });
      const cards = await insertCards(tx, random, input.count, { batchId: batch.id, faceValue, expiresAt: validity.expiresAt, now });
      await audit(tx, {
        actorId,
        action: 'prepaid_cards.issued',
        targetType: 'prepaid_card_batch',
        targetId: batch.id,
        details: {
          count: input.count,
          faceValue: faceValue.toDecimalString(),
          currency: faceValue.currency,
          expiresAt: validity.expiresAt?.toISOString() ?? null,
          validDays: validity.validDays,
          note,
        },
      });
      await settleIssueKey(tx, issueKey, 201, JSON.stringify({ batchId: batch.id, count: input.count }));
      return { kind: 'issued' as const, batch, cards };
    },
    // Inserts of fresh rows need no serializable snapshot; read committed lets a concurrent retry see the claim.
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );

  if (outcome.kind === 'issued-before') {
    await ensureBatchLifetimes(ctx, workflows, outcome.batchId, options.log);
    throw new DomainError(
      'conflict',
      'prepaid-card-batch-already-issued',
      `This Idempotency-Key already issued batch ${outcome.batchId}. Card secrets are shown only once, so they cannot be sent again: ` +
        `list the cards with GET /v1/sales/prepaid-cards?batchId=${outcome.batchId}, and revoke them if the secrets were lost.`,
    );
  }

  const { batch, cards } = outcome;
  const lifetimes = await startLifetimes(
    workflows,
    cards.map((card) => ({ kind: 'prepaid_card', reference: card.cardNo, sourceId: card.id, expiresAt: validity.expiresAt?.getTime() ?? null })),
    { log: options.log, issue: `prepaid-card-batch/${batch.id}`, context: { batchId: batch.id } },
  );
  return {
    batchId: batch.id,
    count: batch.count,
    faceValue,
    expiresAt: validity.expiresAt,
    validDays: validity.validDays,
    note,
    createdAt: batch.createdAt,
    cards,
    lifetimes,
  };
}

/** Exactly one of `validDays` (counted from the card's activation) and `expiresAt` (a fixed end). */
function parseValidity(input: IssueCardsInput, now: Date): { expiresAt: Date | null; validDays: number | null } {
  const hasDays = input.validDays !== undefined;
  const hasEnd = input.expiresAt !== undefined;
  if (hasDays === hasEnd) {
    throw new DomainError('invalid', 'validation', 'Give exactly one of validDays (counted from activation) and expiresAt (a fixed end).', {
      fields: [
        { path: '/body/validDays', message: hasDays ? 'must not be given with expiresAt' : 'or expiresAt is required' },
        { path: '/body/expiresAt', message: hasEnd ? 'must not be given with validDays' : 'or validDays is required' },
      ],
    });
  }
  if (hasEnd) return { expiresAt: futureInstant(input.expiresAt!, '/body/expiresAt', now), validDays: null };
  if (!Number.isInteger(input.validDays)) throw invalidField('/body/validDays', 'must be a whole number of days');
  return { expiresAt: null, validDays: input.validDays! };
}

interface CardTemplate {
  batchId: string;
  faceValue: Money;
  expiresAt: Date | null;
  now: Date;
}

/**
 * Inserts `count` cards, one statement per round however many: the rows travel as two arrays (`unnest`), so
 * 10,000 cards cost one round trip, not 10,000 (nor Prisma's createMany, which builds a parameter per value
 * and takes seconds per thousand rows). A number that clashes with an existing card is skipped by the insert
 * (ON CONFLICT DO NOTHING) and drawn again; the secrets of skipped numbers are never shown.
 */
async function insertCards(tx: Tx, random: RandomBytes, count: number, template: CardTemplate): Promise<IssuedCard[]> {
  const issued: IssuedCard[] = [];
  const drawn = new Set<string>();
  for (let round = 1; issued.length < count; round++) {
    if (round > MAX_NUMBER_ROUNDS) throw new Error(`could not draw unused card numbers in ${MAX_NUMBER_ROUNDS} rounds`);
    const cardNos: string[] = [];
    const secrets = new Map<string, string>();
    while (cardNos.length < count - issued.length) {
      const cardNo = generateCardNumber(random);
      if (drawn.has(cardNo)) continue;
      drawn.add(cardNo);
      cardNos.push(cardNo);
      secrets.set(cardNo, generateCardSecret(random));
    }
    const hashes = cardNos.map((cardNo) => hashCardSecret(cardNo, secrets.get(cardNo)!));
    const rows = await tx.$queryRaw<{ id: string; card_no: string }[]>`
      INSERT INTO prepaid_cards (id, card_no, secret_hash, batch_id, face_value_minor, currency, status, expires_at, created_at)
      SELECT gen_random_uuid(), c.card_no, c.secret_hash, ${template.batchId}::uuid, ${template.faceValue.minor}, ${template.faceValue.currency},
             'issued', ${template.expiresAt}::timestamptz, ${template.now}::timestamptz
      FROM unnest(${cardNos}::text[], ${hashes}::text[]) WITH ORDINALITY AS c(card_no, secret_hash, position)
      ORDER BY c.position
      ON CONFLICT (card_no) DO NOTHING
      RETURNING id::text AS id, card_no`;
    const idOf = new Map(rows.map((row) => [row.card_no, row.id]));
    for (const cardNo of cardNos) {
      const id = idOf.get(cardNo);
      if (id !== undefined) issued.push({ id, cardNo, secret: formatCardSecret(secrets.get(cardNo)!) });
    }
  }
  return issued;
}

/**
 * Starts the lifetime of every card of a batch that is still unused (used, revoked and expired ones have had
 * theirs). For a retried issue, whose first attempt may have lost some starts.
 */
async function ensureBatchLifetimes(ctx: ServiceContext, workflows: Workflows, batchId: string, log: LifetimeLog): Promise<void> {
  const cards = await ctx.prisma.prepaidCard.findMany({ where: { batchId, status: 'issued' }, select: { id: true, cardNo: true, expiresAt: true } });
  await startLifetimes(
    workflows,
    cards.map((card) => ({ kind: 'prepaid_card', reference: card.cardNo, sourceId: card.id, expiresAt: card.expiresAt?.getTime() ?? null })),
    { log, issue: `prepaid-card-batch/${batchId}`, context: { batchId, retried: true } },
  );
}
