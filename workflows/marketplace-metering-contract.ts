import { defineSignal, defineUpdate } from '@temporalio/workflow';

/** `marketplace-metering/<cloudAccountId>`: reports a cloud account's usage to its marketplace, hour by hour. */
export interface MarketplaceMeteringInput {
  cloudAccountId: string;
  /** The next hour to close (epoch ms); carried across continue-as-new, found from the data at first start. */
  nextHour?: number;
}

/** New usage for the cloud account was stored (with signal-with-start, so it also starts the workflow). */
export const marketplaceUsageArrived = defineSignal('marketplaceUsageArrived');

/**
 * What closing the hours before a cut-over did, once none of them is pending any more: how many reports the
 * submissions since the request got taken, missed their deadline, or had refused. (Earlier late or refused
 * reports are already on finance's list.)
 */
export interface MeteringClosure {
  /** Every hour before this instant (epoch ms) is closed and no report of the cloud account is pending. */
  through: number;
  reported: number;
  late: number;
  refused: number;
}

/**
 * Closes and reports every hour before `cutover` (an hour boundary, epoch ms, not in the future) now, rather
 * than after the usual close delay, and answers once none is pending: the settlement migration's "report all
 * hours before the cut-over". `late` or `refused` above zero means the marketplace did not take everything.
 */
export const reportHoursBefore = defineUpdate<MeteringClosure, [number]>('reportHoursBefore');
