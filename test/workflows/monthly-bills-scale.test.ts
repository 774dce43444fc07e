import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthAt } from '../../src/domain/billing/period.js';
import { PAGES_PER_RUN } from '../../workflows/monthly-bills.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { runMonthlyBills, seedAccounts } from '../support/bills.js';
import { recordHistory } from '../support/histories.js';
import { creditCash } from '../support/ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.startWorker();
});
afterAll(async () => {
  await t.close();
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const ZONES = ['Asia/Shanghai', 'America/Los_Angeles', 'Europe/Berlin', 'Pacific/Kiritimati'];
/** Per run, whatever the number of accounts: ten pages of six events each, and a few more. Temporal allows 51,200. */
const HISTORY_BOUND = 100;

describe('a monthly run over 10,000 accounts', () => {
  it('issues 10,000 bills, one each, and keeps every run of its chain a small history', { timeout: 300_000 }, async () => {
    const ids = await seedAccounts(t, 10_000, ZONES);
    // Some with money, so that their bills are read from the ledger and not all zero.
    for (const id of ids.slice(0, 50)) await creditCash(t.services, id, '12.34');
    // The last of the four zones to close its month: Los Angeles.
    const asOf = new Date(Math.max(...ZONES.map((zone) => monthAt(t.clock.now(), zone).end.getTime())) + 60_000);

    const { handle, totals } = await runMonthlyBills(t, asOf);
    expect(totals).toEqual({ accounts: 10_000, bills: 10_000, statements: 0, runs: Math.ceil(10_000 / 500 / PAGES_PER_RUN) });
    expect(await t.db.prisma.bill.count({ where: { kind: 'account' } })).toBe(10_000);
    const perAccount = await t.db.prisma.bill.groupBy({ by: ['subjectId'], _count: true });
    expect(perAccount.filter((row) => row._count !== 1)).toEqual([]);
    const credited = await t.db.prisma.bill.findMany({ where: { subjectId: { in: ids.slice(0, 50) } }, select: { closingMinor: true } });
    expect(credited.map((bill) => bill.closingMinor)).toEqual(Array(50).fill(1234n));

    // Every run of the chain, first to last, followed through its continue-as-new events.
    let runId: string | undefined = handle.firstExecutionRunId;
    const lengths: number[] = [];
    while (runId) {
      const run: WorkflowHandle = t.temporal.client.workflow.getHandle(handle.workflowId, runId);
      const events: HistoryEvent[] = (await run.fetchHistory()).events ?? [];
      lengths.push(events.length);
      if (lengths.length === 1) await recordHistory(run, 'monthly-bills-continued');
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    expect(lengths).toHaveLength(totals.runs);
    expect(Math.max(...lengths)).toBeLessThan(HISTORY_BOUND);
  });
});
