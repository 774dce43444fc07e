/** Who settles a workspace's usage. */
export type SettlementTarget = { method: 'billing_center'; cloudAccountId: null } | { method: 'cloud_account'; cloudAccountId: string };

/** How people are told who settles: in emails, the Temporal UI and workflow details. */
export const describeTarget = (t: SettlementTarget) => (t.method === 'billing_center' ? 'the billing center' : `cloud account ${t.cloudAccountId}`);

export interface PastSettlement {
  method: string;
  cloudAccountId: string | null;
  /** Null: since the workspace was bound. */
  from: Date | null;
  until: Date;
}

export interface WorkspaceSettlements {
  current: { method: string; cloudAccountId: string | null };
  /** Since when `current` holds; null: always. */
  since: Date | null;
  /** Earlier settlements, at least those that end after the earliest period asked about. */
  history: readonly PastSettlement[];
  /** The cut-over of the settlement change in flight, if any. */
  changingAt: Date | null;
}

export type Route = SettlementTarget | { method: 'held' };

/** A settlement as stored (method and cloud account columns) in its typed form. */
export const settlementTarget = (method: string, cloudAccountId: string | null): SettlementTarget =>
  method === 'cloud_account' && cloudAccountId !== null ? { method: 'cloud_account', cloudAccountId } : { method: 'billing_center', cloudAccountId: null };
const target = (s: { method: string; cloudAccountId: string | null }) => settlementTarget(s.method, s.cloudAccountId);

/**
 * The settlement in force at `periodStart`, which decides who pays for a usage record, whenever it arrives.
 * A period from the cut-over of a change still in flight on is held: it belongs to the new method if the change
 * completes and to the old one if it fails, and neither may charge or report it before that is known.
 */
export function routeByPeriod(workspace: WorkspaceSettlements, periodStart: Date): Route {
  const at = periodStart.getTime();
  if (workspace.changingAt !== null && at >= workspace.changingAt.getTime()) return { method: 'held' };
  if (workspace.since === null || at >= workspace.since.getTime()) return target(workspace.current);
  const past = workspace.history.find((p) => (p.from === null || p.from.getTime() <= at) && at < p.until.getTime());
  if (past) return target(past);
  // History always reaches back to the binding; a gap would be a bug in the switch, and the current payer is
  // the one who can see and dispute the charge.
  return target(workspace.current);
}
