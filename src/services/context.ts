import type { PrismaClient } from '../db/client.js';

/** What every domain service needs: the database and a clock (tests move the clock, never the code). */
export interface ServiceContext {
  prisma: PrismaClient;
  now: () => Date;
  tokenTtlMs: number;
}
