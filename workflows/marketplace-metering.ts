import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { closesAt, HOUR_MS, hourOf } from '../src/domain/marketplaces/rules.js';
import { marketplaceUsageArrived, reportHoursBefore, type MarketplaceMeteringInput, type MeteringClosure } from './marketplace-metering-contract.js';

// Each activity records its outcome in the database (reports, their status and errors); a marketplace that is
// down or refuses is an outcome, not a failure, so these retries only cover our own database and worker.
const { closeMarketplaceHour, submitMarketplaceReports, marketplaceMeteringState } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Rounds in one run before continuing as new (a round is an hour, or a retry within one). */
const ROUNDS_PER_RUN = 200;

/**
 * `marketplace-metering/<cloudAccountId>`: one per cloud account, for as long as a workspace settles to it.
 * Each hour, a few minutes after it ends, it closes the hour (the usage of every workspace and site settled to
 * the account, summed per billing item) and reports it within the provider's deadline, retrying through
 * outages and pacing; what the marketplace does not take by the deadline is marked late, what it refuses is
 * marked refused, both for finance to see. A settlement migration asks it, through `reportHoursBefore`, to
 * report everything before its cut-over at once.
 */
export async function marketplaceMetering(input: MarketplaceMeteringInput): Promise<void> {
  const { cloudAccountId } = input;
  /** Hours that end by this instant are closed now, without waiting for the close delay (a cut-over asked for it). */
  let flushUntil = 0;
  let closedUntil = input.nextHour ?? 0;
  /** Nothing is pending, as of a submission made after the last hour was closed. */
  let settled = false;
  const outcome = { reported: 0, late: 0, refused: 0 };

  // Usage is reported when its hour closes, so arriving usage changes nothing here: the signal exists so that
  // signal-with-start can start the workflow for a cloud account's first usage.
  setHandler(marketplaceUsageArrived, () => {});
  setHandler(
    reportHoursBefore,
    async (cutover): Promise<MeteringClosure> => {
      // What this closing does: the outcomes of the submissions from now until nothing before the cut-over is pending.
      const before = { ...outcome };
      flushUntil = Math.max(flushUntil, cutover);
      await condition(() => closedUntil >= cutover && settled);
      return { through: cutover, reported: outcome.reported - before.reported, late: outcome.late - before.late, refused: outcome.refused - before.refused };
    },
    {
      validator: (cutover) => {
        if (!Number.isSafeInteger(cutover) || cutover % HOUR_MS !== 0) throw new Error('The cut-over must be an hour boundary.');
        if (cutover > Date.now()) throw new Error('The cut-over has not come yet: hours before it are still running.');
      },
    },
  );

  let nextHour = input.nextHour ?? (await marketplaceMeteringState(cloudAccountId)).firstHour ?? hourOf(Date.now());
  closedUntil = nextHour;
  for (let round = 0; round < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    while (closesAt(nextHour) <= Date.now() || nextHour + HOUR_MS <= flushUntil) {
      settled = false;
      await closeMarketplaceHour(cloudAccountId, nextHour, Date.now());
      nextHour += HOUR_MS;
      closedUntil = nextHour;
    }
    const submitted = await submitMarketplaceReports(cloudAccountId, Date.now());
    outcome.reported += submitted.reported;
    outcome.late += submitted.late;
    outcome.refused += submitted.refused;
    settled = submitted.pending === 0;

    if (settled) {
      const state = await marketplaceMeteringState(cloudAccountId);
      // Nobody settles here any more and nothing is left to report: done (new usage would start it again).
      if (!state.inUse && !state.unreportedUsage) {
        await condition(allHandlersFinished);
        return;
      }
    }
    const wakeAt = Math.min(closesAt(nextHour), submitted.retryInMs === null ? Number.POSITIVE_INFINITY : Date.now() + submitted.retryInMs);
    await condition(() => nextHour + HOUR_MS <= flushUntil, Math.max(wakeAt - Date.now(), 1));
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof marketplaceMetering>({ cloudAccountId, nextHour });
}
