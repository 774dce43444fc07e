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

/**
 * The account holding a voucher: who reserved or redeemed it (also after it expired), or null while nobody has
 * (a redemption given back returns it to nobody). What a voucher's lifetime asks when its timers fire.
 */
export async function voucherHolder(ctx: ServiceContext, voucherId: string): Promise<string | null> {
  const [row] = await ctx.prisma.$queryRaw<{ account_id: string | null }[]>`
    SELECT account_id::text FROM vouchers WHERE id = ${voucherId}::uuid AND status IN ('reserved', 'redeemed', 'expired')`;
  return row?.account_id ?? null;
}

/** Three days before a voucher's end: queues the warning to its holder, if it was redeemed and money remains. */
export async function warnVoucherHolder(
  ctx: ServiceContext,
  input: { sourceId: string; reference: string; expiresAt: number },
): Promise<{ accountId: string | null; warning: string | null }> {
  const accountId = await voucherHolder(ctx, input.sourceId);
  if (accountId === null) return { accountId, warning: null };
  return { accountId, warning: await queueExpiryWarning(ctx, { kind: 'voucher', ...input, accountId }) };
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
export async function expireBoundSources(ctx: ServiceContext, inputs: readonly BoundSource[], options: { dueBy?: Date } = {}) {
  const cleared = await expireSources(
    ctx,
    inputs.map((input) => ({ accountId: input.accountId, source: { kind: input.kind, id: input.sourceId } })),
    async (tx) => {
      for (const kind of ['prepaid_card', 'voucher'] as const) {
        const ids = inputs.filter((input) => input.kind === kind).map((input) => input.sourceId);
        if (ids.length > 0) await markExpired(tx, kind, ids, ['bound', 'redeemed'], options.dueBy);
      }
    },
    options,
  );
  return cleared.map((money) => ({ cleared: money?.toApi() ?? null }));
}

/** How many expired sources one sweep transaction clears: the size of the lifetimes' own micro-batches. */
const SWEEP_BATCH = 200;

/**
 * Clears every voucher and prepaid card whose expiry has passed while it is still active, oldest expiry first,
 * SWEEP_BATCH per transaction: what the `balance-expiry-sweep` schedule runs every 30 s. Each lifetime also
 * clears its own source when its timer fires; whichever comes first posts the expiry entry (its key is
 * permanent) and the other finds the source expired. The sweep keeps a burst (thousands of cards sold together,
 * expiring in the same minute) from waiting behind thousands of timers' workflow tasks. Returns how many
 * sources it ended; `onBatch` hears the running count.
 */
export async function sweepExpiredSources(ctx: ServiceContext, options: { max?: number; onBatch?: (swept: number) => void } = {}): Promise<number> {
  const max = options.max ?? 100_000;
  let swept = 0;
  while (swept < max) {
    const now = ctx.now();
    const due = await ctx.prisma.$queryRaw<{ account_id: string; source: SourceKind; source_id: string }[]>`
      SELECT account_id::text, source, source_id FROM ledger_accounts
      WHERE status = 'active' AND expires_at <= ${now} AND source IN ('voucher', 'prepaid_card')
      ORDER BY expires_at, id LIMIT ${Math.min(SWEEP_BATCH, max - swept)}`;
    if (due.length === 0) break;
    await expireBoundSources(ctx, due.map((row) => ({ kind: row.source, sourceId: row.source_id, accountId: row.account_id })), { dueBy: now });
    swept += due.length;
    options.onBatch?.(swept);
  }
  return swept;
}

/** An unused card or voucher reached the end of its validity: it can no longer be redeemed. */
export async function expireUnusedSource(ctx: ServiceContext, input: { kind: SourceKind; sourceId: string }) {
  await markExpired(ctx.prisma, input.kind, [input.sourceId], ['issued']);
}

async function markExpired(db: Tx | PrismaClient, kind: SourceKind, ids: string[], from: string[], dueBy?: Date) {
  if (kind === 'prepaid_card') {
    const due = dueBy === undefined ? {} : { expiresAt: { lte: dueBy } };
    await db.prepaidCard.updateMany({ where: { id: { in: ids }, status: { in: from }, ...due }, data: { status: 'expired' } });
  } else {
    const due = dueBy === undefined ? {} : { validUntil: { lte: dueBy } };
    await db.voucher.updateMany({ where: { id: { in: ids }, status: { in: from }, ...due }, data: { status: 'expired' } });
  }
}
