import type { Static } from '@fastify/type-provider-typebox';
import type { IssuedBatch } from '../../src/services/sales/prepaid-card-batches.js';
import type { CardSummary } from '../../src/services/sales/prepaid-cards.js';
import type { IssuedVouchers, VoucherSummary } from '../../src/services/sales/vouchers.js';
import type { CardView, IssuedBatchView, IssuedVouchersView, VoucherView } from './schemas.js';

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export function issuedBatchView(batch: IssuedBatch): Static<typeof IssuedBatchView> {
  const faceValue = batch.faceValue.toApi();
  return {
    batchId: batch.batchId,
    count: batch.count,
    faceValue,
    expiresAt: iso(batch.expiresAt),
    validDays: batch.validDays,
    note: batch.note,
    createdAt: batch.createdAt.toISOString(),
    lifetimes: batch.lifetimes,
    cards: batch.cards.map((card) => ({ cardNo: card.cardNo, secret: card.secret, faceValue, expiresAt: iso(batch.expiresAt), validDays: batch.validDays })),
  };
}

export function cardView(card: CardSummary): Static<typeof CardView> {
  return {
    id: card.id,
    cardNo: card.cardNo,
    batchId: card.batchId,
    faceValue: card.faceValue.toApi(),
    status: card.status,
    expiresAt: iso(card.expiresAt),
    validDays: card.validDays,
    accountId: card.accountId,
    boundAt: iso(card.boundAt),
    createdAt: card.createdAt.toISOString(),
  };
}

export function voucherView(voucher: VoucherSummary): Static<typeof VoucherView> {
  return {
    id: voucher.id,
    code: voucher.code,
    faceValue: voucher.faceValue.toApi(),
    validFrom: voucher.validFrom.toISOString(),
    validUntil: voucher.validUntil.toISOString(),
    minSpend: voucher.minSpend?.toApi() ?? null,
    scope: voucher.scope,
    accountId: voucher.accountId,
    status: voucher.status,
    redeemedAccountId: voucher.redeemedAccountId,
    redeemedAt: iso(voucher.redeemedAt),
    createdAt: voucher.createdAt.toISOString(),
  };
}

export function issuedVouchersView(issued: IssuedVouchers): Static<typeof IssuedVouchersView> {
  return { issueId: issued.issueId, lifetimes: issued.lifetimes, vouchers: issued.vouchers.map(voucherView) };
}
