import { Prisma } from '../../db/generated/client.js';
import { inTransaction } from '../../db/transaction.js';
import {
  cashRechargeEntry,
  customerPrepaidCard,
  customerVoucher,
  prepaidCardRechargeEntry,
  voucherRechargeEntry,
  type JournalEntry,
} from '../../domain/ledger/index.js';
import { Money, type Currency } from '../../domain/money.js';
import type { ServiceContext } from '../context.js';
import { postEntries, type SourceTerms } from '../ledger/post-entries.js';
import { releaseVoucher } from './voucher.js';
import { releasePrepaidCard } from './prepaid-card-binding.js';

export interface Credited {
  status: 'completed';
  /** For a card or voucher: what its lifetime workflow must be told. */
  source: { kind: 'prepaid_card' | 'voucher'; reference: string; sourceId: string; expiresAt: Date } | null;
}

/**
 * Puts a recharge's money into the account, once: one transaction posts `recharge/<id>` (a no-op if it was
 * posted before), marks the voucher redeemed or the card's balance live, and completes the recharge.
 */
export async function creditRecharge(ctx: ServiceContext, rechargeId: string): Promise<Credited> {
  return inTransaction(
    ctx.prisma,
    async (tx) => {
      const recharge = await tx.recharge.findUniqueOrThrow({ where: { id: rechargeId } });
      const currency = recharge.currency as Currency;
      const now = ctx.now();
      let entry: JournalEntry;
      let source: Credited['source'] = null;
      const terms = new Map<string, SourceTerms>();
      if (recharge.method === 'voucher') {
        const voucher = await tx.voucher.findFirstOrThrow({ where: { id: recharge.voucherId!, rechargeId } });
        const amount = Money.ofMinor(voucher.faceValueMinor, currency);
        entry = voucherRechargeEntry({ rechargeId, billingAccountId: recharge.accountId, voucherId: voucher.id, amount });
        terms.set(customerVoucher(recharge.accountId, voucher.id, currency).key, {
          expiresAt: voucher.validUntil,
          validFrom: voucher.validFrom,
          scope: voucher.scope,
          minSpend: voucher.minSpendMinor === null ? null : Money.ofMinor(voucher.minSpendMinor, currency),
        });
        await tx.voucher.update({ where: { id: voucher.id }, data: { status: 'redeemed', redeemedAt: voucher.redeemedAt ?? now } });
        source = { kind: 'voucher', reference: voucher.code, sourceId: voucher.id, expiresAt: voucher.validUntil };
      } else if (recharge.method === 'prepaid_card') {
        const card = await tx.prepaidCard.findFirstOrThrow({ where: { id: recharge.prepaidCardId!, rechargeId } });
        const amount = Money.ofMinor(card.faceValueMinor, currency);
        entry = prepaidCardRechargeEntry({ rechargeId, billingAccountId: recharge.accountId, cardId: card.id, amount });
        terms.set(customerPrepaidCard(recharge.accountId, card.id, currency).key, { expiresAt: card.expiresAt });
        source = { kind: 'prepaid_card', reference: card.cardNo, sourceId: card.id, expiresAt: card.expiresAt! };
      } else {
        entry = cashRechargeEntry({ rechargeId, billingAccountId: recharge.accountId, amount: Money.ofMinor(recharge.amountMinor!, currency) });
      }
      await postEntries(tx, [{ entry, accountId: recharge.accountId, occurredAt: now, details: { rechargeId, method: recharge.method }, sourceTerms: terms }], now);
      await tx.recharge.update({ where: { id: rechargeId }, data: { status: 'completed', completedAt: recharge.completedAt ?? now } });
      return { status: 'completed' as const, source };
    },
    { isolation: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
}

/**
 * Compensation for a recharge that cannot complete: frees its voucher or card and records why. A recharge
 * that already completed is left alone (its money is real).
 */
export async function abandonRecharge(
  ctx: ServiceContext,
  rechargeId: string,
  outcome: { status: 'failed' | 'cancelled'; code: string; reason: string },
): Promise<'failed' | 'cancelled' | 'completed'> {
  return inTransaction(ctx.prisma, async (tx) => {
    const recharge = await tx.recharge.findUniqueOrThrow({ where: { id: rechargeId } });
    if (recharge.status === 'completed') return 'completed';
    await releaseVoucher(tx, rechargeId);
    await releasePrepaidCard(tx, rechargeId);
    await tx.recharge.update({ where: { id: rechargeId }, data: { status: outcome.status, failureCode: outcome.code, failureReason: outcome.reason } });
    return outcome.status;
  });
}
