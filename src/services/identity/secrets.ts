import { createHash, randomBytes } from 'node:crypto';

/** A bearer secret with a readable prefix: 32 random bytes, base64url. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens and keys are stored only as their SHA-256: high-entropy secrets need no slow hash. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
