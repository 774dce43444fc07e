/**
 * The sign-in lockout, as a pure rule: after MAX_FAILURES failed sign-ins for one email within WINDOW_MS,
 * every attempt for that email is refused until LOCK_MS after the last counted failure.
 */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

export interface ThrottleState {
  failures: number;
  windowStart: Date;
  lockedUntil: Date | null;
}

/** Milliseconds the email stays locked, or 0 when an attempt may go ahead. */
export function lockedFor(state: ThrottleState | null, now: Date): number {
  if (!state?.lockedUntil) return 0;
  return Math.max(0, state.lockedUntil.getTime() - now.getTime());
}

/** The state after one more failed sign-in. */
export function afterFailure(state: ThrottleState | null, now: Date): ThrottleState {
  const windowOpen = state !== null && now.getTime() - state.windowStart.getTime() < WINDOW_MS && lockedFor(state, now) === 0;
  const failures = windowOpen ? state.failures + 1 : 1;
  const windowStart = windowOpen ? state.windowStart : now;
  return {
    failures,
    windowStart,
    lockedUntil: failures >= MAX_FAILURES ? new Date(now.getTime() + LOCK_MS) : null,
  };
}
