import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/generated/client.js';
import { checkStoredLedger } from '../../src/services/ledger/ledger-check.js';
import { sourceChangesQuery } from '../../src/services/statements/entry-changes.js';
import { consumptionPageQuery } from '../../src/services/statements/consumption.js';
import { encodeSerialCursor } from '../../api/statements/cursors.js';
import { entryPageQuery } from '../../src/services/statements/income-expenditure.js';
import { bearer, createTestApp, type TestApp } from '../support/app.js';

/**
 * The income-expenditure statement of a long history costs a page, not the history: a page is one backward
 * range scan of journal_entries(account_id, id) that stops after the page, plus one index lookup of the page's
 * postings. The first account's entries are all older than the second's: the shape in which a plan that walks
 * the primary key and filters by account would read the whole newer history first. bench/usage.ts measures
 * the page at 1,000,000 postings.
 */

const PER_ACCOUNT = 40_000;
const AMOUNT = 100n; // each synthetic entry: a 1.00 usage charge paid from cash

let t: TestApp;
let accounts: { token: string; accountId: string }[];
beforeAll(async () => {
  t = await createTestApp();
  accounts = [await t.customer(), await t.customer()];
  await buildHistory(accounts.map((a) => a.accountId));
});
afterAll(async () => {
  await t.close();
});

/** PER_ACCOUNT usage charges per account, account after account, written set-based in post-entries' shape. */
async function buildHistory(accountIds: string[]): Promise<void> {
  const prisma = t.db.prisma;
  const n = accountIds.length;
  await prisma.$executeRaw`
    INSERT INTO ledger_accounts (key, currency, type, account_id, source, net_minor)
    SELECT 'customer/' || a || '/cash', 'CNY', 'liability', a::uuid, 'cash', ${AMOUNT * BigInt(PER_ACCOUNT)}::bigint
    FROM unnest(${accountIds}::text[]) AS a`;
  await prisma.$executeRaw`
    INSERT INTO ledger_accounts (key, currency, type, net_minor)
    VALUES ('system/usage-revenue/CNY', 'CNY', 'revenue', ${-AMOUNT * BigInt(PER_ACCOUNT * n)}::bigint)`;
  // Entry g belongs to account g / PER_ACCOUNT and is its (g % PER_ACCOUNT + 1)-th: its balance after is minus that × 1.00.
  await prisma.$executeRaw`
    INSERT INTO journal_entries (business_key, kind, currency, account_id, balance_after_minor, details, account_changes, occurred_at)
    SELECT 'usage/scale-' || g, 'usage_charge', 'CNY', (${accountIds}::uuid[])[1 + g / ${PER_ACCOUNT}::int],
           -(g % ${PER_ACCOUNT}::int + 1) * ${AMOUNT}::bigint, jsonb_build_object('usageRecordId', 'scale-' || g, 'item', 'logs'),
           json_build_array(json_build_array('cash', NULL, 'CNY', ${AMOUNT}::bigint::text)),
           TIMESTAMPTZ '2026-01-01T00:00:00Z' + g * interval '1 second'
    FROM generate_series(0, ${PER_ACCOUNT * n - 1}::int) AS g ORDER BY g`;
  await prisma.$executeRaw`
    INSERT INTO postings (entry_id, ledger_account_id, amount_minor)
    SELECT e.id, x.ledger_account_id, x.amount_minor
    FROM journal_entries e
    JOIN ledger_accounts cash ON cash.account_id = e.account_id AND cash.source = 'cash'
    CROSS JOIN LATERAL (VALUES (1, cash.id, ${AMOUNT}::bigint),
                               (2, (SELECT id FROM ledger_accounts WHERE key = 'system/usage-revenue/CNY'), ${-AMOUNT}::bigint))
      AS x(n, ledger_account_id, amount_minor)
    ORDER BY e.id, x.n`;
  await prisma.$executeRawUnsafe('ANALYZE journal_entries');
  await prisma.$executeRawUnsafe('ANALYZE postings');
  await prisma.$executeRawUnsafe('ANALYZE ledger_accounts');
  expect(await checkStoredLedger(prisma)).toEqual([]);
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

async function plan(query: Prisma.Sql): Promise<PlanNode[]> {
  const [row] = await t.db.prisma.$queryRaw<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`;
  const nodes: PlanNode[] = [];
  const visit = (node: PlanNode) => {
    nodes.push(node);
    node.Plans?.forEach(visit);
  };
  visit(row!['QUERY PLAN'][0].Plan);
  return nodes;
}

async function entryIdAt(accountId: string, depth: number): Promise<bigint> {
  const [row] = await t.db.prisma.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM journal_entries WHERE account_id = ${accountId}::uuid ORDER BY id DESC OFFSET ${depth} LIMIT 1`;
  return row!.id;
}

describe('income-expenditure over a long history', () => {
  it('reads a page of an old history with one backward scan of (account_id, id) that reads the page only', async () => {
    for (const [{ accountId }, depth] of [[accounts[0]!, 0], [accounts[0]!, PER_ACCOUNT / 2], [accounts[1]!, PER_ACCOUNT / 2]] as const) {
      const after = depth === 0 ? undefined : await entryIdAt(accountId, depth);
      const nodes = await plan(entryPageQuery(accountId, after === undefined ? {} : { after }, 50));
      const scans = nodes.filter((node) => node['Relation Name'] === 'journal_entries');
      expect(scans).toHaveLength(1);
      expect(scans[0]).toMatchObject({ 'Node Type': 'Index Scan', 'Index Name': 'journal_entries_account_id_id_idx', 'Scan Direction': 'Backward' });
      expect(scans[0]!['Actual Rows']! + (scans[0]!['Rows Removed by Filter'] ?? 0)).toBe(51);
      expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
    }
  });

  it('reads a deep consumption page from the cursor on, through usage_records(account_id, period_start)', async () => {
    const [a] = accounts;
    // Four records per hourly period, so that ties on the period start are broken by id across page boundaries.
    await t.db.prisma.$executeRaw`
      INSERT INTO usage_records (id, workspace_id, site, item, unit, amount_minor, currency, period_start, period_end,
                                 received_at, account_id, status, content_hash, charged_at)
      SELECT 'scale-rec-' || lpad(g::text, 6, '0'), 'ws-scale', 'cn1', 'logs', 'GB', 0, 'CNY',
             TIMESTAMPTZ '2026-01-01T00:00:00Z' + (g / 4) * interval '1 hour',
             TIMESTAMPTZ '2026-01-01T01:00:00Z' + (g / 4) * interval '1 hour',
             now(), ${a!.accountId}::uuid, 'charged', repeat('0', 64), now()
      FROM generate_series(0, 39999) AS g`;
    await t.db.prisma.$executeRawUnsafe('ANALYZE usage_records');
    const after = { periodStart: new Date(Date.UTC(2026, 0, 1) + 5000 * 3_600_000), id: 'scale-rec-020002' };
    const nodes = await plan(consumptionPageQuery(a!.accountId, { after }, 50));
    const scans = nodes.filter((node) => node['Relation Name'] === 'usage_records');
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ 'Index Name': 'usage_records_account_id_period_start_idx', 'Scan Direction': 'Backward' });
    // The page (50), the tie group it ends in, and the rest of the cursor's own period: never the 20,000 before it.
    expect(scans[0]!['Actual Rows']! + (scans[0]!['Rows Removed by Filter'] ?? 0)).toBeLessThan(60);

    const cursor = Buffer.from(JSON.stringify([after.periodStart.toISOString(), after.id])).toString('base64url');
    const reply = await t.app.inject({ method: 'GET', url: `/v1/statements/consumption?limit=50&cursor=${cursor}`, headers: bearer(a!.token) });
    const ids = (reply.json() as { items: { id: string }[] }).items.map((i) => i.id);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `scale-rec-${String(20_001 - i).padStart(6, '0')}`));
  });

  it("reads a page's changes per balance source from the entries themselves, without reading a posting", async () => {
    const [a] = accounts;
    const after = await entryIdAt(a!.accountId, PER_ACCOUNT / 2);
    const nodes = await plan(entryPageQuery(a!.accountId, { after }, 50));
    expect(nodes.filter((node) => node['Relation Name'] === 'postings' || node['Index Name']?.startsWith('postings_'))).toEqual([]);
    const cursor = encodeSerialCursor({ id: after, at: new Date() });
    const reply = await t.app.inject({ method: 'GET', url: `/v1/statements/income-expenditure?limit=50&cursor=${cursor}`, headers: bearer(a!.token) });
    const items = (reply.json() as { items: { id: string; amount: { amount: string }; sources: { source: string; amount: { amount: string } }[] }[] }).items;
    expect(items.map((item) => BigInt(item.id))[0]).toBe(await entryIdAt(a!.accountId, PER_ACCOUNT / 2 + 1));
    expect(items).toHaveLength(50);
    // Each usage charge of 1.00 was drawn from cash: the one change the statement shows for it.
    for (const item of items) expect(item.sources).toEqual([{ source: 'cash', sourceId: null, amount: { amount: '-1.00', currency: 'CNY' } }]);
  });

  it("finds a consumption page's postings through postings(entry_id), without reading the rest of the ledger", async () => {
    const [a] = accounts;
    const ids = await t.db.prisma.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM journal_entries WHERE account_id = ${a!.accountId}::uuid ORDER BY id DESC OFFSET 20000 LIMIT 50`;
    const nodes = await plan(sourceChangesQuery(a!.accountId, ids.map((row) => row.id)));
    const postingScans = nodes.filter((node) => node['Relation Name'] === 'postings' || node['Index Name']?.startsWith('postings_'));
    expect(postingScans.length).toBeGreaterThan(0);
    expect(postingScans.every((node) => node['Node Type'] !== 'Seq Scan')).toBe(true);
    expect(postingScans.some((node) => node['Index Name'] === 'postings_entry_id_idx')).toBe(true);
  });

  it('serves the first and a deep page with the right entries, amounts and running balances', async () => {
    const [a, b] = accounts;
    const first = await t.app.inject({ method: 'GET', url: '/v1/statements/income-expenditure?limit=50', headers: bearer(a!.token) });
    expect(first.statusCode).toBe(200);
    const body = first.json() as { items: { id: string; amount: { amount: string }; balanceAfter: { amount: string } }[]; nextCursor: string };
    expect(body.items).toHaveLength(50);
    expect(body.items[0]).toMatchObject({ amount: { amount: '-1.00' }, balanceAfter: { amount: `-${PER_ACCOUNT}.00` } });
    expect(body.items[49]).toMatchObject({ balanceAfter: { amount: `-${PER_ACCOUNT - 49}.00` } });

    // A cursor after the entry at depth 30,000, in the API's cursor format.
    const deep = await entryIdAt(a!.accountId, 29_999);
    const cursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', deep.toString()])).toString('base64url');
    const page = await t.app.inject({ method: 'GET', url: `/v1/statements/income-expenditure?limit=50&cursor=${cursor}`, headers: bearer(a!.token) });
    const items = (page.json() as typeof body).items;
    expect(items.map((i) => i.balanceAfter.amount)).toEqual(Array.from({ length: 50 }, (_, i) => `-${PER_ACCOUNT - 30_000 - i}.00`));
    expect(items.every((i) => i.amount.amount === '-1.00')).toBe(true);

    // The other account's entries sit between these in id order and never show.
    const shown = [...body.items, ...items].map((i) => BigInt(i.id));
    const owners = await t.db.prisma.journalEntry.groupBy({ by: ['accountId'], where: { id: { in: shown } } });
    expect(owners.map((o) => o.accountId)).toEqual([a!.accountId]);
    expect(b).toBeDefined();
  });
});
