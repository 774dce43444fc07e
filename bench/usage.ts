import os from 'node:os';
import pg from 'pg';
import { encodeCursor } from '../api/pagination.js';
import { Prisma } from '../src/db/generated/client.js';
import { inTransaction } from '../src/db/transaction.js';
import { adjustmentEntry } from '../src/domain/ledger/index.js';
import { Money } from '../src/domain/money.js';
import type { ServiceContext } from '../src/services/context.js';
import { register } from '../src/services/identity/sign-in.js';
import { checkStoredLedger } from '../src/services/ledger/ledger-check.js';
import { postEntries } from '../src/services/ledger/post-entries.js';
import { BASELINE_TABLE, insertBaseline, type BaselineRow } from './lib/baseline.js';
import { announce, log, onStack, seconds, sleep, timed, writeResults } from './lib/report.js';
import { Api, apiKey, bearer } from './lib/http.js';
import type { BenchStack } from './lib/stack.js';
import { buildStatementAccount } from './lib/statement-data.js';
import { formatInt, formatMinor, percentile, pool, round } from './lib/stats.js';
import { batches, contentHash, generateUsage, SITE, workspaceId, type UsageData } from './lib/usage-data.js';

/**
 * `npm run bench -- usage`: usage ingestion over HTTP against a raw INSERT baseline, time until everything is
 * charged, exact balances afterwards, and income-expenditure pages of an account with 1,000,000 postings
 * against the raw indexed SELECT. A benchmark, not a test: a missed target is reported, a wrong balance fails.
 */

const FULL = {
  records: 200_000,
  workspaces: 1_000,
  accounts: 200,
  batchSize: 500,
  clients: 4,
  seed: 20_261_127,
  statementEntries: 500_000, // two postings each: 1,000,000 postings
  pageSize: 50,
  // A p99 of 200 would be the second-slowest request; of 1,000, the tenth.
  statementSamples: 1_000,
  chargeTimeoutS: 600,
};
/** `--quick`: the same shape at a tenth of the size, to check the benchmark itself; writes no results file. */
const QUICK = { ...FULL, records: 20_000, statementEntries: 50_000, statementSamples: 60, chargeTimeoutS: 300 };

type Params = typeof FULL;

const TARGETS = {
  ingestShareOfBaseline: 0.15,
  chargedWithinS: 60,
  statementRatio: 3,
};

/** Starting cash per account: every fourth account gets less than it will spend, so it ends in arrears. */
const startingCredit = (account: number): bigint => (account % 4 === 0 ? 5_000_00n : 20_000_00n);
const STATEMENT_START_BALANCE = 6_000_000_00n;
const CUSTOMER_PASSWORD = 'Amber-Falcon-Meadow-7319';

interface Customer {
  accountId: string;
  token: string;
}



async function creditCash(services: ServiceContext, accountId: string, minor: bigint, reference: string, occurredAt: Date) {
  const entry = adjustmentEntry({ adjustmentId: `bench-${reference}`, billingAccountId: accountId, direction: 'credit', amount: Money.ofMinor(minor, 'CNY') });
  await inTransaction(services.prisma, (tx) => postEntries(tx, [{ entry, accountId, occurredAt }], services.now()), {
    isolation: Prisma.TransactionIsolationLevel.ReadCommitted,
  });
}

async function registerCustomer(services: ServiceContext, index: number | string): Promise<Customer> {
  const { account, session } = await register(services, {
    email: `bench-customer-${index}@example.com`,
    password: CUSTOMER_PASSWORD,
    name: `Bench Customer ${index}`,
  });
  return { accountId: account.id, token: session.token };
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: ingest, baseline, charging, exact balances
// ---------------------------------------------------------------------------------------------------------

async function setUpAccounts(stack: BenchStack, api: Api, params: Params) {
  const { value: adminToken } = await timed('admin sign-in (ADMIN_EMAIL), API key', async () => {
    const login = await api.request<{ token: string }>('POST', '/v1/auth/login', { body: stack.admin });
    const key = await api.request<{ key: string }>('POST', '/v1/admin/api-keys', { auth: bearer(login.body.token), body: { name: 'usage benchmark' } });
    return { token: login.body.token, key: key.body.key };
  });
  const customers: Customer[] = new Array(params.accounts);
  // The registration route allows 30 a minute per address; the service itself has no such limit.
  await timed(`${params.accounts} customers (register service, argon2id each)`, () =>
    pool(Array.from({ length: params.accounts }, (_, i) => i), 2, async (i) => {
      customers[i] = await registerCustomer(stack.services, i);
    }),
  );
  const perAccount = params.workspaces / params.accounts;
  await timed(`${params.workspaces} workspaces (POST /v1/workspaces)`, () =>
    pool(Array.from({ length: params.workspaces }, (_, i) => i), params.clients, async (i) => {
      const customer = customers[Math.floor(i / perAccount)]!;
      await api.request('POST', '/v1/workspaces', {
        auth: bearer(customer.token),
        body: { workspaceId: workspaceId(i), site: SITE, name: `Bench workspace ${i}` },
      });
    }),
  );
  await timed(`${params.accounts} starting cash credits (postEntries)`, () =>
    pool(customers, 4, async (customer, i) => {
      await creditCash(stack.services, customer.accountId, startingCredit(i), `start-${i}`, new Date());
    }),
  );
  return { apiKey: adminToken.key, customers };
}

function baselineRows(data: UsageData, customers: Customer[]): BaselineRow[] {
  const receivedAt = new Date().toISOString();
  return data.records.map((record, n) => [
    record.id, record.workspaceId, record.site, record.item, record.unit, null, null, data.amountMinor[n]!.toString(), 'CNY',
    record.periodStart, record.periodEnd, receivedAt, customers[data.accountOf[n]!]!.accountId, 'pending', contentHash(record),
  ]);
}

interface IngestOutcome {
  wallMs: number;
  latenciesMs: number[];
}

async function ingest(api: Api, key: string, bodies: string[], batchSizes: number[], clients: number): Promise<IngestOutcome> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const index = next++;
        const sent = performance.now();
        const reply = await api.request<{ accepted: number; billable: number; duplicates: number }>('POST', '/v1/usage', {
          auth: apiKey(key),
          rawBody: bodies[index]!,
          expect: [202],
        });
        latenciesMs.push(performance.now() - sent);
        const size = batchSizes[index]!;
        if (reply.body.accepted !== size || reply.body.billable !== size) {
          throw new Error(`batch ${index}: accepted ${reply.body.accepted}, billable ${reply.body.billable}, expected ${size}`);
        }
      }
    }),
  );
  return { wallMs: performance.now() - started, latenciesMs };
}

async function pendingCount(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM usage_records WHERE status = 'pending'");
  return Number(rows[0]!.n);
}

async function waitUntilCharged(db: pg.Pool, timeoutS: number): Promise<{ ms: number; timedOut: boolean; pendingLeft: number }> {
  const started = performance.now();
  for (;;) {
    const pending = await pendingCount(db);
    const ms = performance.now() - started;
    if (pending === 0) return { ms, timedOut: false, pendingLeft: 0 };
    if (ms > timeoutS * 1000) return { ms, timedOut: true, pendingLeft: pending };
    await sleep(100);
  }
}

/** Every record charged once, every account's balance exactly its credit minus its records, and a healthy ledger. */
async function checkBalances(stack: BenchStack, db: pg.Pool, data: UsageData, customers: Customer[], params: Params): Promise<string[]> {
  const problems: string[] = [];
  const { rows: statuses } = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM usage_records GROUP BY status');
  const charged = Number(statuses.find((s) => s.status === 'charged')?.n ?? 0);
  if (charged !== params.records || statuses.length !== 1) {
    problems.push(`usage_records by status: ${statuses.map((s) => `${s.status}=${s.n}`).join(', ')}; expected charged=${params.records}`);
  }
  const { rows: unlinked } = await db.query<{ n: string }>("SELECT count(*) AS n FROM usage_records WHERE status = 'charged' AND entry_id IS NULL");
  if (unlinked[0]!.n !== '0') problems.push(`${unlinked[0]!.n} charged records without a journal entry`);
  const { rows: entries } = await db.query<{ n: string; total: string | null }>(
    `SELECT count(*) AS n, SUM(p.amount_minor)::bigint AS total FROM journal_entries e
     JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.ledger_account_id
     WHERE e.kind = 'usage_charge' AND a.key = 'system/usage-revenue/CNY'`,
  );
  const expectedRevenue = data.expectedCharged.reduce((a, b) => a + b, 0n);
  if (Number(entries[0]!.n) !== params.records) problems.push(`${entries[0]!.n} usage-charge entries, expected ${params.records}`);
  if (BigInt(entries[0]!.total ?? '0') !== -expectedRevenue) problems.push(`usage revenue credited ${entries[0]!.total}, expected ${-expectedRevenue}`);

  const ids = customers.map((c) => c.accountId);
  const { rows: totals } = await db.query<{ account_id: string; total: string }>(
    `SELECT account_id::text, (-SUM(net_minor))::bigint AS total FROM ledger_accounts WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`,
    [ids],
  );
  const { rows: running } = await db.query<{ account_id: string; balance_after_minor: string }>(
    `SELECT DISTINCT ON (account_id) account_id::text, balance_after_minor FROM journal_entries
     WHERE account_id = ANY($1::uuid[]) ORDER BY account_id, id DESC`,
    [ids],
  );
  const totalOf = new Map(totals.map((r) => [r.account_id, BigInt(r.total)]));
  const runningOf = new Map(running.map((r) => [r.account_id, BigInt(r.balance_after_minor)]));
  let wrong = 0;
  customers.forEach((customer, i) => {
    const expected = startingCredit(i) - data.expectedCharged[i]!;
    const total = totalOf.get(customer.accountId);
    const last = runningOf.get(customer.accountId);
    if (total !== expected || last !== expected) {
      if (wrong++ < 10) problems.push(`account ${i} (${customer.accountId}): balance ${total}, running ${last}, expected ${expected}`);
    }
  });
  if (wrong > 10) problems.push(`... ${wrong} accounts wrong in all`);
  const violations = await checkStoredLedger(stack.prisma);
  for (const v of violations.slice(0, 10)) problems.push(`ledger check: ${v.rule} ${v.subject}: ${v.detail}`);
  if (violations.length > 10) problems.push(`... ${violations.length} ledger violations in all`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: income-expenditure pages of an account with 1,000,000 postings
// ---------------------------------------------------------------------------------------------------------

interface Position {
  /** How many entries precede the page (0: the first page). */
  depth: number;
  cursor: string | undefined;
  /** The raw query's bound: entries with id below it. */
  before: bigint;
}

const STATEMENT_PATH = '/v1/statements/income-expenditure';
const RAW_PAGE = `SELECT id, business_key, kind, currency, balance_after_minor, details, occurred_at
  FROM journal_entries WHERE account_id = $1::uuid AND id < $2::bigint ORDER BY id DESC LIMIT $3`;

type PageReply = { items: Array<Record<string, unknown>>; nextCursor: string | null };

async function statementsPart(stack: BenchStack, api: Api, db: pg.Pool, params: Params) {
  const customer = await registerCustomer(stack.services, 'statements');
  const firstOccurredAt = new Date('2026-01-01T00:00:00.000Z');
  await creditCash(stack.services, customer.accountId, STATEMENT_START_BALANCE, 'statements-start', new Date(firstOccurredAt.getTime() - 1000));
  // Usage revenue's ledger account exists after part 1; make sure of it, in post-entries' shape, all the same.
  await db.query(
    `INSERT INTO ledger_accounts (key, currency, type, account_id, source, source_id, scope)
     VALUES ('system/usage-revenue/CNY', 'CNY', 'revenue', NULL, NULL, NULL, '{}') ON CONFLICT (key) DO NOTHING`,
  );
  const { rows: ledgerIds } = await db.query<{ id: string; key: string }>('SELECT id, key FROM ledger_accounts WHERE key = ANY($1::text[])', [
    [`customer/${customer.accountId}/cash`, 'system/usage-revenue/CNY'],
  ]);
  const cashLedgerId = ledgerIds.find((r) => r.key.startsWith('customer/'))!.id;
  const revenueLedgerId = ledgerIds.find((r) => r.key.startsWith('system/'))!.id;

  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  let build;
  try {
    build = await timed(`${formatInt(params.statementEntries)} entries, ${formatInt(params.statementEntries * 2)} postings (SQL)`, () =>
      buildStatementAccount(client, {
        accountId: customer.accountId,
        cashLedgerId,
        revenueLedgerId,
        entries: params.statementEntries,
        balanceBeforeMinor: STATEMENT_START_BALANCE,
        firstOccurredAt,
        recordPrefix: 'bench-statement-',
      }),
    );
  } finally {
    await client.end();
  }
  const { rows: counts } = await db.query<{ entries: string; postings: string; out_of_order: string }>(
    `SELECT count(DISTINCT e.id) AS entries, count(p.id) AS postings,
            (SELECT count(*) FROM (SELECT balance_after_minor AS b, lag(balance_after_minor) OVER (ORDER BY id) AS prev
                                   FROM journal_entries WHERE account_id = $1::uuid AND kind = 'usage_charge') t
             WHERE prev IS NOT NULL AND b >= prev) AS out_of_order
     FROM journal_entries e JOIN postings p ON p.entry_id = e.id WHERE e.account_id = $1::uuid`,
    [customer.accountId],
  );
  const buildProblems: string[] = [];
  if (counts[0]!.out_of_order !== '0') buildProblems.push(`${counts[0]!.out_of_order} synthetic entries out of id order`);
  const { value: violations } = await timed('ledger check over the whole ledger', () => checkStoredLedger(stack.prisma));
  for (const v of violations.slice(0, 10)) buildProblems.push(`ledger check after the bulk build: ${v.rule} ${v.subject}: ${v.detail}`);
  const { rows: balance } = await db.query<{ total: string }>(
    'SELECT (-SUM(net_minor))::bigint AS total FROM ledger_accounts WHERE account_id = $1::uuid',
    [customer.accountId],
  );
  if (BigInt(balance[0]!.total) !== STATEMENT_START_BALANCE - build.value.totalMinor) {
    buildProblems.push(`statement account balance ${balance[0]!.total}, expected ${STATEMENT_START_BALANCE - build.value.totalMinor}`);
  }

  // Every entry of the account, newest first: the pages' boundaries.
  const { rows: entryRows } = await db.query<{ id: string; occurred_at: Date }>(
    'SELECT id, occurred_at FROM journal_entries WHERE account_id = $1::uuid ORDER BY id DESC',
    [customer.accountId],
  );
  const ids = entryRows.map((r) => BigInt(r.id));
  const positionAt = (depth: number, cursor: string | undefined): Position => ({
    depth,
    cursor,
    before: depth === 0 ? ids[0]! + 1n : ids[depth - 1]!,
  });
  /** The cursor api/pagination.ts would give after the entry at depth-1, if the route keys pages by (occurred_at, id). */
  const craftedCursor = (depth: number) => encodeCursor({ at: entryRows[depth - 1]!.occurred_at, id: String(ids[depth - 1]!) });
  const query = (cursor: string | undefined) =>
    `${STATEMENT_PATH}?limit=${params.pageSize}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;

  const rawPage = async (position: Position) => {
    const result = await db.query(RAW_PAGE, [customer.accountId, position.before.toString(), params.pageSize]);
    return result.rows as { id: string }[];
  };
  // The raw SELECT's own answers must be the pages they stand for.
  for (const depth of [0, 50, Math.floor(ids.length / 2), ids.length - params.pageSize]) {
    const rows = await rawPage(positionAt(depth, undefined));
    if (rows.length !== params.pageSize || BigInt(rows[0]!.id) !== ids[depth]) buildProblems.push(`raw page at depth ${depth} is not the expected page`);
  }

  const probe = await api.request<PageReply>('GET', query(undefined), { auth: bearer(customer.token), expect: [200, 404] });
  const routeExists = probe.status === 200;
  const samples = params.statementSamples;
  const positions: Position[] = [];
  let cursorSource = 'none';
  if (routeExists) {
    // Pages the route itself hands out: the first and the following ones, cursor by cursor.
    let cursor: string | undefined;
    const walked: Position[] = [];
    for (let page = 0; page < samples / 2; page++) {
      walked.push(positionAt(page * params.pageSize, cursor));
      const reply = await api.request<PageReply>('GET', query(cursor), { auth: bearer(customer.token) });
      if (reply.body.items.length !== params.pageSize || !reply.body.nextCursor) throw new Error(`page ${page} of the statement is short`);
      cursor = reply.body.nextCursor;
    }
    positions.push(...walked);
    // Deep pages: if the route's cursor is api/pagination.ts's (occurred_at, id), craft cursors anywhere in the list.
    const canCraft = walked[1]?.cursor === craftedCursor(params.pageSize);
    cursorSource = canCraft ? 'walked and crafted (api/pagination.ts cursor format)' : 'walked only (cursor format not recognised)';
    const deepCount = samples - walked.length;
    for (let i = 0; i < deepCount; i++) {
      if (canCraft) {
        const depth = Math.max(1, Math.round(((i + 1) / deepCount) * (ids.length - params.pageSize)));
        positions.push(positionAt(depth, craftedCursor(depth)));
      } else {
        positions.push(walked[i % walked.length]!);
      }
    }
  } else {
    // The route is not there yet: measure the raw side at the same depths, so the figures are ready to compare.
    for (let i = 0; i < samples; i++) {
      const depth = i < samples / 2 ? i * params.pageSize : Math.max(1, Math.round(((i - samples / 2 + 1) / (samples / 2)) * (ids.length - params.pageSize)));
      positions.push(positionAt(depth, undefined));
    }
  }

  // Warm up both paths, then measure them alternately, request by request, one at a time, taking turns at going first.
  for (const position of positions.slice(0, 20)) {
    if (routeExists) await api.request('GET', query(position.cursor), { auth: bearer(customer.token) });
    await rawPage(position);
  }
  const apiMs: number[] = [];
  const rawMs: number[] = [];
  let mismatches = 0;
  const viaApi = async (position: Position) => {
    const started = performance.now();
    const reply = await api.request<PageReply>('GET', query(position.cursor), { auth: bearer(customer.token) });
    apiMs.push(performance.now() - started);
    if (reply.body.items.length !== params.pageSize) mismatches++;
  };
  const viaRaw = async (position: Position) => {
    const started = performance.now();
    const rows = await rawPage(position);
    rawMs.push(performance.now() - started);
    if (rows.length !== params.pageSize || BigInt(rows[0]!.id) !== ids[position.depth]) mismatches++;
  };
  for (const [index, position] of positions.entries()) {
    // Whoever reads a deep page first may read it from disk, and the other then finds it cached: take turns.
    if (!routeExists) await viaRaw(position);
    else if (index % 2 === 0) await viaApi(position).then(() => viaRaw(position));
    else await viaRaw(position).then(() => viaApi(position));
  }
  if (mismatches > 0) buildProblems.push(`${mismatches} pages had the wrong rows or size`);

  const raw = { p50Ms: round(percentile(rawMs, 50), 3), p99Ms: round(percentile(rawMs, 99), 3) };
  const route = routeExists ? { p50Ms: round(percentile(apiMs, 50), 3), p99Ms: round(percentile(apiMs, 99), 3) } : null;
  return {
    ran: routeExists,
    note: routeExists ? null : `${STATEMENT_PATH} answered ${probe.status}: the route does not exist yet, so only the raw side was measured`,
    accountId: customer.accountId,
    entries: ids.length,
    postings: Number(counts[0]!.postings),
    buildS: seconds(build.ms),
    samples: positions.length,
    depths: { min: Math.min(...positions.map((p) => p.depth)), max: Math.max(...positions.map((p) => p.depth)) },
    cursors: cursorSource,
    route,
    raw,
    ratio: route ? { p50: round(route.p50Ms / raw.p50Ms, 2), p99: round(route.p99Ms / raw.p99Ms, 2) } : null,
    problems: buildProblems,
  };
}

// ---------------------------------------------------------------------------------------------------------

export async function runUsageBenchmark(args: string[]): Promise<number> {
  const quick = args.includes('--quick');
  const params: Params = quick ? QUICK : FULL;
  const ranAt = new Date();
  const machine = announce('usage', quick, `${formatInt(params.records)} records, ${formatInt(params.workspaces)} workspaces, ${params.accounts} accounts, batches of ${params.batchSize}, ${params.clients} clients`);

  return onStack(async ({ stack, api, db }) => {
    const problems: string[] = [];
    let exitCode = 0;

    log();
    log('setup');
    const { apiKey: key, customers } = await setUpAccounts(stack, api, params);
    const data = generateUsage(params);
    const recordBatches = batches(data.records, params.batchSize);
    const bodies = recordBatches.map((batch) => JSON.stringify({ records: batch }));
    const rows = baselineRows(data, customers);

    log();
    log('measure');
    // The baseline runs before the ingest and again after everything is charged; the faster run counts, so a
    // disturbance from outside this benchmark cannot flatter the ratio.
    const runBaseline = async (when: string) => {
      await db.query('CHECKPOINT');
      const run = await timed(`baseline ${when}: multi-row INSERT of ${params.batchSize}, ${params.clients} connections (pg)`, () =>
        insertBaseline(stack.databaseUrl, rows, { batchSize: params.batchSize, connections: params.clients }),
      );
      await db.query(`DROP TABLE ${BASELINE_TABLE}`);
      await db.query('CHECKPOINT');
      return run.value;
    };
    const baselineRuns = [await runBaseline('(before ingest)')];
    const loadBeforeIngest = os.loadavg().map((v) => round(v, 2));
    const ingested = await timed(`ingest: POST /v1/usage, batches of ${params.batchSize}, ${params.clients} clients`, () =>
      ingest(api, key, bodies, recordBatches.map((b) => b.length), params.clients),
    );
    const pendingAtIngestEnd = await pendingCount(db);
    const charging = await timed('charging: until no record is pending', () => waitUntilCharged(db, params.chargeTimeoutS));
    const chargedAfterS = seconds(charging.value.ms);
    baselineRuns.push(await runBaseline('(after charging)'));
    const baseline = { value: baselineRuns.reduce((best, run) => (run.wallMs < best.wallMs ? run : best)) };

    log();
    log('check');
    const { value: balanceProblems } = await timed('balances exact, every record charged once, ledger check', () =>
      charging.value.timedOut
        ? Promise.resolve([`${charging.value.pendingLeft} records still pending after ${params.chargeTimeoutS} s`])
        : checkBalances(stack, db, data, customers, params),
    );
    problems.push(...balanceProblems);
    // Each charging transaction stamps its entries with one time: how many there were, and how big.
    const { rows: chargeRuns } = await db.query<{ runs: string }>(
      "SELECT count(DISTINCT (account_id, occurred_at)) AS runs FROM journal_entries WHERE kind = 'usage_charge'",
    );
    const chargeTransactions = Number(chargeRuns[0]!.runs);

    log();
    log('statements');
    const statements = await statementsPart(stack, api, db, params);
    problems.push(...statements.problems);

    const ingestRate = params.records / (ingested.value.wallMs / 1000);
    const baselineRate = params.records / (baseline.value.wallMs / 1000);
    const ratio = ingestRate / baselineRate;
    const latencies = ingested.value.latenciesMs;
    const targets = [
      { name: 'ingest rate ≥ 15% of the raw INSERT baseline', target: `>= ${TARGETS.ingestShareOfBaseline}`, value: round(ratio, 3), met: ratio >= TARGETS.ingestShareOfBaseline },
      {
        name: 'fully charged within 60 s after ingest ends',
        target: `<= ${TARGETS.chargedWithinS} s`,
        value: charging.value.timedOut ? null : chargedAfterS,
        met: !charging.value.timedOut && chargedAfterS <= TARGETS.chargedWithinS,
      },
      {
        name: 'income-expenditure page p50 within 3x the raw SELECT',
        target: `<= ${TARGETS.statementRatio}`,
        value: statements.ratio?.p50 ?? null,
        met: statements.ratio ? statements.ratio.p50 <= TARGETS.statementRatio : null,
      },
      {
        name: 'income-expenditure page p99 within 3x the raw SELECT',
        target: `<= ${TARGETS.statementRatio}`,
        value: statements.ratio?.p99 ?? null,
        met: statements.ratio ? statements.ratio.p99 <= TARGETS.statementRatio : null,
      },
    ];
    const checksOk = problems.length === 0;
    if (!checksOk) exitCode = 1;

    const result = {
      benchmark: 'usage',
      command: 'npm run bench -- usage',
      ranAt: ranAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAverageBeforeIngest: loadBeforeIngest, loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)) },
      topology: stack.topology,
      parameters: {
        ...params,
        amounts: '0.01-20.00 CNY per record, seeded',
        startingCredit: 'every 4th account 5,000.00 CNY (ends in arrears), the others 20,000.00 CNY',
        logLevel: stack.config.logLevel,
        nodeEnv: stack.config.env,
      },
      ingest: {
        records: params.records,
        requests: bodies.length,
        wallS: seconds(ingested.value.wallMs),
        recordsPerS: Math.round(ingestRate),
        requestLatencyMs: { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1), max: round(Math.max(...latencies), 1) },
      },
      baseline: {
        what: `multi-row INSERT of ${params.batchSize} rows into a copy of usage_records' columns with only a primary key, ${params.clients} pg connections`,
        rows: params.records,
        runs: baselineRuns.map((run) => ({ wallS: seconds(run.wallMs), rowsPerS: Math.round(params.records / (run.wallMs / 1000)) })),
        counted: 'the faster run',
        wallS: seconds(baseline.value.wallMs),
        rowsPerS: Math.round(baselineRate),
      },
      ingestToBaselineRatio: round(ratio, 3),
      charging: {
        pendingAtIngestEnd,
        secondsAfterIngestEnd: charging.value.timedOut ? null : chargedAfterS,
        timedOut: charging.value.timedOut,
        chargeTransactions,
        recordsPerChargeTransaction: chargeTransactions ? round(params.records / chargeTransactions, 1) : null,
      },
      checks: {
        ok: checksOk,
        what: 'every record charged once; each account balance = starting credit - its records (bigint); running balance agrees; usage revenue = all records; checkStoredLedger empty',
        problems,
      },
      statements: {
        ran: statements.ran,
        note: statements.note,
        entries: statements.entries,
        postings: statements.postings,
        buildS: statements.buildS,
        pageSize: params.pageSize,
        samples: statements.samples,
        depths: statements.depths,
        cursors: statements.cursors,
        route: statements.route,
        rawIndexedSelect: statements.raw,
        ratio: statements.ratio,
      },
      targets,
    };

    log();
    log('results');
    log(`  ingest            ${formatInt(ingestRate)} records/s (${seconds(ingested.value.wallMs)} s for ${formatInt(params.records)}; request p50 ${result.ingest.requestLatencyMs.p50} ms, p99 ${result.ingest.requestLatencyMs.p99} ms)`);
    log(`  raw baseline      ${formatInt(baselineRate)} rows/s (${seconds(baseline.value.wallMs)} s; runs: ${result.baseline.runs.map((r) => `${formatInt(r.rowsPerS)}/s`).join(', ')}; the faster counts)`);
    log(`  ratio             ${round(ratio, 3)} (target >= ${TARGETS.ingestShareOfBaseline})`);
    log(`  fully charged     ${charging.value.timedOut ? `NOT within ${params.chargeTimeoutS} s` : `${chargedAfterS} s after ingest ended`} (${formatInt(pendingAtIngestEnd)} pending at ingest end; target <= ${TARGETS.chargedWithinS} s)`);
    log(`                    ${formatInt(chargeTransactions)} charging transactions, ${result.charging.recordsPerChargeTransaction} records each on average`);
    log(`  balances          ${checksOk ? `exact for all ${params.accounts} accounts (total charged ${formatMinor(data.expectedCharged.reduce((a, b) => a + b, 0n))} CNY), ledger check clean` : 'WRONG:'}`);
    for (const problem of problems) log(`    - ${problem}`);
    if (statements.route) {
      log(`  statement page    p50 ${statements.route.p50Ms} ms, p99 ${statements.route.p99Ms} ms (${statements.samples} requests, depth ${statements.depths.min}-${statements.depths.max})`);
    } else {
      log(`  statement page    not run: ${statements.note}`);
    }
    log(`  raw SELECT        p50 ${statements.raw.p50Ms} ms, p99 ${statements.raw.p99Ms} ms`);
    if (statements.ratio) log(`  page ratio        p50 ${statements.ratio.p50}x, p99 ${statements.ratio.p99}x (target <= ${TARGETS.statementRatio}x)`);
    log();
    log('targets');
    for (const t of targets) log(`  ${t.met === null ? 'NOT RUN' : t.met ? 'met    ' : 'MISSED '} ${t.name}: ${t.value ?? '-'}`);

    if (!quick) await writeResults('usage', result);
    if (!checksOk) log('\nFAILED: the balances or the ledger are not exact (see above).');
    return exitCode;
  });
}
