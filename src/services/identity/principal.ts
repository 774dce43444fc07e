import type { Role } from '../../domain/identity/roles.js';

/** Who is calling: a person (customer or staff) through a session token, or the platform through an API key. */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string; roles: Role[]; accountId: string | null }
  | { kind: 'platform'; apiKeyId: string };
