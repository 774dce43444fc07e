import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * The lifetime of a prepaid card (`prepaid-card/<cardNo>`) or voucher (`voucher/<code>`): from issue to its
 * end, with the expiry warning 3 days before and the clearing at expiry once it carries a balance.
 */
export interface BalanceSourceLifetimeInput {
  kind: 'prepaid_card' | 'voucher';
  /** Card number or voucher code: what the workflow id and operators use. */
  reference: string;
  /** Its database id (the ledger account's source id). */
  sourceId: string;
  /** A fixed end of validity known at issue (ms since epoch), if any. */
  expiresAt: number | null;
}

/** Redeemed into an account: from now on it carries a balance that expires at `expiresAt`. */
export const sourceBound = defineSignal<[{ accountId: string; expiresAt: number }]>('sourceBound');
/** Sales moved the expiry (a later or earlier instant, ms since epoch). */
export const sourceExtended = defineSignal<[{ expiresAt: number }]>('sourceExtended');
/** Sales revoked it before use. */
export const sourceRevoked = defineSignal('sourceRevoked');

export type BalanceSourceState = 'issued' | 'bound' | 'expired' | 'revoked';
export const sourceState = defineQuery<{ state: BalanceSourceState; expiresAt: number | null; warnedFor: number | null }>('sourceState');

/** Lifetimes an issuing request handed over (at most `LIFETIME_STARTS_PER_WORKFLOW`, so the input stays small). */
export interface LifetimeStartsInput {
  /** What issued them: `prepaid-card-batch/<batchId>` or `voucher-issue/<issueId>`. */
  issue: string;
  items: BalanceSourceLifetimeInput[];
}

export const LIFETIME_STARTS_PER_WORKFLOW = 1_000;
