import { customerSourceAccount } from '../../domain/ledger/index.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { expireSource } from '../ledger/expire-source.js';
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

/** At expiry: clears what remains through the ledger and marks the card or voucher expired. */
export async function expireBoundSource(ctx: ServiceContext, input: { kind: SourceKind; sourceId: string; accountId: string }) {
  const { cleared } = await expireSource(ctx, input.accountId, { kind: input.kind, id: input.sourceId });
  await markExpired(ctx, input.kind, input.sourceId, ['bound', 'redeemed']);
  return { cleared: cleared?.toApi() ?? null };
}

/** An unused card or voucher reached the end of its validity: it can no longer be redeemed. */
export async function expireUnusedSource(ctx: ServiceContext, input: { kind: SourceKind; sourceId: string }) {
  await markExpired(ctx, input.kind, input.sourceId, ['issued']);
}

async function markExpired(ctx: ServiceContext, kind: SourceKind, id: string, from: string[]) {
  if (kind === 'prepaid_card') {
    await ctx.prisma.prepaidCard.updateMany({ where: { id, status: { in: from } }, data: { status: 'expired' } });
  } else {
    await ctx.prisma.voucher.updateMany({ where: { id, status: { in: from } }, data: { status: 'expired' } });
  }
}
