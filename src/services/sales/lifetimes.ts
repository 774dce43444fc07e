import type { BalanceSourceLifetimeInput } from '../../../workflows/balance-source-contract.js';
import type { Workflows } from '../../temporal/workflows.js';

/** How many lifetime workflows are started at once: enough to keep Temporal busy, few enough not to flood it. */
export const LIFETIME_START_CONCURRENCY = 50;
/**
 * How long an issuing request waits for the starts before it answers. Temporal's speed at starting workflows
 * decides the rest: the shared test server starts ~450 a second, the embedded dev server (SQLite) ~55, so
 * 10,000 cards would keep a request open for minutes there, and a client that gives up first would lose the
 * secrets. Past this budget the answer goes out and the remaining starts are handed to durable workflows.
 */
export const LIFETIME_START_BUDGET_MS = 15_000;

export interface LifetimeLog {
  error(details: object, message: string): void;
}

export interface LifetimeStarts {
  /** Running when the answer went out (started now, or already running before). */
  started: number;
  /** Handed to `lifetime-starts/…` workflows, which start them (after the budget ran out, or a start failed). */
  starting: number;
  /** Neither started nor handed over (each logged); the same request with the same Idempotency-Key tries them again. */
  failed: number;
}

/**
 * Starts the lifetime workflow of each newly issued card or voucher, `concurrency` at a time, after the issue
 * has committed (so no workflow ever runs for a card that does not exist). Starting one that is already running
 * is a no-op, so calling this again for the same items, as a retried request does, only starts what is missing.
 * What is not started within the budget, or failed to start, is handed to durable workflows (`issue` names
 * them) rather than left to this process, which may die. Nothing is thrown: what was issued stands, and the
 * caller must still hand it out (a batch's secrets exist nowhere else).
 */
export async function startLifetimes(
  workflows: Workflows,
  inputs: readonly BalanceSourceLifetimeInput[],
  options: { log: LifetimeLog; issue: string; context: object; concurrency?: number; budgetMs?: number },
): Promise<LifetimeStarts> {
  const concurrency = options.concurrency ?? LIFETIME_START_CONCURRENCY;
  const refused: BalanceSourceLifetimeInput[] = [];
  let started = 0;
  let next = 0;
  const deadline = performance.now() + (options.budgetMs ?? LIFETIME_START_BUDGET_MS);
  // Past the deadline a lane takes nothing new and ends with the start in its hands, so each item is counted once.
  const lane = async () => {
    while (performance.now() < deadline && next < inputs.length) {
      const input = inputs[next++]!;
      try {
        await workflows.startBalanceSourceLifetime(input);
        started++;
      } catch (error) {
        refused.push(input);
        options.log.error({ ...options.context, err: error, reference: input.reference }, 'could not start a lifetime workflow; handing it over');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, lane));

  const rest = [...refused, ...inputs.slice(next)];
  if (rest.length === 0) return { started, starting: 0, failed: 0 };
  try {
    await workflows.handOverLifetimeStarts(options.issue, rest);
    return { started, starting: rest.length, failed: 0 };
  } catch (error) {
    options.log.error({ ...options.context, err: error, count: rest.length }, 'could not hand lifetime starts over; the same request with the same Idempotency-Key tries again');
    return { started, starting: 0, failed: rest.length };
  }
}

/** How many starts a `lifetime-starts` workflow has in flight at once. */
const DURABLE_START_CONCURRENCY = 20;

/**
 * The work of a `lifetime-starts` workflow: starts each lifetime in order, a few at a time, and reports after
 * each group how far it got, so a retry (after a crash) resumes at `from` instead of starting all over.
 * A failed start throws: the activity is retried, and the ones already started are no-ops then.
 */
export async function startLifetimesResuming(
  workflows: Workflows,
  items: readonly BalanceSourceLifetimeInput[],
  progress: { from: number; reached(done: number): void },
): Promise<void> {
  for (let from = progress.from; from < items.length; from += DURABLE_START_CONCURRENCY) {
    await Promise.all(items.slice(from, from + DURABLE_START_CONCURRENCY).map((item) => workflows.startBalanceSourceLifetime(item)));
    progress.reached(Math.min(from + DURABLE_START_CONCURRENCY, items.length));
  }
}
