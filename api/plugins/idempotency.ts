import { createHash } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { PrismaClient } from '../../src/db/client.js';
import type { ServiceContext } from '../../src/services/context.js';
import { PROBLEM_CONTENT_TYPE, problem, ProblemType } from '../problem.js';

/**
 * `Idempotency-Key` for routes that move money or start a workflow (API.md). A route opts in with
 * `config: { idempotency: 'required' }` and `schema.headers: IdempotencyHeaders` (checked at start-up, so the
 * header is always in the OpenAPI document). Then, per caller and key:
 * - the first request claims the key (a row with no response yet) before its handler runs;
 * - its answer is stored when it is sent; a 5xx (or 429) removes the claim instead, so the client can simply retry;
 * - the same key with the same request replays the stored answer (`Idempotent-Replayed: true`), 4xx included;
 * - the same key while the first is still running is 409 `idempotency-key-in-flight`;
 * - the same key with another request is 409 `idempotency-key-reused`.
 * Opted-in routes answer JSON (problem+json for errors): a replay's content type is derived from its status.
 */

export type IdempotencyMode = 'required';

declare module 'fastify' {
  interface FastifyContextConfig {
    idempotency?: IdempotencyMode;
  }
  interface FastifyRequest {
    /** Set when this request claimed its key; its answer is to be stored (or the claim dropped on a 5xx). */
    idempotencyClaim?: { scope: string; key: string };
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x20-\x7E]{1,255}$/;

export const IdempotencyKey = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x20-\\x7E]+$',
  description:
    'Chosen by the client, unique per operation (a UUID is a good choice), 1 to 255 printable ASCII characters. ' +
    'The same key with the same request replays the first answer (with `Idempotent-Replayed: true`); ' +
    'with another request, or while the first is still running, it is 409.',
});

export const IdempotencyHeaders = Type.Object({ [IDEMPOTENCY_HEADER]: IdempotencyKey });

const REPLAY_CHECKS = 3;

export const idempotencyPlugin = fp(async (app: FastifyInstance, options: { services: ServiceContext }) => {
  const prisma = options.services.prisma;

  app.addHook('onRoute', (route) => {
    if (route.config?.idempotency !== 'required') return;
    const access = route.config.access;
    if (!access || 'public' in access) {
      throw new Error(`route ${String(route.method)} ${route.url} takes an Idempotency-Key but has no caller to scope it to`);
    }
    const headers = (route.schema as { headers?: { properties?: Record<string, unknown> } } | undefined)?.headers;
    if (!headers?.properties?.[IDEMPOTENCY_HEADER]) {
      throw new Error(`route ${String(route.method)} ${route.url} requires an Idempotency-Key: add IdempotencyHeaders to schema.headers`);
    }
  });

  // Before schema validation, so a missing key gets its own problem type rather than a generic one.
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.routeOptions.config.idempotency !== 'required') return;
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined || key === '') {
      throw problem(400, 'idempotency-key-required', 'Send an `Idempotency-Key` header (1 to 255 printable ASCII characters) with this request.', {
        errors: [{ path: `/headers/${IDEMPOTENCY_HEADER}`, message: 'is required' }],
      });
    }
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw problem(400, ProblemType.validation, 'The `Idempotency-Key` header must be 1 to 255 printable ASCII characters.', {
        errors: [{ path: `/headers/${IDEMPOTENCY_HEADER}`, message: 'must be 1 to 255 printable ASCII characters' }],
      });
    }
  });

  // After validation (a malformed request claims nothing) and after auth (the scope is the caller).
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.idempotency !== 'required') return;
    const scope = scopeOf(request);
    const key = request.headers[IDEMPOTENCY_HEADER] as string;
    const requestHash = hashRequest(request);
    const path = request.url.split('?')[0]!.slice(0, 300);
    // A claim dropped by a failing first request between our insert and read is claimed again.
    for (let attempt = 0; attempt < REPLAY_CHECKS; attempt++) {
      // SQL rather than the ORM here and in settle: every money-moving request pays for both.
      const claimed = await prisma.$executeRaw`
        INSERT INTO idempotency_records (scope, key, method, path, request_hash)
        VALUES (${scope}, ${key}, ${request.method}, ${path}, ${requestHash})
        ON CONFLICT (scope, key) DO NOTHING`;
      if (claimed === 1) {
        request.idempotencyClaim = { scope, key };
        return;
      }
      const existing = await prisma.idempotencyRecord.findUnique({ where: { scope_key: { scope, key } } });
      if (!existing) continue;
      if (existing.requestHash !== requestHash) {
        throw problem(409, 'idempotency-key-reused', 'This Idempotency-Key was used for a different request; use a new key for a new operation.');
      }
      if (existing.responseStatus === null || existing.responseBody === null) {
        throw problem(409, 'idempotency-key-in-flight', 'The first request with this Idempotency-Key is still being handled; retry shortly.', {
          headers: { 'retry-after': '1' },
        });
      }
      return reply
        .code(existing.responseStatus)
        .type(existing.responseStatus >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json')
        .header('idempotent-replayed', 'true')
        .send(existing.responseBody);
    }
    throw problem(409, 'idempotency-key-in-flight', 'Requests with this Idempotency-Key keep failing; retry shortly.', {
      headers: { 'retry-after': '1' },
    });
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    // Once per request: an error raised while sending would run this hook again with a 500.
    request.idempotencyClaim = undefined;
    await settle(prisma, request, claim, reply.statusCode, payload);
    return payload;
  });
}, { name: 'idempotency', dependencies: ['auth'] });

async function settle(prisma: PrismaClient, request: FastifyRequest, claim: { scope: string; key: string }, status: number, payload: unknown) {
  const where = { scope_key: claim };
  const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
  try {
    if (status >= 500 || status === 429 || body === null) {
      // Failed or throttled (nothing we know of was done), or nothing to replay: free the key for a retry.
      await prisma.idempotencyRecord.delete({ where });
    } else {
      const stored = await prisma.$executeRaw`
        UPDATE idempotency_records SET response_status = ${status}, response_body = ${body} WHERE scope = ${claim.scope} AND key = ${claim.key}`;
      if (stored === 0) throw new Error('the claim of this key is gone');
    }
  } catch (error) {
    // The answer still goes out; the key stays "in flight" (409) rather than risk doing the work twice.
    request.log.error({ err: error, idempotencyKey: claim.key }, 'could not record the idempotent response');
  }
}

function scopeOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal?.kind === 'user') return `user:${principal.userId}`;
  if (principal?.kind === 'platform') return `api-key:${principal.apiKeyId}`;
  // Unreachable: onRoute refuses public routes, and auth has identified everyone else by now.
  throw new Error(`route ${request.method} ${request.routeOptions.url} takes an Idempotency-Key but has no caller`);
}

/** What makes two requests "the same": method, route, path parameters, query and body, key order aside. */
function hashRequest(request: FastifyRequest): string {
  const parts = [request.method, request.routeOptions.url ?? '', request.params ?? {}, request.query ?? {}, request.body ?? null];
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      // Code-unit order, not localeCompare: the hash must not depend on the machine's locale.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
