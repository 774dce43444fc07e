import { randomBytes } from 'node:crypto';
import { generateCardNumber } from '../../src/domain/sales/card-number.js';
import { generateCardSecret, hashCardSecret } from '../../src/domain/sales/card-secret.js';
import { generateVoucherCode } from '../../src/domain/sales/voucher-code.js';
import type { PrismaClient } from '../../src/db/client.js';

/**
 * Cards and vouchers as sales issues them, written straight to the database: recharge tests need many, and
 * the sales API has its own tests. Lifetimes are not started here; a redemption starts one if missing.
 */
export async function issueCard(
  prisma: PrismaClient,
  options: { faceValue?: bigint; currency?: string; validDays?: number; expiresAt?: Date; createdById: string },
) {
  const batch = await prisma.prepaidCardBatch.create({
    data: {
      count: 1,
      faceValueMinor: options.faceValue ?? 10_000n,
      currency: options.currency ?? 'CNY',
      validDays: options.expiresAt ? null : (options.validDays ?? 30),
      expiresAt: options.expiresAt ?? null,
      createdById: options.createdById,
    },
  });
  const cardNo = generateCardNumber(randomBytes);
  const secret = generateCardSecret(randomBytes);
  const card = await prisma.prepaidCard.create({
    data: {
      cardNo,
      secretHash: hashCardSecret(cardNo, secret),
      batchId: batch.id,
      faceValueMinor: batch.faceValueMinor,
      currency: batch.currency,
      expiresAt: batch.expiresAt,
    },
  });
  return { ...card, secret };
}

export async function issueVoucher(
  prisma: PrismaClient,
  options: { faceValue?: bigint; validFrom?: Date; validUntil?: Date; targetAccountId?: string; scope?: string[]; minSpend?: bigint; createdById: string; now?: Date },
) {
  // On the time-skipping server, "now" is the server's clock, not the wall clock: tests pass it in.
  const now = (options.now ?? new Date()).getTime();
  return prisma.voucher.create({
    data: {
      code: generateVoucherCode(randomBytes),
      faceValueMinor: options.faceValue ?? 5_000n,
      currency: 'CNY',
      validFrom: options.validFrom ?? new Date(now - 60_000),
      validUntil: options.validUntil ?? new Date(now + 30 * 86_400_000),
      scope: options.scope ?? [],
      minSpendMinor: options.minSpend ?? null,
      targetAccountId: options.targetAccountId ?? null,
      createdById: options.createdById,
    },
  });
}
