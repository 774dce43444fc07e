import { defineQuery } from '@temporalio/workflow';
import type { SettlementTarget } from '../src/domain/settlement/routing.js';

/** What starts `settlement/<workspaceId>/<changeId>`: the change as recorded when the customer asked for it. */
export interface SettlementChangeInput {
  changeId: string;
  workspaceId: string;
  accountId: string;
  from: SettlementTarget;
  to: SettlementTarget;
  /** The cut-over (ms since epoch, a full UTC hour). */
  cutoverAt: number;
}

export type SettlementStep = 'requested' | 'waiting' | 'closing' | 'completed' | 'failed';

export interface SettlementChangeResult {
  status: 'completed' | 'failed';
  failure: { code: string; reason: string } | null;
}

/** Where the change is, for an operator or a test: the step and, once failed, why. */
export const settlementChangeState = defineQuery<{ step: SettlementStep; failure: SettlementChangeResult['failure'] }>('settlementChangeState');
