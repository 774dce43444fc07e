import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { authPlugin, type Access } from '../../api/plugins/auth.js';
import type { Role } from '../../src/domain/identity/roles.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';

/**
 * Every route × every kind of caller: anonymous, a customer, each staff role, the platform's API key. A caller
 * the route does not admit gets 401 (no credentials) or 403 (wrong role) before anything else happens; a caller
 * it admits gets past authorization (whatever the handler then says of the empty request).
 */

type Caller = { name: string; role?: Role; platform?: boolean; headers: Record<string, string> };

let t: TestApp;
const callers: Caller[] = [];

beforeAll(async () => {
  t = await createTestApp();
  callers.push({ name: 'anonymous', headers: {} });
  callers.push({ name: 'customer', role: 'customer', headers: bearer((await t.customer()).token) });
  for (const role of ['support', 'sales', 'finance', 'operator', 'admin'] as const) {
    callers.push({ name: role, role, headers: bearer((await t.staff([role])).token) });
  }
  callers.push({ name: 'platform', platform: true, headers: { authorization: `ApiKey ${await t.apiKey()}` } });
});
afterAll(async () => {
  await t.close();
});

function admits(access: Access, caller: Caller): boolean {
  if ('public' in access) return true;
  if (caller.platform) return access.platform === true;
  return caller.role !== undefined && (access.roles ?? []).includes(caller.role);
}

/** Plausible values for path parameters: the route's own checks, not the router, should answer. */
function concrete(url: string): string {
  return url
    .replace(/:workspaceId/g, 'ws-matrix-probe')
    .replace(/:no/g, 'T-2026-000001')
    .replace(/:cardNo/g, '0000000000000000')
    .replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
}

describe('the access matrix', () => {
  it('admits exactly the callers each route declares, and refuses the rest with 401 or 403', async () => {
    // Logging out revokes the caller's token, so it goes last.
    const routes = t.app.routeAccess
      .filter((route) => !route.url.startsWith('/docs'))
      .sort((a, b) => Number(a.url === '/v1/auth/logout') - Number(b.url === '/v1/auth/logout'));
    expect(routes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    let cells = 0;
    for (const route of routes) {
      for (const caller of callers) {
        const response = await t.app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers: caller.headers,
          ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { payload: {} } : {}),
          remoteAddress: `10.${cells % 250}.0.1`,
        });
        cells++;
        const allowed = admits(route.access, caller);
        const ok = allowed
          ? ![401, 403].includes(response.statusCode)
          : response.statusCode === (caller.name === 'anonymous' ? 401 : 403);
        if (!ok) failures.push(`${route.method} ${route.url} as ${caller.name}: ${response.statusCode} (${allowed ? 'should be admitted' : 'should be refused'})`);
      }
    }
    console.info(`access matrix: ${routes.length} routes × ${callers.length} callers = ${cells} cells`);
    expect(failures).toEqual([]);
  });

  it('documents every route in the OpenAPI document with its audience and a schema for each answer', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; security?: unknown[]; requestBody?: unknown }>>;
    };
    const missing: string[] = [];
    for (const route of t.app.routeAccess.filter((r) => r.url.startsWith('/v1/'))) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      const success = Object.keys(operation?.responses ?? {}).some((status) => status.startsWith('2'));
      const failure = Object.keys(operation?.responses ?? {}).some((status) => status.startsWith('4'));
      const secured = 'public' in route.access || (operation?.security?.length ?? 0) > 0;
      if (!operation || !success || !failure || !secured) missing.push(`${route.method} ${route.url}`);
    }
    expect(missing).toEqual([]);
  });

  it('refuses to build an app with a route that does not say who may call it (deny by default)', async () => {
    const bare = Fastify();
    await bare.register(authPlugin, { services: t.services });
    expect(() => bare.get('/v1/forgotten', async () => 'open')).toThrow(/does not declare who may call it/);
    await bare.close();
  });
});
