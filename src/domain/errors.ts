/**
 * Why the domain refuses something, independent of HTTP. Services throw these; the API maps each kind to its
 * status in one place (api/plugins/errors.ts), and workflows turn them into non-retryable failures.
 */
export type DomainErrorKind =
  | 'invalid' // the input is wrong in a way its schema cannot say (400)
  | 'unauthenticated' // no or bad credentials (401)
  | 'forbidden' // authenticated, not allowed (403)
  | 'not_found' // does not exist, or is not the caller's (404)
  | 'conflict' // the current state does not allow it (409)
  | 'business_rule' // well-formed, but a rule refuses it (422)
  | 'rate_limited' // too many attempts (429)
  | 'unavailable'; // a part we depend on is down; nothing was done, try again (503)

export interface FieldProblem {
  path: string;
  message: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable, machine-readable: becomes the problem `type` (e.g. `voucher-expired`). */
    readonly code: string,
    message: string,
    readonly extra: { fields?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError('not_found', 'not-found', `${what} was not found.`);
