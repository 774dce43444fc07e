import { DomainError, notFound } from '../../domain/errors.js';
import { validateCreditCode } from '../../domain/identity/credit-code.js';
import { validateResidentId } from '../../domain/identity/resident-id.js';
import { inTransaction } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { audit } from './audit.js';

export type RealNameSubmission =
  | { type: 'individual'; legalName: string; idNumber: string }
  | { type: 'enterprise'; companyName: string; creditCode: string; legalRepresentative: string };

export type RealNameStatus = 'pending' | 'approved' | 'rejected';

export type ReviewDecision = { approve: true } | { approve: false; reason: string };

/**
 * Validates the document number and names the field, never echoing the number: these values are personal
 * data and must not reach a response or a log line unmasked.
 */
function documentOf(submission: RealNameSubmission, now: Date) {
  if (submission.type === 'individual') {
    const result = validateResidentId(submission.idNumber, { now });
    if (!result.ok) throw invalidDocument('invalid-resident-id', '/body/idNumber', result.message);
    return { legalName: submission.legalName.trim(), documentNumber: result.value, legalRepresentative: null };
  }
  const result = validateCreditCode(submission.creditCode);
  if (!result.ok) throw invalidDocument('invalid-credit-code', '/body/creditCode', result.message);
  return {
    legalName: submission.companyName.trim(),
    documentNumber: result.value,
    legalRepresentative: submission.legalRepresentative.trim(),
  };
}

const invalidDocument = (code: string, path: string, message: string) =>
  new DomainError('invalid', code, message, { fields: [{ path, message }] });

/** A new submission, pending review. One at a time, and none after an approval; a rejection may be retried. */
export async function submitRealName(ctx: ServiceContext, accountId: string, submission: RealNameSubmission) {
  const now = ctx.now();
  const document = documentOf(submission, now);
  // Serializable: two submissions racing each other cannot both see "nothing pending".
  return inTransaction(ctx.prisma, async (tx) => {
    const blocking = await tx.realNameVerification.findFirst({
      where: { accountId, status: { in: ['pending', 'approved'] } },
      select: { status: true },
    });
    if (blocking?.status === 'pending') {
      throw new DomainError('conflict', 'real-name-pending', 'A real-name submission is already waiting for review.');
    }
    if (blocking?.status === 'approved') {
      throw new DomainError('conflict', 'real-name-approved', 'This account’s real name is already verified.');
    }
    const created = await tx.realNameVerification.create({
      data: { accountId, type: submission.type, ...document, status: 'pending', submittedAt: now },
    });
    await tx.account.update({ where: { id: accountId }, data: { realNameStatus: 'pending' } });
    return created;
  });
}

/** The account's latest submission, or null when it never submitted one. */
export async function latestRealName(ctx: ServiceContext, accountId: string) {
  return ctx.prisma.realNameVerification.findFirst({
    where: { accountId },
    orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }],
  });
}

/** Newest first; `after` is the last row of the previous page. Returns up to `limit + 1` rows so the caller knows there is more. */
export async function listRealNameReviews(
  ctx: ServiceContext,
  query: { status?: RealNameStatus; limit: number; after?: { at: Date; id: string } },
) {
  const after = query.after;
  return ctx.prisma.realNameVerification.findMany({
    where: {
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { OR: [{ submittedAt: { lt: after.at } }, { submittedAt: after.at, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
}

/** Approves or rejects a pending submission; the account's status follows, and the decision is audited with it. */
export async function reviewRealName(ctx: ServiceContext, actorId: string, id: string, decision: ReviewDecision) {
  const now = ctx.now();
  return inTransaction(ctx.prisma, async (tx) => {
    const found = await tx.realNameVerification.findUnique({ where: { id } });
    if (!found) throw notFound('Real-name submission');
    if (found.status !== 'pending') {
      throw new DomainError('conflict', 'real-name-not-pending', `This submission was already ${found.status}.`);
    }
    const status = decision.approve ? 'approved' : 'rejected';
    const rejectionReason = decision.approve ? null : decision.reason.trim();
    const updated = await tx.realNameVerification.update({
      where: { id },
      data: { status, rejectionReason, reviewedById: actorId, reviewedAt: now },
    });
    await tx.account.update({ where: { id: found.accountId }, data: { realNameStatus: status } });
    await audit(tx, {
      actorId,
      action: `real_name.${status}`,
      targetType: 'real_name_verification',
      targetId: id,
      // The document number stays out: the audit trail is read more widely than the submission itself.
      details: { accountId: found.accountId, type: found.type, ...(rejectionReason === null ? {} : { reason: rejectionReason }) },
    });
    return updated;
  });
}
