import { CancellationScope, isCancellation, proxyActivities, setCurrentDetails, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { describeTarget } from '../src/domain/settlement/routing.js';
import { SearchAttributes } from './search-attributes.js';
import { settlementChangeState, type SettlementChangeInput, type SettlementChangeResult, type SettlementStep } from './settlement-change-contract.js';

// Database steps (charging the old method's pending usage among them): short, retried until they commit.
const store = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// Outside parties (the marketplace, SMTP): an outage is retried; a marketplace's refusal is an answer, not an error.
const outside = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});
// Closing the cloud side waits for the metering to report every hour before the cut-over, which may take until the
// marketplace's deadline (hours, in an outage); asking again is harmless, so a lost worker is noticed after 30 min.
const closing = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/** How long after the end held usage that raced it is swept to the settlement in force (see releaseStrayHeldUsage). */
const STRAY_HELD_AFTER = '1 minute';

type Refusal = { code: string; reason: string };

/**
 * `settlement/<workspaceId>/<changeId>`: moves a workspace from one settlement to another at a clean cut-over.
 * Validate the target, wait for the cut-over, close the old method up to it (charge the billing center's pending
 * usage, or have the cloud account's metering report every hour before it), check the target again, switch in
 * one transaction, tell the customer. A refusal by the marketplace (or an account that cannot pay) at any step
 * ends the change as failed with the reason: the one compensation is to leave the workspace where it was and
 * give usage held since the cut-over back to the old method, which the failing transaction does. An operator's
 * cancel, before the switch, compensates the same way.
 */
export async function settlementChange(input: SettlementChangeInput): Promise<SettlementChangeResult> {
  let step: SettlementStep = 'requested';
  let failure: Refusal | null = null;
  setHandler(settlementChangeState, () => ({ step, failure }));
  const cutover = new Date(input.cutoverAt).toISOString();
  const publish = (next: SettlementStep) => {
    step = next;
    upsertSearchAttributes([{ key: SearchAttributes.businessStatus, value: step }]);
    const what = `${describeTarget(input.from)} → ${describeTarget(input.to)} at ${cutover}`;
    setCurrentDetails(
      failure !== null ? `**failed**: ${what}. ${failure.code}: ${failure.reason}` : `**${step}**: ${what}.`,
    );
  };
  publish('requested');

  /** Whether the target would take the workspace now; a refusal says why. */
  const targetRefusal = async (): Promise<Refusal | null> => {
    if (input.to.method === 'cloud_account') {
      const entitlement = await outside.checkMarketplaceEntitlement(input.to.cloudAccountId);
      return entitlement.entitled ? null : { code: 'marketplace-refused', reason: `The marketplace refused the cloud account: ${entitlement.reason}` };
    }
    const payer = await store.billingCenterCanPay(input.accountId);
    return payer.canPay ? null : { code: 'account-cannot-pay', reason: payer.reason };
  };

  /** Closes the old method up to the cut-over; a cloud closing the marketplace refused in part is a refusal. */
  const closeOldMethod = async (): Promise<Refusal | null> => {
    if (input.from.method === 'billing_center') {
      // Every record of the workspace before the cut-over is pending for the account (later ones are held).
      for (;;) {
        const { more } = await store.chargePendingUsage(input.accountId);
        if (!more) return null;
      }
    }
    const closure = await closing.closeCloudSettlement(input.from.cloudAccountId, input.cutoverAt);
    if (closure.refused === 0) return null;
    return {
      code: 'marketplace-refused',
      reason: `The marketplace refused ${closure.refused} of the hourly reports before the cut-over; they are listed for finance.`,
    };
  };

  const finish = async (ending: Promise<{ status: 'completed' | 'failed'; emailKey: string }>): Promise<SettlementChangeResult> => {
    const ended = await ending;
    // A cancellation after the switch finds the change completed: it stays completed.
    if (ended.status === 'completed') failure = null;
    publish(ended.status);
    await outside.deliverEmail(ended.emailKey);
    await sleep(STRAY_HELD_AFTER);
    await store.releaseStrayHeldUsage(input.workspaceId);
    return { status: ended.status, failure: ended.status === 'failed' ? failure : null };
  };
  const fail = (refusal: Refusal) => {
    failure = refusal;
    return finish(store.failSettlementChange(input.changeId, refusal.code, refusal.reason));
  };

  const carryOut = async (): Promise<SettlementChangeResult> => {
    const invalid = await targetRefusal();
    if (invalid) return fail(invalid);
    await store.markSettlementChange(input.changeId, 'waiting');
    publish('waiting');

    // A durable timer: a worker restart or a deploy in the weeks before a month's end does not move the cut-over.
    const wait = input.cutoverAt - Date.now();
    if (wait > 0) await sleep(wait);

    await store.markSettlementChange(input.changeId, 'closing');
    publish('closing');
    const notClosed = await closeOldMethod();
    if (notClosed) return fail(notClosed);
    // The target may have changed its mind while we waited (a cancelled subscription): ask again before switching.
    const refused = await targetRefusal();
    if (refused) return fail(refused);
    return finish(store.switchSettlement(input.changeId));
  };

  try {
    return await carryOut();
  } catch (error) {
    // Cancelled by an operator, or stopped by an error no retry mends: the change must not stay in flight for ever
    // (it would block the workspace's next change and hold its usage), so it ends as failed with the workspace
    // where it was; after the switch, it stays completed. The workflow itself still ends as cancelled or failed.
    const refusal = isCancellation(error)
      ? { code: 'cancelled', reason: 'The change was cancelled by an operator; nothing was switched.' }
      : { code: 'not-completed', reason: 'The change stopped on an error; nothing was switched.' };
    await CancellationScope.nonCancellable(() => fail(refusal));
    throw error;
  }
}
