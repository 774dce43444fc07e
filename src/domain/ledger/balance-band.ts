/**
 * Which band an account's available balance is in, for alerts: an email goes out when the balance crosses
 * into a worse band (not on every charge inside it), and climbing back re-arms the alert.
 * Pure code.
 */
export type BalanceBand = 'ok' | 'low' | 'arrears';

const RANK: Record<BalanceBand, number> = { ok: 0, low: 1, arrears: 2 };

export function balanceBand(totalMinor: bigint, thresholdMinor: bigint): BalanceBand {
  if (totalMinor < 0n) return 'arrears';
  if (totalMinor < thresholdMinor) return 'low';
  return 'ok';
}

export function worsened(from: BalanceBand, to: BalanceBand): boolean {
  return RANK[to] > RANK[from];
}
