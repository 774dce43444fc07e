import { DomainError } from '../../domain/errors.js';
import type { Tx } from '../../db/transaction.js';

/**
 * The Idempotency-Key of an issuing request (cards or vouchers), claimed in the same transaction as the issue.
 *
 * Not through api/plugins/idempotency.ts, for two reasons. That plugin stores the first response to replay it,
 * and a card batch's response carries the card secrets, which must exist nowhere but in that one response.
 * And its claim commits apart from the work: here the key and what it issued commit together, so a retried
 * request either finds the finished issue or waits for it (on the key's unique index), never a half-done one.
 * The rows live in the plugin's table, scoped the same way (`user:<id>`), so a key is one key per caller
 * whichever route first used it: reusing it for another request is 409 `idempotency-key-reused` either way.
 */
export interface IssueKey {
  scope: string;
  key: string;
  method: string;
  path: string;
  /** Of the request as sent (route and body): the same key with another request is refused. */
  requestHash: string;
}

export type Claim = { kind: 'claimed' } | { kind: 'issued-before'; responseBody: string };

export async function claimIssueKey(tx: Tx, issueKey: IssueKey): Promise<Claim> {
  const { scope, key, method, path, requestHash } = issueKey;
  // ON CONFLICT DO NOTHING waits for a concurrent claim of the same key to commit or roll back.
  const inserted = await tx.idempotencyRecord.createMany({ data: [{ scope, key, method, path, requestHash }], skipDuplicates: true });
  if (inserted.count === 1) return { kind: 'claimed' };
  const existing = await tx.idempotencyRecord.findUnique({ where: { scope_key: { scope, key } } });
  if (!existing) {
    // Claimed and released between our insert and read (a failed request on a plugin route): rare, retryable.
    throw new DomainError('conflict', 'idempotency-key-in-flight', 'A request with this Idempotency-Key was being handled; retry shortly.', {
      retryAfterSeconds: 1,
    });
  }
  if (existing.requestHash !== requestHash) {
    throw new DomainError('conflict', 'idempotency-key-reused', 'This Idempotency-Key was used for a different request; use a new key for a new operation.');
  }
  if (existing.responseBody === null) {
    throw new DomainError('conflict', 'idempotency-key-in-flight', 'The first request with this Idempotency-Key is still being handled; retry shortly.', {
      retryAfterSeconds: 1,
    });
  }
  return { kind: 'issued-before', responseBody: existing.responseBody };
}

/** What the claim remembers of the issue; for a card batch, never the secrets. */
export async function settleIssueKey(tx: Tx, issueKey: IssueKey, status: number, responseBody: string): Promise<void> {
  await tx.idempotencyRecord.update({
    where: { scope_key: { scope: issueKey.scope, key: issueKey.key } },
    data: { responseStatus: status, responseBody },
  });
}
