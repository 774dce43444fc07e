import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authPlugin } from '../../api/plugins/auth.js';
import { errorsPlugin } from '../../api/plugins/errors.js';
import { IdempotencyHeaders, idempotencyPlugin } from '../../api/plugins/idempotency.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';
import { sourceBalances } from '../support/ledger.js';

let t: TestApp;
let finance: { token: string; userId: string };
beforeAll(async () => {
  t = await createTestApp();
  finance = await t.staff(['finance']);
});
afterEach(async () => {
  expect(await checkStoredLedger(t.db.prisma)).toEqual([]);
});
afterAll(async () => {
  await t.close();
});

const PROBLEM = 'urn:billing-center:problem:';
const adjust = (body: object, key: string | undefined, token = finance.token) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/finance/adjustments',
    headers: { ...bearer(token), ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: body,
  });
const creditOf = (accountId: string, amount: string) => ({ accountId, direction: 'credit', amount: { amount, currency: 'CNY' }, reason: 'goodwill credit' });
const adjustmentsOf = (accountId: string) => t.db.prisma.journalEntry.count({ where: { accountId, kind: 'adjustment' } });

describe('an Idempotency-Key on a money-moving POST', () => {
  it('replays the first answer for the same key and body, and the ledger moves once', async () => {
    const { accountId } = await t.customer();
    const key = randomUUID();
    const first = await adjust(creditOf(accountId, '25.00'), key);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const again = await adjust(creditOf(accountId, '25.00'), key);
    // The same body with its keys in another order is the same request.
    const reordered = await adjust({ reason: 'goodwill credit', amount: { currency: 'CNY', amount: '25.00' }, direction: 'credit', accountId }, key);
    for (const replay of [again, reordered]) {
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers['content-type']).toBe(first.headers['content-type']);
      expect(replay.body).toBe(first.body);
    }
    expect(await sourceBalances(t.services, accountId)).toEqual({ cash: 2500n });
    expect(await adjustmentsOf(accountId)).toBe(1);
  });

  it('refuses the same key with another body (409 reused), moving nothing more', async () => {
    const { accountId } = await t.customer();
    const key = randomUUID();
    expect((await adjust(creditOf(accountId, '25.00'), key)).statusCode).toBe(201);
    const other = await adjust(creditOf(accountId, '26.00'), key);
    expect(other.statusCode).toBe(409);
    expect(other.json().type).toBe(`${PROBLEM}idempotency-key-reused`);
    expect(await sourceBalances(t.services, accountId)).toEqual({ cash: 2500n });
    expect(await adjustmentsOf(accountId)).toBe(1);
  });

  it('requires a key of 1 to 255 printable ASCII characters, moving nothing without one', async () => {
    const { accountId } = await t.customer();
    const missing = await adjust(creditOf(accountId, '5.00'), undefined);
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ type: `${PROBLEM}idempotency-key-required`, errors: [{ path: '/headers/idempotency-key' }] });
    expect((await adjust(creditOf(accountId, '5.00'), '')).json().type).toBe(`${PROBLEM}idempotency-key-required`);
    for (const bad of ['k'.repeat(256), 'clé-1']) {
      const response = await adjust(creditOf(accountId, '5.00'), bad);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().type).toBe(`${PROBLEM}validation`);
    }
    expect((await adjust(creditOf(accountId, '5.00'), 'k'.repeat(255))).statusCode).toBe(201);
    expect(await adjustmentsOf(accountId)).toBe(1);
  });

  it('does the work once for 20 concurrent identical requests: each answer is the first response or 409 in flight', async () => {
    const { accountId } = await t.customer();
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 20 }, () => adjust(creditOf(accountId, '7.77'), key)));
    const created = replies.filter((reply) => reply.statusCode === 201);
    const inFlight = replies.filter((reply) => reply.statusCode === 409);
    expect(created.length + inFlight.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((reply) => reply.body)).size).toBe(1);
    for (const reply of inFlight) expect(reply.json().type).toBe(`${PROBLEM}idempotency-key-in-flight`);
    expect(await sourceBalances(t.services, accountId)).toEqual({ cash: 777n });
    expect(await adjustmentsOf(accountId)).toBe(1);
    // Once the first is done, the key replays.
    expect((await adjust(creditOf(accountId, '7.77'), key)).body).toBe(created[0]!.body);
  });

  it('keeps the keys of different callers apart', async () => {
    const { accountId } = await t.customer();
    const colleague = await t.staff(['finance']);
    const key = 'shared-key-1';
    const mine = await adjust(creditOf(accountId, '3.00'), key);
    const theirs = await adjust(creditOf(accountId, '3.00'), key, colleague.token);
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().id).not.toBe(mine.json().id);
    expect(await sourceBalances(t.services, accountId)).toEqual({ cash: 600n });
  });

  it('replays a 4xx answer too: the same request gets the same answer', async () => {
    const { accountId } = await t.customer();
    const key = randomUUID();
    const body = { accountId, direction: 'credit', amount: { amount: '5.00', currency: 'USD' }, reason: 'wrong currency' };
    const first = await adjust(body, key);
    expect(first.statusCode).toBe(422);
    const again = await adjust(body, key);
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    // The very first answer, request id and all, not a fresh refusal.
    expect(again.body).toBe(first.body);
    expect(again.json().requestId).not.toBe(again.headers['x-request-id']);
    expect(await adjustmentsOf(accountId)).toBe(0);
  });

  it('documents the header on the route in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const parameters: { in: string; name: string; required?: boolean }[] = document.paths['/v1/finance/adjustments'].post.parameters;
    expect(parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key', required: true })]));
  });
});

describe('the idempotency plugin on its own routes', () => {
  let bare: FastifyInstance;
  let calls = 0;
  beforeAll(async () => {
    bare = Fastify();
    await bare.register(errorsPlugin);
    await bare.register(authPlugin, { services: t.services });
    await bare.register(idempotencyPlugin, { services: t.services });
    // Fails the first time it runs, then counts.
    bare.post(
      '/v1/probe/flaky',
      { config: { access: { platform: true, roles: ['finance'] }, idempotency: 'required' }, schema: { headers: IdempotencyHeaders } },
      async (_request, reply) => {
        calls++;
        if (calls === 1) throw new Error('the database went away');
        return reply.code(201).send({ calls });
      },
    );
    await bare.ready();
  });
  afterAll(async () => {
    await bare.close();
  });

  const probe = (headers: Record<string, string>) => bare.inject({ method: 'POST', url: '/v1/probe/flaky', headers, payload: { n: 1 } });

  it('frees the key after a 5xx so the client can retry, and replays the retry', async () => {
    const headers = { ...bearer(finance.token), 'idempotency-key': 'retry-me' };
    expect((await probe(headers)).statusCode).toBe(500);
    expect(await t.db.prisma.idempotencyRecord.count({ where: { key: 'retry-me' } })).toBe(0);
    const retry = await probe(headers);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual({ calls: 2 });
    const replay = await probe(headers);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ calls: 2 });
    expect(calls).toBe(2);
  });

  it('scopes the keys of the platform by API key', async () => {
    const [one, two] = [await t.apiKey(), await t.apiKey()];
    const before = calls;
    const first = await probe({ authorization: `ApiKey ${one}`, 'idempotency-key': 'platform-key' });
    const other = await probe({ authorization: `ApiKey ${two}`, 'idempotency-key': 'platform-key' });
    const replay = await probe({ authorization: `ApiKey ${one}`, 'idempotency-key': 'platform-key' });
    expect([first.statusCode, other.statusCode, replay.statusCode]).toEqual([201, 201, 201]);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(first.body);
    expect(calls - before).toBe(2);
    const scopes = await t.db.prisma.idempotencyRecord.findMany({ where: { key: 'platform-key' } });
    expect(scopes.map((record) => record.scope.split(':')[0])).toEqual(['api-key', 'api-key']);
  });

  it('refuses at start-up a route that takes a key without documenting the header, or has no caller to scope it to', async () => {
    const app = Fastify();
    await app.register(authPlugin, { services: t.services });
    await app.register(idempotencyPlugin, { services: t.services });
    expect(() => app.post('/v1/undocumented', { config: { access: { roles: ['finance'] }, idempotency: 'required' } }, async () => 'x')).toThrow(
      /requires an Idempotency-Key/,
    );
    expect(() =>
      app.post('/v1/anyone', { config: { access: { public: true }, idempotency: 'required' }, schema: { headers: IdempotencyHeaders } }, async () => 'x'),
    ).toThrow(/no caller/);
    await app.close();
  });
});
