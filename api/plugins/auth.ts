import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../src/domain/errors.js';
import type { Role } from '../../src/domain/identity/roles.js';
import type { ServiceContext } from '../../src/services/context.js';
import { authenticateApiKey } from '../../src/services/identity/api-keys.js';
import type { Principal } from '../../src/services/identity/principal.js';
import { authenticateToken } from '../../src/services/identity/sessions.js';

/**
 * Who may call a route. Every route must say (deny by default: a route without `config.access` fails at
 * start-up): `public`, people with one of `roles`, and/or the platform's API keys.
 */
export type Access = { public: true } | { roles?: readonly Role[]; platform?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyInstance {
    /** Every route with who may call it, for the OpenAPI document and the access-matrix test. */
    routeAccess: { method: string; url: string; access: Access }[];
  }
}

const unauthenticated = () =>
  new DomainError('unauthenticated', 'unauthenticated', 'Sign in first: send `Authorization: Bearer <token>` (or `ApiKey <key>`).');
const forbidden = () => new DomainError('forbidden', 'forbidden', 'Your role does not allow this.');

async function identify(ctx: ServiceContext, header: string | undefined): Promise<Principal | null> {
  if (!header) return null;
  const [scheme, credential, ...rest] = header.trim().split(/\s+/);
  if (!credential || rest.length > 0) return null;
  if (scheme?.toLowerCase() === 'bearer') return authenticateToken(ctx, credential);
  if (scheme?.toLowerCase() === 'apikey') return authenticateApiKey(ctx, credential);
  return null;
}

export const authPlugin = fp(async (app: FastifyInstance, options: { services: ServiceContext }) => {
  app.decorate('routeAccess', []);
  app.addHook('onRoute', (route) => {
    // Swagger UI's own routes are public by nature.
    if (route.url.startsWith('/docs')) {
      route.config = { ...route.config, access: { public: true } };
      return;
    }
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${route.url} does not declare who may call it (config.access)`);
    // The OpenAPI document says who may call each route.
    if (route.schema && !('public' in access)) {
      const who = [...(access.roles ?? []), ...(access.platform ? ['platform API key'] : [])].join(', ');
      const schema = route.schema as Record<string, unknown>;
      schema.security = [...(access.roles?.length ? [{ bearer: [] }] : []), ...(access.platform ? [{ apiKey: [] }] : [])];
      schema.description = [schema.description, `Who: ${who}.`].filter(Boolean).join('\n\n');
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') app.routeAccess.push({ method, url: route.url, access });
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config.access;
    if (!access || 'public' in access) return; // no access: an unmatched URL, answered 404 anyway
    const principal = await identify(options.services, request.headers.authorization);
    if (!principal) throw unauthenticated();
    request.principal = principal;
    if (principal.kind === 'platform') {
      if (!access.platform) throw forbidden();
      return;
    }
    if (!access.roles?.some((role) => principal.roles.includes(role))) throw forbidden();
  });
}, { name: 'auth' });

/** The signed-in customer's account; routes for customers only are declared so, this narrows the type. */
export function customerOf(request: FastifyRequest): { userId: string; accountId: string; sessionId: string } {
  const principal = request.principal;
  if (principal?.kind !== 'user' || principal.accountId === null) throw forbidden();
  return { userId: principal.userId, accountId: principal.accountId, sessionId: principal.sessionId };
}

/** The signed-in person (customer or staff). */
export function personOf(request: FastifyRequest): { userId: string; sessionId: string; roles: Role[] } {
  const principal = request.principal;
  if (principal?.kind !== 'user') throw unauthenticated();
  return { userId: principal.userId, sessionId: principal.sessionId, roles: principal.roles };
}
