import type { PrismaClient } from '../db/client.js';
import type { PrincipalCache } from './identity/principal-cache.js';

/** What every domain service needs: the database and a clock (tests move the clock, never the code). */
export interface ServiceContext {
  prisma: PrismaClient;
  now: () => Date;
  tokenTtlMs: number;
  /** Who is behind recent tokens; it remembers nothing unless something keeps it current (API processes do). */
  principals: PrincipalCache;
}
