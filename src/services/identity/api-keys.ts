import type { Tx } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { audit } from './audit.js';
import type { Principal } from './principal.js';
import { newSecret, secretHash } from './secrets.js';

export async function createApiKey(tx: Tx, actorId: string, name: string) {
  const key = newSecret('bck');
  const created = await tx.apiKey.create({
    data: { name, prefix: key.slice(0, 12), keyHash: secretHash(key), createdById: actorId },
  });
  await audit(tx, { actorId, action: 'api_key.created', targetType: 'api_key', targetId: created.id, details: { name } });
  return { id: created.id, name: created.name, prefix: created.prefix, createdAt: created.createdAt, key };
}

export async function authenticateApiKey(ctx: ServiceContext, key: string): Promise<Principal | null> {
  const found = await ctx.prisma.apiKey.findUnique({ where: { keyHash: secretHash(key) } });
  if (!found || found.revokedAt !== null) return null;
  return { kind: 'platform', apiKeyId: found.id };
}
