import { DomainError } from '../../domain/errors.js';
import type { Tx } from '../../db/transaction.js';

/** Why a voucher cannot be redeemed: each is a 422 with this code. */
const refuse = (code: string, message: string) => new DomainError('business_rule', code, message);

/**
 * Reserves a voucher for a recharge: only one recharge can ever hold a voucher (the conditional update is the
 * race's referee), and every reason to refuse is told apart.
 */
export async function reserveVoucher(
  tx: Tx,
  input: { code: string; accountId: string; accountCurrency: string; rechargeId: string; now: Date },
): Promise<{ voucherId: string; faceValueMinor: bigint }> {
  const voucher = await tx.voucher.findUnique({ where: { code: input.code } });
  if (!voucher) throw refuse('voucher-not-found', 'No voucher has this code.');
  if (voucher.targetAccountId !== null && voucher.targetAccountId !== input.accountId) {
    // Said as "not found" would hide nothing useful; saying whose it is would leak.
    throw refuse('voucher-not-yours', 'This voucher was issued to another account.');
  }
  if (voucher.status === 'revoked') throw refuse('voucher-revoked', 'This voucher was withdrawn.');
  if (voucher.status === 'redeemed' || voucher.status === 'reserved') throw refuse('voucher-already-used', 'This voucher has already been used.');
  if (voucher.status === 'expired' || voucher.validUntil <= input.now) throw refuse('voucher-expired', 'This voucher has expired.');
  if (voucher.validFrom > input.now) throw refuse('voucher-not-yet-valid', `This voucher is valid from ${voucher.validFrom.toISOString()}.`);
  if (voucher.currency !== input.accountCurrency) {
    throw refuse('currency-mismatch', `This voucher is in ${voucher.currency}; the account is billed in ${input.accountCurrency}.`);
  }
  const reserved = await tx.voucher.updateMany({
    where: { id: voucher.id, status: 'issued', rechargeId: null },
    data: { status: 'reserved', rechargeId: input.rechargeId, accountId: input.accountId },
  });
  if (reserved.count === 0) throw refuse('voucher-already-used', 'This voucher has already been used.');
  return { voucherId: voucher.id, faceValueMinor: voucher.faceValueMinor };
}

/** Compensation: a reservation whose recharge failed frees the voucher again. */
export async function releaseVoucher(tx: Tx, rechargeId: string): Promise<void> {
  await tx.voucher.updateMany({ where: { rechargeId, status: 'reserved' }, data: { status: 'issued', rechargeId: null, accountId: null } });
}
