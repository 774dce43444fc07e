import type { Role } from '../../domain/identity/roles.js';
import type { ServiceContext } from '../context.js';
import type { Principal } from './principal.js';
import { newSecret, secretHash } from './secrets.js';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export async function issueToken(ctx: ServiceContext, userId: string): Promise<IssuedToken> {
  const token = newSecret('bct');
  const expiresAt = new Date(ctx.now().getTime() + ctx.tokenTtlMs);
  await ctx.prisma.session.create({ data: { tokenHash: secretHash(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The person behind a bearer token, or null when it is unknown, expired or revoked. */
export async function authenticateToken(ctx: ServiceContext, token: string): Promise<Principal | null> {
  const session = await ctx.prisma.session.findUnique({
    where: { tokenHash: secretHash(token) },
    include: { user: { select: { id: true, roles: true, accountId: true } } },
  });
  if (!session || session.revokedAt !== null || session.expiresAt <= ctx.now()) return null;
  return {
    kind: 'user',
    userId: session.user.id,
    sessionId: session.id,
    roles: session.user.roles as Role[],
    accountId: session.user.accountId,
  };
}

export async function revokeSession(ctx: ServiceContext, sessionId: string): Promise<void> {
  await ctx.prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: ctx.now() } });
}
