import { Type } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import type { ReadinessChecks } from '../../api/health/routes.js';
import { problem, ProblemType } from '../../api/problem.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';

const ok = async () => undefined;
let readiness: ReadinessChecks = { database: ok, temporal: ok, worker: ok };
let app: App;
let testApp: TestApp;

beforeAll(async () => {
  testApp = await createTestApp({
    readiness: {
      database: () => readiness.database(),
      temporal: () => readiness.temporal(),
      worker: () => readiness.worker(),
    },
  });
  app = testApp.app;
  const open = { access: { public: true } } as const;
  // Routes that exist only here, to exercise the edge the real routes share.
  app.post(
    '/test/echo',
    {
      config: open,
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 10 }), count: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => request.body,
  );
  app.get('/test/refuse', { config: open }, async () => {
    throw problem(422, ProblemType.businessRule, 'The voucher has expired.');
  });
  app.get('/test/crash', { config: open }, async () => {
    throw new Error('secret internal detail: connection string postgres://x');
  });
  await app.ready();
});

afterAll(async () => {
  await testApp.close();
});

function expectProblem(response: { headers: Record<string, unknown>; json(): unknown }, status: number, type: string) {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: `urn:billing-center:problem:${type}` });
  expect(typeof body.title).toBe('string');
  return body;
}

describe('the HTTP edge', () => {
  it('answers unknown routes with a 404 problem', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expectProblem(response, 404, 'not-found');
  });

  it('names every invalid field with its path in a 400 problem', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: '', count: 0, extra: true } });
    expect(response.statusCode).toBe(400);
    const body = expectProblem(response, 400, 'validation');
    const paths = (body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['/body/count', '/body/extra', '/body/name']);
  });

  it('refuses a leap second, which RFC 3339 allows and JavaScript cannot read, in any timestamp with a 400', async () => {
    const customer = await testApp.customer();
    const response = await app.inject({ method: 'GET', url: '/v1/statements/income-expenditure?from=2026-06-30T23:59:60Z', headers: bearer(customer.token) });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors).toEqual([expect.objectContaining({ path: '/query/from' })]);
  });

  it('reports a missing required field at its own path', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'a' } });
    const body = expectProblem(response, 400, 'validation');
    expect(body.errors).toEqual([expect.objectContaining({ path: '/body/count' })]);
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "a", ',
    });
    expect(response.statusCode).toBe(400);
    expectProblem(response, 400, 'malformed-json');
  });

  it('answers a body over the limit with 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1_100_000), count: 1 }),
    });
    expect(response.statusCode).toBe(413);
    expectProblem(response, 413, 'payload-too-large');
  });

  it('answers a body that is not JSON with 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'name=a',
    });
    expect(response.statusCode).toBe(415);
    expectProblem(response, 415, 'unsupported-media-type');
  });

  it('passes a business refusal through with its status and detail', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/refuse' });
    expect(response.statusCode).toBe(422);
    expect(expectProblem(response, 422, 'business-rule').detail).toBe('The voucher has expired.');
  });

  it('never shows an internal error message or stack to the client', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/crash' });
    expect(response.statusCode).toBe(500);
    expectProblem(response, 500, 'internal');
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toContain('postgres://');
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('gives every response a request id, keeping a well-formed one the caller sent', async () => {
    const fresh = await app.inject({ method: 'GET', url: '/healthz' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(kept.headers['x-request-id']).toBe('trace-123');
    const replaced = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(replaced.headers['x-request-id']).not.toContain('bad');
    expect((await app.inject({ method: 'GET', url: '/nope' })).json()).toHaveProperty('requestId');
  });
});

describe('operations endpoints', () => {
  it('reports liveness', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('is ready only when database, Temporal and a worker all are, and says which is not', async () => {
    readiness = { database: ok, temporal: ok, worker: ok };
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready' });

    readiness = { database: ok, temporal: ok, worker: async () => Promise.reject(new Error('no worker is polling')) };
    const notReady = await app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({
      status: 'not_ready',
      checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: false, detail: 'no worker is polling' } },
    });
    readiness = { database: ok, temporal: ok, worker: ok };
  });

  it('publishes an OpenAPI 3 document with every route and its schemas', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, { responses?: object }>> };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths['/readyz']?.get?.responses).toHaveProperty('503');
    expect(document.paths['/healthz']?.get?.responses).toHaveProperty('200');
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('exports request counts by route and status and latency histograms in Prometheus text', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/v1/missing' });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const operator = await testApp.staff(['operator']);
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(operator.token) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(response.body).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
    expect(response.body).toMatch(/http_requests_total\{method="GET",route="\/metrics",status="401"\} \d+/);
    expect(response.body).toContain('http_request_duration_seconds_bucket');
    expect(response.body).toContain('process_cpu_user_seconds_total');
  });
});
