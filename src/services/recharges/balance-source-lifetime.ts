import type { PrismaClient } from '../../db/client.js';
import type { Tx } from '../../db/transaction.js';
import { customerSourceAccount } from '../../domain/ledger/index.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { expireSources } from '../ledger/expire-source.js';
import { queueEmail } from '../notifications/outbox.js';

export type SourceKind = 'prepaid_card' | 'voucher';

/** What is left on a bound card or voucher, from its ledger account. */
async function remainingOf(ctx: ServiceContext, accountId: string, kind: SourceKind, sourceId: string) {
  const account = await ctx.prisma.account.findUnique({ where: { id: accountId }, select: { currency: true, contactEmail: true, name: true } });
  if (!account) return null;
  const currency = account.currency as Currency;
  const ledger = await ctx.prisma.ledgerAccount.findUnique({ where: { key: customerSourceAccount(accountId, { kind, id: sourceId }, currency).key } });
  return { account, remaining: Money.ofMinor(-(ledger?.netMinor ?? 0n), currency) };
}

/**
 * Queues the expiry warning for a card or voucher that still carries money. Its business key names the
 * source and the expiry date, so one expiry date gets one email however often this runs; a new date (after an
 * extension) gets its own. Returns the business key queued, or null when nothing remains to warn about.
 */
export async function queueExpiryWarning(
  ctx: ServiceContext,
  input: { kind: SourceKind; sourceId: string; reference: string; accountId: string; expiresAt: number },
): Promise<string | null> {
  const found = await remainingOf(ctx, input.accountId, input.kind, input.sourceId);
  if (!found || !found.remaining.isPositive()) return null;
  const expiry = new Date(input.expiresAt).toISOString();
  const what = input.kind === 'prepaid_card' ? `prepaid card ${input.reference}` : `voucher ${input.reference}`;
  const businessKey = `${input.kind === 'prepaid_card' ? 'card' : 'voucher'}-expiry-warning/${input.reference}/${expiry}`;
  await ctx.prisma.$transaction((tx) =>
    queueEmail(tx, {
      businessKey,
      kind: input.kind === 'prepaid_card' ? 'card-expiry-warning' : 'voucher-expiry-warning',
      to: found.account.contactEmail,
      accountId: input.accountId,
      subject: `Your ${what} expires on ${expiry.slice(0, 10)}`,
      body: [
        `Hello ${found.account.name},`,
        '',
        `Your ${what} still holds ${found.remaining.toString()} and expires at ${expiry} (UTC).`,
        'What remains at that moment is cleared and can no longer pay for usage.',
      ].join('\n'),
    }),
  );
  return businessKey;
}

export interface BoundSource {
  kind: SourceKind;
  sourceId: string;
  accountId: string;
}

/**
 * At expiry: clears what remains through the ledger and marks the cards and vouchers expired, many at once in
 * one transaction (a burst of cards expiring in the same minute).
 */
export async function expireBoundSources(ctx: ServiceContext, inputs: readonly BoundSource[]) {
  const cleared = await expireSources(
    ctx,
    inputs.map((input) => ({ accountId: input.accountId, source: { kind: input.kind, id: input.sourceId } })),
    async (tx) => {
      for (const kind of ['prepaid_card', 'voucher'] as const) {
        const ids = inputs.filter((input) => input.kind === kind).map((input) => input.sourceId);
        if (ids.length > 0) await markExpired(tx, kind, ids, ['bound', 'redeemed']);
      }
    },
  );
  return cleared.map((money) => ({ cleared: money?.toApi() ?? null }));
}

/** An unused card or voucher reached the end of its validity: it can no longer be redeemed. */
export async function expireUnusedSource(ctx: ServiceContext, input: { kind: SourceKind; sourceId: string }) {
  await markExpired(ctx.prisma, input.kind, [input.sourceId], ['issued']);
}

async function markExpired(db: Tx | PrismaClient, kind: SourceKind, ids: string[], from: string[]) {
  if (kind === 'prepaid_card') {
    await db.prepaidCard.updateMany({ where: { id: { in: ids }, status: { in: from } }, data: { status: 'expired' } });
  } else {
    await db.voucher.updateMany({ where: { id: { in: ids }, status: { in: from } }, data: { status: 'expired' } });
  }
}
