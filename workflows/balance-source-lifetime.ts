import { condition, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  sourceBound,
  sourceExtended,
  sourceRevoked,
  sourceState,
  type BalanceSourceLifetimeInput,
  type BalanceSourceState,
} from './balance-source-contract.js';
import { SearchAttributes } from './search-attributes.js';

const { warnBalanceSourceExpiry, warnVoucherExpiry, deliverEmail, expireBalanceSource, endUnusedBalanceSource } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Clearing at expiry runs as a local activity (one short ledger transaction, idempotent by its business key):
 * cards sold in one batch often expire in the same minute, and a local activity spares the server an activity
 * task per card when thousands of timers fire at once. The warning email stays a regular activity: SMTP may be
 * slow, and a regular activity's retries do not hold a workflow task open.
 */
const LOCAL_EXPIRY = 'expire-locally';
const { expireBalanceSource: expireLocally, expireVoucher: expireVoucherLocally } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * A voucher's dates are fixed at issue, so from this change on its lifetime keeps them on its own and asks the
 * database who holds it when a timer fires: a voucher recharge no longer signals it (a second workflow task per
 * recharge, and most of what a recharge cost the server beyond its own). Lifetimes from before still wait for
 * the word, and their vouchers (`lifetime_needs_word`) still get it.
 */
const VOUCHER_KEEPS_ITS_DATES = 'voucher-keeps-its-dates';

/** The warning goes out this long before expiry. */
export const WARNING_BEFORE_MS = 3 * 24 * 3600 * 1000;

/**
 * `prepaid-card/<cardNo>` or `voucher/<code>`, from issue to end:
 * - issued: waits to be redeemed (bound to an account), revoked, or to pass a fixed end of validity unused;
 * - bound: 3 days before expiry, if anything remains, one warning email; at expiry, what remains is cleared
 *   to expired balances and it ends as expired. Sales may move the expiry at any time, also after the warning
 *   (then a new warning for the new date): the deadline lives in workflow state and the waits re-arm.
 */
export async function balanceSourceLifetime(input: BalanceSourceLifetimeInput): Promise<BalanceSourceState> {
  let state: BalanceSourceState = 'issued';
  let expiresAt = input.expiresAt;
  let accountId: string | null = null;
  let warnedFor: number | null = null;
  let revoked = false;
  let changed = false;

  setHandler(sourceBound, (bound) => {
    if (state !== 'issued') return;
    state = 'bound';
    accountId = bound.accountId;
    expiresAt = bound.expiresAt;
    changed = true;
  });
  setHandler(sourceExtended, ({ expiresAt: next }) => {
    expiresAt = next;
    changed = true;
  });
  setHandler(sourceRevoked, () => {
    if (state === 'issued') revoked = true;
    changed = true;
  });
  setHandler(sourceState, () => ({ state, expiresAt, warnedFor }));

  const publish = () =>
    upsertSearchAttributes([
      { key: SearchAttributes.businessStatus, value: state },
      ...(accountId ? [{ key: SearchAttributes.accountId, value: accountId }] : []),
      ...(expiresAt === null ? [] : [{ key: SearchAttributes.expiresAt, value: new Date(expiresAt) }]),
    ]);

  /** Waits until something changes or `at` comes; true when `at` came. */
  const waitUntil = async (at: number | null): Promise<boolean> => {
    changed = false;
    if (at === null) {
      await condition(() => changed);
      return false;
    }
    const left = at - Date.now();
    if (left <= 0) return true;
    return !(await condition(() => changed, left));
  };

  /**
   * A voucher, to its end: 3 days before, who holds it is asked and warned once if money remains; at the end,
   * what remains is cleared, or the unused voucher ends. Word of a redemption that still arrives (from a
   * recharge of an older version) only names the holder sooner.
   */
  const voucherToItsEnd = async (): Promise<BalanceSourceState> => {
    for (;;) {
      if (revoked) {
        state = 'revoked';
        publish();
        return state;
      }
      const deadline = expiresAt!;
      if (warnedFor !== deadline && Date.now() < deadline) {
        if (!(await waitUntil(deadline - WARNING_BEFORE_MS))) {
          publish();
          continue;
        }
        if (expiresAt !== deadline) continue;
        const { accountId: holder, warning } = await warnVoucherExpiry({ sourceId: input.sourceId, reference: input.reference, expiresAt: deadline });
        warnedFor = deadline;
        if (holder !== null && accountId === null) {
          state = 'bound';
          accountId = holder;
          publish();
        }
        // Queued under a key naming this voucher and date, then sent now; a retry or a crash never sends it twice.
        if (warning !== null) await deliverEmail(warning);
      }
      if (await waitUntil(deadline)) {
        if (expiresAt !== deadline) continue;
        const ended = await expireVoucherLocally({ sourceId: input.sourceId });
        accountId ??= ended.accountId;
        state = 'expired';
        publish();
        return state;
      }
      publish();
    }
  };
  if (input.kind === 'voucher' && input.expiresAt !== null && patched(VOUCHER_KEEPS_ITS_DATES)) return voucherToItsEnd();

  // Issued: nothing to clear, only an end to reach.
  while (state === 'issued') {
    if (revoked) {
      state = 'revoked';
      publish();
      return state;
    }
    if (await waitUntil(expiresAt)) {
      if (state !== 'issued') break; // bound at the very last moment: the bound branch decides
      await endUnusedBalanceSource({ kind: input.kind, sourceId: input.sourceId });
      state = 'expired';
      publish();
      return state;
    }
  }

  publish();
  // Bound: warn once per expiry date, clear at expiry.
  for (;;) {
    const deadline = expiresAt!;
    const warnAt = deadline - WARNING_BEFORE_MS;
    if (warnedFor !== deadline && Date.now() < deadline) {
      if (await waitUntil(warnAt)) {
        if (expiresAt !== deadline) continue;
        const warning = await warnBalanceSourceExpiry({
          kind: input.kind,
          sourceId: input.sourceId,
          reference: input.reference,
          accountId: accountId!,
          expiresAt: deadline,
        });
        // Queued under a key naming this card and date, then sent now; a retry or a crash never sends it twice.
        if (warning !== null) await deliverEmail(warning);
        warnedFor = deadline;
      } else {
        publish();
        continue;
      }
    }
    if (await waitUntil(deadline)) {
      if (expiresAt !== deadline) continue;
      const expire = patched(LOCAL_EXPIRY) ? expireLocally : expireBalanceSource;
      await expire({ kind: input.kind, sourceId: input.sourceId, accountId: accountId! });
      state = 'expired';
      publish();
      return state;
    }
    publish();
  }
}
