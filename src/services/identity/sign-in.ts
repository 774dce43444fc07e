import { DomainError } from '../../domain/errors.js';
import { afterFailure, lockedFor } from '../../domain/identity/login-throttle.js';
import type { Role } from '../../domain/identity/roles.js';
import type { Currency } from '../../domain/money.js';
import { inTransaction, isUniqueViolation } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { assertStrongPassword, burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { issueToken, type IssuedToken } from './sessions.js';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface Registration {
  email: string;
  password: string;
  name: string;
  currency?: Currency;
  timezone?: string;
}

/** A new billing-center account and its owner, signed in. */
export async function register(ctx: ServiceContext, input: Registration) {
  const email = normalizeEmail(input.email);
  assertStrongPassword(input.password, '/body/password', email);
  const passwordHash = await hashPassword(input.password);
  try {
    const { account, user } = await inTransaction(ctx.prisma, async (tx) => {
      const account = await tx.account.create({
        data: {
          name: input.name,
          contactEmail: email,
          ...(input.currency ? { currency: input.currency } : {}),
          ...(input.timezone ? { timezone: input.timezone } : {}),
        },
      });
      const user = await tx.user.create({
        data: { email, name: input.name, passwordHash, roles: ['customer'], accountId: account.id },
      });
      return { account, user };
    });
    return { account, user, session: await issueToken(ctx, user.id) };
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', 'email-taken', 'An account with this email already exists.');
    throw error;
  }
}

const WRONG_CREDENTIALS = 'The email or password is wrong.';

/**
 * Signs a person in. A wrong email and a wrong password get the same answer in the same time; after too many
 * failures for one email, every attempt for it is refused with 429 until the lock runs out.
 */
export async function logIn(
  ctx: ServiceContext,
  input: { email: string; password: string },
): Promise<IssuedToken & { roles: Role[]; userId: string }> {
  const email = normalizeEmail(input.email);
  const now = ctx.now();
  const throttle = await ctx.prisma.loginThrottle.findUnique({ where: { email } });
  const locked = lockedFor(throttle, now);
  if (locked > 0) {
    throw new DomainError('rate_limited', 'too-many-sign-in-attempts', 'Too many failed sign-ins for this email; try again later.', {
      retryAfterSeconds: Math.ceil(locked / 1000),
    });
  }

  const user = await ctx.prisma.user.findUnique({ where: { email } });
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);
  if (!user || !ok) {
    await inTransaction(ctx.prisma, async (tx) => {
      const current = await tx.loginThrottle.findUnique({ where: { email } });
      const next = afterFailure(current, now);
      await tx.loginThrottle.upsert({ where: { email }, create: { email, ...next }, update: next });
    });
    throw new DomainError('unauthenticated', 'wrong-credentials', WRONG_CREDENTIALS);
  }
  if (throttle) await ctx.prisma.loginThrottle.deleteMany({ where: { email } });
  return { ...(await issueToken(ctx, user.id)), roles: user.roles as Role[], userId: user.id };
}
