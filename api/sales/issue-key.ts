import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { IssueKey } from '../../src/services/sales/issue-claim.js';
import { canonicalJson, IDEMPOTENCY_HEADER } from '../plugins/idempotency.js';
import { personOf } from '../plugins/auth.js';
import { problem } from '../problem.js';

/**
 * The Idempotency-Key of an issuing request, for the service to claim in its own transaction (see
 * src/services/sales/issue-claim.ts for why these routes do not use the idempotency plugin). Scoped and
 * hashed as the plugin does, so one key means one operation per caller across every route.
 */
export function issueKeyOf(request: FastifyRequest): IssueKey {
  const key = request.headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string' || key === '') throw missingKey();
  const requestHash = createHash('sha256')
    .update(canonicalJson([request.method, request.routeOptions.url ?? '', request.params ?? {}, request.query ?? {}, request.body ?? null]))
    .digest('hex');
  return { scope: `user:${personOf(request).userId}`, key, method: request.method, path: request.url.split('?')[0]!.slice(0, 300), requestHash };
}

/** Before schema validation, like the plugin's check, so a missing key gets the same problem type everywhere. */
export async function requireIdempotencyKey(request: FastifyRequest): Promise<void> {
  const key = request.headers[IDEMPOTENCY_HEADER];
  if (key === undefined || key === '') throw missingKey();
}

const missingKey = () =>
  problem(400, 'idempotency-key-required', 'Send an `Idempotency-Key` header (1 to 255 printable ASCII characters) with this request.', {
    errors: [{ path: `/headers/${IDEMPOTENCY_HEADER}`, message: 'is required' }],
  });
