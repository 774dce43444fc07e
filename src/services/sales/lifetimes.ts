import type { BalanceSourceLifetimeInput } from '../../../workflows/balance-source-contract.js';
import type { Workflows } from '../../temporal/workflows.js';

/** How many lifetime workflows are started at once: enough to keep Temporal busy, few enough not to flood it. */
export const LIFETIME_START_CONCURRENCY = 50;
/**
 * How long an issuing request waits for the starts before it answers. Temporal's speed at starting workflows
 * decides the rest: the shared test server starts ~450 a second, the embedded dev server (SQLite) ~55, so
 * 10,000 cards would keep a request open for minutes there, and a client that gives up first would lose the
 * secrets. Past this budget the answer goes out and the remaining starts go on in this process.
 */
export const LIFETIME_START_BUDGET_MS = 15_000;

export interface LifetimeLog {
  error(details: object, message: string): void;
}

export interface LifetimeStarts {
  /** Running when the answer went out (started now, or already running before). */
  started: number;
  /** Still being started when the budget ran out; they go on in the background. */
  starting: number;
  /** Could not be started (each logged); the same request with the same Idempotency-Key tries them again. */
  failed: number;
}

/**
 * Starts the lifetime workflow of each newly issued card or voucher, `concurrency` at a time, after the issue
 * has committed (so no workflow ever runs for a card that does not exist). Starting one that is already running
 * is a no-op (the gateway ignores "already started"), so calling this again for the same items, as a retried
 * request does, only starts what is missing. Failures are logged and counted, never thrown: what was issued
 * stands, and the caller must still hand it out (a batch's secrets exist nowhere else).
 */
export async function startLifetimes(
  workflows: Workflows,
  inputs: readonly BalanceSourceLifetimeInput[],
  options: { log: LifetimeLog; context: object; concurrency?: number; budgetMs?: number },
): Promise<LifetimeStarts> {
  const concurrency = options.concurrency ?? LIFETIME_START_CONCURRENCY;
  let started = 0;
  let failed = 0;
  let answered = false;
  let next = 0;
  const lane = async () => {
    while (next < inputs.length) {
      const input = inputs[next++]!;
      try {
        await workflows.startBalanceSourceLifetime(input);
        started++;
      } catch (error) {
        failed++;
        options.log.error(
          { ...options.context, err: error, reference: input.reference, afterAnswer: answered },
          'could not start a lifetime workflow; the same request with the same Idempotency-Key starts it',
        );
      }
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, lane));
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'budget'>((resolve) => {
    timer = setTimeout(() => resolve('budget'), options.budgetMs ?? LIFETIME_START_BUDGET_MS);
  });
  const outcome = await Promise.race([all.then(() => 'done' as const), budget]);
  clearTimeout(timer);
  answered = true;
  if (outcome === 'budget') {
    // The lanes go on by themselves (they catch every failure); this only records how they end.
    void all.then(() => {
      if (failed > 0) options.log.error({ ...options.context, failed, total: inputs.length }, 'some lifetime workflows could not be started');
    });
  }
  return { started, starting: inputs.length - started - failed, failed };
}
