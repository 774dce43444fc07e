import type { BalanceSourceLifetimeInput } from '../../../workflows/balance-source-contract.js';
import type { Workflows } from '../../temporal/workflows.js';

/** How many lifetime workflows are started at once: a 10,000-card batch in seconds, without flooding Temporal. */
export const LIFETIME_START_CONCURRENCY = 50;

export interface LifetimeStartFailure {
  reference: string;
  error: unknown;
}

/**
 * Starts the lifetime workflow of each newly issued card or voucher, at most `concurrency` at a time. Called
 * after the issue has committed, so a workflow never runs for a card that does not exist. Starting one that is
 * already running is a no-op (the gateway ignores "already started"), so calling this again for the same
 * items, as a retried request does, only starts what is missing. Failures are returned, not thrown: what was
 * issued stands, and the caller must still hand out what it issued (a batch's secrets exist nowhere else).
 */
export async function startLifetimes(
  workflows: Workflows,
  inputs: readonly BalanceSourceLifetimeInput[],
  concurrency = LIFETIME_START_CONCURRENCY,
): Promise<LifetimeStartFailure[]> {
  const failures: LifetimeStartFailure[] = [];
  let next = 0;
  const lane = async () => {
    while (next < inputs.length) {
      const input = inputs[next++]!;
      try {
        await workflows.startBalanceSourceLifetime(input);
      } catch (error) {
        failures.push({ reference: input.reference, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, lane));
  return failures;
}
