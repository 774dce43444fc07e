import { Prisma } from './generated/client.js';
import type { PrismaClient } from './client.js';

export type Tx = Prisma.TransactionClient;

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK = '40P01';

function isRetryable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === 'P2034') return true;
    const meta = error.meta as { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } | undefined;
    const code = meta?.driverAdapterError?.cause?.originalCode ?? meta?.code;
    return code === SERIALIZATION_FAILURE || code === DEADLOCK;
  }
  const code = (error as { code?: string; cause?: { originalCode?: string } })?.cause?.originalCode;
  return code === SERIALIZATION_FAILURE || code === DEADLOCK;
}

/**
 * The one way to open a transaction. Serializable by default, so concurrent requests give what some serial
 * order would; a serialization failure or deadlock is retried (with jitter) a few times before it surfaces.
 */
export async function inTransaction<T>(
  prisma: PrismaClient,
  work: (tx: Tx) => Promise<T>,
  options: { isolation?: Prisma.TransactionIsolationLevel; attempts?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(work, {
        isolationLevel: options.isolation ?? Prisma.TransactionIsolationLevel.Serializable,
        maxWait: 10_000,
        timeout: 30_000,
      });
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** True when the error is a unique-constraint violation (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
