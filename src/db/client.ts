import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient };

export interface Database {
  prisma: PrismaClient;
  /** Resolves when PostgreSQL answers a query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The one database client of a process: Prisma over node-postgres, no native query engine. */
export function connectDatabase(databaseUrl: string, options: { maxConnections?: number } = {}): Database {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 20 });
  const prisma = new PrismaClient({ adapter });
  return {
    prisma,
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    close: () => prisma.$disconnect(),
  };
}
