import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import { rechargeActivities } from '../activities/recharges.js';
import { projectRoot } from '../src/config.js';
import { register } from '../src/services/identity/sign-in.js';
import { checkStoredLedger } from '../src/services/ledger/ledger-check.js';
import { requestRecharge } from '../src/services/recharges/request.js';
import { Workflows, workflowIds } from '../src/temporal/workflows.js';
import type { RechargeStatus } from '../workflows/recharge-contract.js';
import { announce, log, onStack, seconds, sleep, timed, writeResults } from './lib/report.js';
import { Api, bearer } from './lib/http.js';
import type { BenchStack } from './lib/stack.js';
import { formatInt, percentile, pool, round } from './lib/stats.js';

/**
 * `npm run bench -- recharge`: voucher recharges over HTTP, request to `completed`, against the rate of an
 * empty workflow on the same Temporal dev server; then an expiry burst of prepaid cards with balances that all
 * expire in the same minute, timed until every one is cleared, with the ledger checked to the cent.
 * A benchmark, not a test: a missed target is reported, a wrong ledger fails.
 */

const FULL = {
  vouchers: 2_000,
  concurrency: 32,
  customers: 32,
  emptyWorkflows: 2_000,
  cards: 10_000,
  cardFaceMinor: 5_00n,
  voucherFaceMinor: 10_00n,
  clearTimeoutS: 900,
};
/** `--quick`: the same shape at a tenth of the size, to check the benchmark itself; writes no results file. */
const QUICK = { ...FULL, vouchers: 200, emptyWorkflows: 200, cards: 1_000, clearTimeoutS: 300 };
type Params = typeof FULL;

const TARGETS = { rechargeShareOfEmpty: 0.4, clearedWithinS: 120 };
const EMPTY_TASK_QUEUE = 'bench-empty-workflow';
const CUSTOMER_PASSWORD = 'Amber-Falcon-Meadow-7319';
const STAFF_PASSWORD = 'Copper-Willow-Signal-5083';
const CASH_LIMITS = { min: '1.00', max: '1000000.00' };

const money = (minor: bigint) => ({ amount: (Number(minor) / 100).toFixed(2), currency: 'CNY' });


/** Start and await `count` workflows at `concurrency`, each timed from start to result. */
async function workflowRun(count: number, concurrency: number, one: (index: number) => Promise<void>) {
  const latenciesMs: number[] = new Array(count);
  const started = performance.now();
  await pool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const at = performance.now();
    await one(i);
    latenciesMs[i] = performance.now() - at;
  });
  const wallMs = performance.now() - started;
  return {
    count,
    wallS: seconds(wallMs),
    perS: round(count / (wallMs / 1000), 1),
    latencyMs: { p50: round(percentile(latenciesMs, 50), 1), p99: round(percentile(latenciesMs, 99), 1), max: round(Math.max(...latenciesMs), 1) },
  };
}

async function runningLifetimes(client: Client): Promise<number> {
  const { count } = await client.workflow.count(`WorkflowType = 'balanceSourceLifetime' AND ExecutionStatus = 'Running'`);
  return count;
}

/**
 * Waits until the service's workflow task queue has no backlog: lifetimes that were just started still have their
 * first task queued, and a measurement started now would queue behind thousands of them.
 */
async function waitForIdleWorker(client: Client, namespace: string, taskQueue: string, timeoutS: number): Promise<void> {
  const started = performance.now();
  for (let quiet = 0; quiet < 3; ) {
    const reply = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      reportStats: true,
    });
    quiet = Number(reply.stats?.approximateBacklogCount ?? 0) === 0 ? quiet + 1 : 0;
    if (performance.now() - started > timeoutS * 1000) throw new Error(`the workflow task queue still has a backlog after ${timeoutS} s`);
    await sleep(500);
  }
}

/**
 * Issue answers before every lifetime has started (Temporal's start rate decides): wait until they run, and
 * until the worker has worked off their first tasks.
 */
async function waitForLifetimes(client: Client, stack: BenchStack, expected: number, timeoutS: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const running = await runningLifetimes(client);
    if (running >= expected) break;
    if (performance.now() - started > timeoutS * 1000) throw new Error(`only ${running} of ${expected} lifetime workflows running after ${timeoutS} s`);
    await sleep(500);
  }
  await waitForIdleWorker(client, stack.config.temporal.namespace, stack.config.temporal.taskQueue, timeoutS);
}

interface People {
  salesToken: string;
  customers: { accountId: string; token: string }[];
}

async function setUpPeople(stack: BenchStack, api: Api, params: Params): Promise<People> {
  const login = await api.request<{ token: string }>('POST', '/v1/auth/login', { body: stack.admin });
  const sales = { email: 'bench-sales@example.com', name: 'Bench Sales', password: STAFF_PASSWORD, roles: ['sales'] };
  await api.request('POST', '/v1/admin/staff', { auth: bearer(login.body.token), body: sales });
  const salesLogin = await api.request<{ token: string }>('POST', '/v1/auth/login', { body: { email: sales.email, password: sales.password } });
  const customers: People['customers'] = new Array(params.customers);
  // The registration route allows 30 a minute per address; the service itself has no such limit.
  await pool(Array.from({ length: params.customers }, (_, i) => i), 2, async (i) => {
    const { account, session } = await register(stack.services, { email: `bench-recharge-${i}@example.com`, password: CUSTOMER_PASSWORD, name: `Bench Customer ${i}` });
    customers[i] = { accountId: account.id, token: session.token };
  });
  return { salesToken: salesLogin.body.token, customers };
}

/** Sums a query's single bigint column; null as 0. */
async function sumOf(db: pg.Pool, sql: string, values: unknown[] = []): Promise<bigint> {
  const { rows } = await db.query<{ total: string | null }>(sql, values);
  return BigInt(rows[0]?.total ?? '0');
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: voucher recharges against an empty workflow
// ---------------------------------------------------------------------------------------------------------

async function voucherPart(stack: BenchStack, api: Api, client: Client, db: pg.Pool, people: People, params: Params, problems: string[]) {
  // The yardstick first, on a quiet server: a worker of its own for the empty workflow, same server.
  const connection = await NativeConnection.connect({ address: stack.started.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: stack.config.temporal.namespace,
    taskQueue: EMPTY_TASK_QUEUE,
    workflowsPath: path.join(projectRoot, 'bench', 'lib', 'empty-workflow.ts'),
  });
  const running = worker.run();
  let empty;
  try {
    empty = await timed(`${formatInt(params.emptyWorkflows)} empty workflows (start, await result), concurrency ${params.concurrency}`, () =>
      workflowRun(params.emptyWorkflows, params.concurrency, async (i) => {
        await client.workflow.execute('emptyWorkflow', { taskQueue: EMPTY_TASK_QUEUE, workflowId: `bench-empty/${i}/${randomUUID()}` });
      }),
    );
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }

  const validUntil = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
  const issued = await timed(`issue ${formatInt(params.vouchers)} vouchers (POST /v1/sales/vouchers)`, () =>
    api.request<{ vouchers: { code: string }[] }>('POST', '/v1/sales/vouchers', {
      auth: bearer(people.salesToken),
      headers: { 'idempotency-key': randomUUID() },
      body: { count: params.vouchers, faceValue: money(params.voucherFaceMinor), validUntil },
    }),
  );
  await timed('their lifetime workflows running, the worker idle again', () => waitForLifetimes(client, stack, params.vouchers, 600));
  const codes = issued.value.body.vouchers.map((v) => v.code);

  const statuses = new Map<RechargeStatus, number>();
  const recharges = await timed(`${formatInt(params.vouchers)} voucher recharges (POST /v1/recharges until completed), concurrency ${params.concurrency}`, () =>
    workflowRun(codes.length, params.concurrency, async (i) => {
      const customer = people.customers[i % people.customers.length]!;
      // The API waits a moment for the workflow: 201 when it completed meanwhile, else 202 and it goes on.
      const reply = await api.request<{ id: string; status: RechargeStatus }>('POST', '/v1/recharges', {
        auth: bearer(customer.token),
        headers: { 'idempotency-key': randomUUID() },
        body: { method: 'voucher', code: codes[i] },
        expect: [201, 202],
      });
      const status = reply.status === 201 ? reply.body.status : await client.workflow.getHandle(workflowIds.recharge(reply.body.id)).result();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }),
  );
  if (statuses.get('completed') !== params.vouchers) problems.push(`voucher recharges ended ${JSON.stringify(Object.fromEntries(statuses))}`);

  // Every customer holds exactly the vouchers it redeemed, to the cent.
  const perCustomer = people.customers.map((_, c) => BigInt(Math.ceil((params.vouchers - c) / people.customers.length)) * params.voucherFaceMinor);
  const { rows } = await db.query<{ account_id: string; total: string }>(
    `SELECT account_id::text, (-SUM(net_minor))::bigint AS total FROM ledger_accounts WHERE source = 'voucher' GROUP BY account_id`,
  );
  const held = new Map(rows.map((r) => [r.account_id, BigInt(r.total)]));
  people.customers.forEach((customer, c) => {
    if (held.get(customer.accountId) !== perCustomer[c]) problems.push(`customer ${c} holds ${held.get(customer.accountId)} in vouchers, expected ${perCustomer[c]}`);
  });
  return { empty: empty.value, recharges: recharges.value, ratio: round(recharges.value.perS / empty.value.perS, 3) };
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: 10,000 prepaid cards with balances, all expiring in the same minute
// ---------------------------------------------------------------------------------------------------------

async function expiryPart(stack: BenchStack, api: Api, client: Client, db: pg.Pool, people: People, params: Params, rates: { recharge: number; start: number }, problems: string[]) {
  // The cards must all be issued and redeemed before they expire: give that 1.25 times what the rates measured
  // in part 1 predict, plus a minute. The wait until the expiry is not measured.
  const setupS = params.cards / rates.start + params.cards / rates.recharge;
  const expiresAt = new Date(Math.ceil((Date.now() + (1.25 * setupS + 60) * 1000) / 60_000) * 60_000);
  log(`  (cards expire at ${expiresAt.toISOString()}, ${seconds(expiresAt.getTime() - Date.now())} s from now)`);
  const batch = await timed(`issue ${formatInt(params.cards)} prepaid cards (POST /v1/sales/prepaid-card-batches)`, () =>
    api.request<{ cards: { cardNo: string; secret: string }[] }>('POST', '/v1/sales/prepaid-card-batches', {
      auth: bearer(people.salesToken),
      headers: { 'idempotency-key': randomUUID() },
      body: { count: params.cards, faceValue: money(params.cardFaceMinor), expiresAt: expiresAt.toISOString(), note: 'expiry burst benchmark' },
    }),
  );
  const cards = batch.value.body.cards;

  // Redeemed through the services the API and the recharge workflow's activities run (the recharge workflow
  // itself was measured in part 1): open the recharge (card verified and bound), credit it, tell its lifetime.
  const workflows = new Workflows(client, stack.config.temporal.taskQueue);
  const steps = rechargeActivities(stack.services, workflows);
  await timed(`redeem them into ${people.customers.length} accounts (request, credit, tell the lifetime)`, () =>
    pool(cards, params.concurrency, async (card, i) => {
      const customer = people.customers[i % people.customers.length]!;
      const recharge = await requestRecharge(stack.services, customer.accountId, { method: 'prepaid_card', cardNo: card.cardNo, secret: card.secret }, CASH_LIMITS);
      const credited = await steps.creditRechargeStep(recharge.id);
      if (!credited.source) throw new Error(`card ${card.cardNo} was credited without a source`);
      await steps.tellBalanceSourceBound(customer.accountId, credited.source);
    }),
  );
  await timed('every card lifetime running and bound, the worker idle again', () => waitForLifetimes(client, stack, params.vouchers + params.cards, 900));
  const onCards = await sumOf(db, `SELECT (-SUM(net_minor))::bigint AS total FROM ledger_accounts WHERE source = 'prepaid_card'`);
  const expected = BigInt(params.cards) * params.cardFaceMinor;
  if (onCards !== expected) problems.push(`cards carry ${onCards} before expiry, expected ${expected}`);

  const untilExpiry = expiresAt.getTime() - Date.now();
  if (untilExpiry <= 0) problems.push(`setup ended ${seconds(-untilExpiry)} s after the cards expired: the burst is not a burst`);
  log(`  waiting ${seconds(Math.max(0, untilExpiry))} s for the expiry`);
  await sleep(Math.max(0, untilExpiry));

  const started = performance.now();
  let clearedMs: number | null = null;
  let workflowsEndedMs: number | null = null;
  for (;;) {
    const ms = performance.now() - started;
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ledger_accounts WHERE source = 'prepaid_card' AND status = 'expired'`);
    if (clearedMs === null && Number(rows[0]!.n) >= params.cards) clearedMs = ms;
    if (workflowsEndedMs === null && (await runningLifetimes(client)) <= params.vouchers) workflowsEndedMs = ms;
    if (clearedMs !== null && workflowsEndedMs !== null) break;
    if (ms > params.clearTimeoutS * 1000) {
      problems.push(`${rows[0]!.n} of ${params.cards} cards cleared after ${params.clearTimeoutS} s`);
      break;
    }
    await sleep(250);
  }
  log(`  all ${formatInt(params.cards)} cards cleared in the ledger ${clearedMs === null ? 'NOT' : seconds(clearedMs)} s after expiry; lifetimes ended ${workflowsEndedMs === null ? 'NOT' : seconds(workflowsEndedMs)} s after`);

  const leftOnCards = await sumOf(db, `SELECT SUM(net_minor)::bigint AS total FROM ledger_accounts WHERE source = 'prepaid_card'`);
  const expired = await sumOf(db, `SELECT (-net_minor)::bigint AS total FROM ledger_accounts WHERE key = 'system/expired-balances/CNY'`);
  const expiryEntries = await sumOf(db, `SELECT count(*)::bigint AS total FROM journal_entries WHERE kind = 'expiry'`);
  if (leftOnCards !== 0n) problems.push(`${leftOnCards} left on cards after expiry`);
  if (expired !== expected) problems.push(`expired balances hold ${expired}, expected ${expected}`);
  if (expiryEntries !== BigInt(params.cards)) problems.push(`${expiryEntries} expiry entries, expected ${params.cards}`);
  return {
    cards: params.cards,
    expiresAt: expiresAt.toISOString(),
    clearedS: clearedMs === null ? null : seconds(clearedMs),
    lifetimesEndedS: workflowsEndedMs === null ? null : seconds(workflowsEndedMs),
    clearedTotal: expired.toString(),
  };
}

// ---------------------------------------------------------------------------------------------------------

export async function runRechargeBenchmark(args: string[]): Promise<number> {
  const quick = args.includes('--quick');
  const params: Params = quick ? QUICK : FULL;
  const ranAt = new Date();
  const machine = announce('recharge', quick, `${formatInt(params.vouchers)} voucher recharges at concurrency ${params.concurrency}; ${formatInt(params.cards)} cards expiring in one minute`);

  return onStack(async ({ stack, api, db }) => {
    const problems: string[] = [];
    let exitCode = 0;
    const connection = await Connection.connect({ address: stack.started.temporalAddress });
    stack.onStop({ name: 'bench Temporal client', stop: () => connection.close() });
    const client = new Client({ connection, namespace: stack.config.temporal.namespace });

    log();
    log('setup');
    const people = await timed(`sales staff and ${params.customers} customers`, () => setUpPeople(stack, api, params)).then((r) => r.value);

    log();
    log('voucher recharges');
    const vouchers = await voucherPart(stack, api, client, db, people, params, problems);
    log();
    log('expiry burst');
    const expiry = await expiryPart(stack, api, client, db, people, params, { recharge: vouchers.recharges.perS, start: vouchers.empty.perS }, problems);

    log();
    log('check');
    const { value: violations } = await timed('ledger check over the whole ledger', () => checkStoredLedger(stack.prisma));
    for (const v of violations.slice(0, 10)) problems.push(`ledger check: ${v.rule} ${v.subject}: ${v.detail}`);

    const targets = [
      { name: 'voucher recharge rate ≥ 40% of the empty-workflow rate', target: `>= ${TARGETS.rechargeShareOfEmpty}`, value: vouchers.ratio, met: vouchers.ratio >= TARGETS.rechargeShareOfEmpty },
      {
        name: `${formatInt(params.cards)} expired cards cleared within 120 s of expiry`,
        target: `<= ${TARGETS.clearedWithinS} s`,
        value: expiry.clearedS,
        met: expiry.clearedS !== null && expiry.clearedS <= TARGETS.clearedWithinS,
      },
    ];
    const checksOk = problems.length === 0;
    const result = {
      benchmark: 'recharge',
      command: 'npm run bench -- recharge',
      ranAt: ranAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)) },
      topology: stack.topology,
      parameters: {
        ...params,
        cardFaceMinor: params.cardFaceMinor.toString(),
        voucherFaceMinor: params.voucherFaceMinor.toString(),
        server: 'the embedded Temporal dev server (SQLite) that npm start runs',
        redeemingCards: 'services of the recharge API and activities, without the recharge workflow (measured with vouchers)',
      },
      emptyWorkflow: vouchers.empty,
      voucherRecharge: vouchers.recharges,
      rechargeToEmptyRatio: vouchers.ratio,
      expiryBurst: expiry,
      checks: { ok: checksOk, what: 'every voucher recharge completed; vouchers held per customer exact; cards carry face value before expiry and nothing after; expired balances = cards × face value; one expiry entry per card; checkStoredLedger empty', problems },
      targets,
    };

    log();
    log('results');
    log(`  empty workflow    ${vouchers.empty.perS}/s (p50 ${vouchers.empty.latencyMs.p50} ms, p99 ${vouchers.empty.latencyMs.p99} ms)`);
    log(`  voucher recharge  ${vouchers.recharges.perS}/s (p50 ${vouchers.recharges.latencyMs.p50} ms, p99 ${vouchers.recharges.latencyMs.p99} ms, request to completed)`);
    log(`  ratio             ${vouchers.ratio} (target >= ${TARGETS.rechargeShareOfEmpty})`);
    log(`  expiry burst      ${formatInt(params.cards)} cards cleared ${expiry.clearedS ?? 'NOT'} s after expiry (target <= ${TARGETS.clearedWithinS} s); lifetimes ended after ${expiry.lifetimesEndedS ?? '-'} s`);
    log(`  ledger            ${checksOk ? 'exact, ledger check clean' : 'WRONG:'}`);
    for (const problem of problems) log(`    - ${problem}`);
    log();
    log('targets');
    for (const t of targets) log(`  ${t.met ? 'met    ' : 'MISSED '} ${t.name}: ${t.value ?? '-'}`);

    if (!quick) await writeResults('recharge', result);
    if (!checksOk) {
      exitCode = 1;
      log('\nFAILED: the recharges or the ledger are not exact (see above).');
    }
    return exitCode;
  });
}
