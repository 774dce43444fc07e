import { Prisma } from '../../db/generated/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { DomainError } from '../../domain/errors.js';
import type { ServiceContext } from '../context.js';
import type { Mailer } from './mailer.js';

/*
 * Exactly once, and the one window left.
 *
 * A message is sent while its outbox row is locked (`FOR UPDATE`) and marked sent (`sent_at`) in the same
 * transaction, right after the mailer reports the message accepted. So:
 * - Two deliverers never send one message at the same time: the second waits for (or skips) the lock and
 *   then sees `sent_at`.
 * - A worker killed after "sent and marked" but before Temporal heard "activity completed" is harmless: the
 *   mark was committed before the activity returned, so the retry (on any worker) reads `sent_at` and sends
 *   nothing.
 * - The window that remains is between the SMTP server's "250 accepted" and the commit of `sent_at`: a crash
 *   or a lost database connection there rolls the mark back, and the retry sends the message a second time.
 *   No protocol closes it (SMTP cannot take part in our transaction); it is a few milliseconds wide, and the
 *   copy carries the same Message-ID (derived from the business key), by which mail systems deduplicate.
 *   The file mailer has no such window: a resend rewrites the same file.
 *
 * These transactions run a side effect, so they run once (`attempts: 1`), never re-run by the helper, and
 * READ COMMITTED, so a waiter re-reads the row after the lock holder commits instead of failing.
 */
const ONCE = { isolation: Prisma.TransactionIsolationLevel.ReadCommitted, attempts: 1 };

interface OutboxRow {
  id: bigint;
  business_key: string;
  to_address: string;
  subject: string;
  body: string;
  created_at: Date;
  sent_at: Date | null;
}

export interface DeliveryCounts {
  sent: number;
  failed: number;
  /** The first few failures, for the operator reading the workflow's result. */
  failures: Array<{ businessKey: string; error: string }>;
}

const MAX_ERROR_LENGTH = 1000; // the column's size
const REPORTED_FAILURES = 10;

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

/** Sends one locked row and records the outcome in the lock's transaction; a failure is returned, not thrown. */
async function sendLocked(tx: Tx, services: ServiceContext, mailer: Mailer, row: OutboxRow): Promise<Error | undefined> {
  try {
    await mailer.send({ businessKey: row.business_key, to: row.to_address, subject: row.subject, body: row.body, queuedAt: row.created_at });
  } catch (error) {
    await tx.$executeRaw`
      UPDATE outbox_messages SET attempts = attempts + 1, last_error = ${describeError(error)} WHERE id = ${row.id}`;
    return error instanceof Error ? error : new Error(String(error));
  }
  // last_error stays: a sent message with one tells that it needed retries, and why.
  await tx.$executeRaw`UPDATE outbox_messages SET sent_at = ${services.now()}, attempts = attempts + 1 WHERE id = ${row.id}`;
  return undefined;
}

/**
 * Sends the queued message with this business key unless it was sent already. Idempotent: call it as often
 * as you like (a Temporal retry does); it sends at most once, with the window explained above. A failed send
 * is recorded (`attempts`, `last_error`) and then thrown, so the caller's retry policy tries again.
 */
export async function deliverEmail(services: ServiceContext, mailer: Mailer, businessKey: string): Promise<'sent' | 'already_sent'> {
  const outcome = await inTransaction(
    services.prisma,
    async (tx) => {
      // Waits while another deliverer holds the row, then reads what it committed.
      const [row] = await tx.$queryRaw<OutboxRow[]>`
        SELECT id, business_key, to_address, subject, body, created_at, sent_at
        FROM outbox_messages WHERE business_key = ${businessKey} FOR UPDATE`;
      if (!row) throw new DomainError('not_found', 'email-not-queued', `no email is queued with business key ${businessKey}`);
      if (row.sent_at) return 'already_sent' as const;
      return (await sendLocked(tx, services, mailer, row)) ?? ('sent' as const);
    },
    ONCE,
  );
  // Thrown only now, after the transaction that recorded the failure has committed.
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/**
 * Messages that failed this often wait before the sweep tries them again: 2^(attempts - 3) minutes after
 * they were queued, so a bad address is not retried every 30 s for ever (and nothing is ever given up).
 */
const RETRIES_BEFORE_BACKOFF = 3;

/**
 * Sends every unsent message, oldest first, up to `limit`: each in a short transaction of its own that claims
 * it with `FOR UPDATE SKIP LOCKED`, so concurrent deliverers share the work and never send the same message
 * at once. Each message is visited at most once per call; failures are recorded and counted, not thrown.
 * Stops between messages when `signal` aborts (worker shutdown), never in the middle of one.
 */
export async function deliverPendingEmails(
  services: ServiceContext,
  mailer: Mailer,
  options: { limit: number; signal?: AbortSignal; onProgress?: (counts: DeliveryCounts) => void },
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { sent: 0, failed: 0, failures: [] };
  let after = 0n;
  while (counts.sent + counts.failed < options.limit && !options.signal?.aborted) {
    const now = services.now();
    const outcome = await inTransaction(
      services.prisma,
      async (tx) => {
        const [row] = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, business_key, to_address, subject, body, created_at, sent_at
          FROM outbox_messages
          WHERE sent_at IS NULL AND id > ${after}
            AND (attempts < ${RETRIES_BEFORE_BACKOFF}
                 OR created_at <= ${now}::timestamptz - make_interval(mins => power(2, least(attempts - ${RETRIES_BEFORE_BACKOFF}, 20))::int))
          ORDER BY id
          LIMIT 1
          FOR UPDATE SKIP LOCKED`;
        if (!row) return undefined;
        return { row, error: await sendLocked(tx, services, mailer, row) };
      },
      ONCE,
    );
    if (!outcome) break;
    after = outcome.row.id;
    if (outcome.error) {
      counts.failed++;
      if (counts.failures.length < REPORTED_FAILURES) {
        counts.failures.push({ businessKey: outcome.row.business_key, error: describeError(outcome.error) });
      }
    } else {
      counts.sent++;
    }
    options.onProgress?.(counts);
  }
  return counts;
}
