/**
 * The one result shape of the identity rules. A refusal carries a stable `reason` for code
 * (problem+json types, metrics, tests) and a `message` a person can act on, so callers never
 * have to translate codes into prose themselves.
 */
export type Validation<T, Reason extends string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: Reason; readonly message: string };

export function valid<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function invalid<Reason extends string>(
  reason: Reason,
  message: string,
): { readonly ok: false; readonly reason: Reason; readonly message: string } {
  return { ok: false, reason, message };
}
