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
  const tokenHash = secretHash(token);
  const now = ctx.now();
  const cached = ctx.principals.get(tokenHash, now);
  if (cached) return cached;
  const readAt = ctx.principals.generation();
  // Every authenticated request the cache cannot answer runs this: one indexed join, not an ORM lookup plus its include.
  const [session] = await ctx.prisma.$queryRaw<SessionRow[]>`
    SELECT s.id, s.expires_at, u.id AS user_id, u.roles, u.account_id::text AS account_id
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ${tokenHash} AND s.revoked_at IS NULL AND s.expires_at > ${now}`;
  if (!session) return null;
  const principal: Principal = { kind: 'user', userId: session.user_id, sessionId: session.id, roles: session.roles as Role[], accountId: session.account_id };
  ctx.principals.remember(tokenHash, principal, session.expires_at, readAt, now);
  return principal;
}

interface SessionRow {
  id: string;
  expires_at: Date;
  user_id: string;
  roles: string[];
  account_id: string | null;
}

export async function revokeSession(ctx: ServiceContext, sessionId: string): Promise<void> {
  await ctx.prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: ctx.now() } });
  // Other processes hear of it from the database; this one must not answer the very next request from memory.
  ctx.principals.forgetAll();
}
