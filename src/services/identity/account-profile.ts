import { DomainError, notFound } from '../../domain/errors.js';
import { inTransaction } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { assertStrongPassword, hashPassword, verifyPassword } from './passwords.js';
import { normalizeEmail } from './sign-in.js';

export interface Customer {
  userId: string;
  accountId: string;
}

export interface ProfileChanges {
  name?: string;
  /** null clears it. */
  phone?: string | null;
  contactEmail?: string;
  /** Already checked against the IANA database by the caller. */
  timezone?: string;
}

const wrongPassword = () => new DomainError('forbidden', 'wrong-password', 'The current password is wrong.');

async function ownerEmail(ctx: ServiceContext, userId: string): Promise<string> {
  const user = await ctx.prisma.user.findUnique({ where: { id: userId }, select: { email: true } });
  if (!user) throw notFound('User');
  return user.email;
}

export async function getProfile(ctx: ServiceContext, who: Customer) {
  const account = await ctx.prisma.account.findUnique({ where: { id: who.accountId } });
  if (!account) throw notFound('Account');
  return { account, email: await ownerEmail(ctx, who.userId) };
}

export async function updateProfile(ctx: ServiceContext, who: Customer, changes: ProfileChanges) {
  const account = await ctx.prisma.account.update({
    where: { id: who.accountId },
    data: {
      ...(changes.name === undefined ? {} : { name: changes.name.trim() }),
      ...(changes.phone === undefined ? {} : { phone: changes.phone }),
      ...(changes.contactEmail === undefined ? {} : { contactEmail: normalizeEmail(changes.contactEmail) }),
      ...(changes.timezone === undefined ? {} : { timezone: changes.timezone }),
    },
  });
  return { account, email: await ownerEmail(ctx, who.userId) };
}

/**
 * Replaces the password of a signed-in person. Every other session is revoked with it, so a password changed
 * because it leaked also throws out whoever used it; the session that made the change keeps working.
 */
export async function changePassword(
  ctx: ServiceContext,
  who: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await ctx.prisma.user.findUnique({ where: { id: who.userId } });
  if (!user) throw notFound('User');
  // The cheap checks come first; none of them says anything about the current password.
  assertStrongPassword(input.newPassword, '/body/newPassword', user.email);
  if (input.newPassword === input.currentPassword) {
    throw new DomainError('invalid', 'same-password', 'The new password must differ from the current one.', {
      fields: [{ path: '/body/newPassword', message: 'must differ from the current password' }],
    });
  }
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw wrongPassword();
  }
  const passwordHash = await hashPassword(input.newPassword);
  await inTransaction(ctx.prisma, async (tx) => {
    // Only over the hash that was verified: a change that raced this one has made the given password wrong.
    const changed = await tx.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash } });
    if (changed.count === 0) throw wrongPassword();
    await tx.session.updateMany({
      where: { userId: user.id, id: { not: who.sessionId }, revokedAt: null },
      data: { revokedAt: ctx.now() },
    });
  });
  // Other processes hear of it from the database; this one must not answer the very next request from memory.
  ctx.principals.forgetAll();
}
