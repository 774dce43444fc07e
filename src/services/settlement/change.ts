import { settlementTarget, type SettlementTarget } from '../../domain/settlement/routing.js';

export type SettlementChangeStatus = 'requested' | 'waiting' | 'closing' | 'completed' | 'failed';
/** The statuses of a change in flight, in the order it passes them. */
export const IN_FLIGHT: readonly SettlementChangeStatus[] = ['requested', 'waiting', 'closing'];

/** A settlement change as the API, the workflow and the emails speak of it. */
export interface SettlementChange {
  id: string;
  workspaceId: string;
  accountId: string;
  from: SettlementTarget;
  to: SettlementTarget;
  effective: 'immediate' | 'next_month' | 'at';
  cutoverAt: Date;
  status: SettlementChangeStatus;
  failure: { code: string; reason: string } | null;
  requestedAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

export interface SettlementChangeRow {
  id: string;
  workspaceId: string;
  accountId: string;
  fromMethod: string;
  fromCloudAccountId: string | null;
  toMethod: string;
  toCloudAccountId: string | null;
  effective: string;
  cutoverAt: Date;
  status: string;
  failureCode: string | null;
  failureReason: string | null;
  requestedAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}


export function toSettlementChange(row: SettlementChangeRow): SettlementChange {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    accountId: row.accountId,
    from: settlementTarget(row.fromMethod, row.fromCloudAccountId),
    to: settlementTarget(row.toMethod, row.toCloudAccountId),
    effective: row.effective as SettlementChange['effective'],
    cutoverAt: row.cutoverAt,
    status: row.status as SettlementChangeStatus,
    failure: row.failureCode === null ? null : { code: row.failureCode, reason: row.failureReason ?? '' },
    requestedAt: row.requestedAt,
    updatedAt: row.updatedAt,
    endedAt: row.endedAt,
  };
}
