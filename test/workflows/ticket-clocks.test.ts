import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../../src/temporal/worker.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { recordHistory } from '../support/histories.js';
import { DAY, eventually, HOUR, quiescent, recordedChanges, ticketApi } from '../support/tickets.js';

/**
 * A ticket's clocks on the time-skipping server: days pass in seconds. Each clock's firing time is read from the
 * workflow's own history (the time at which it decided the change).
 */

const LEAD = 'support-lead@example.com';
let t: TestApp;
let api: ReturnType<typeof ticketApi>;
let support: { token: string; userId: string };
let worker: WorkerHandle;
beforeAll(async () => {
  t = await createTestApp({ ticketEscalationEmails: [LEAD] });
  worker = await t.startWorker();
  api = ticketApi(t);
});
// Each test starts at the server's time, with people signed in then. Within a test the service's clock stays
// put while the server skips days, so their sign-ins stay valid; tickets only use the workflow's time.
beforeEach(async () => {
  await t.followServerClock();
  support = await t.staff(['support']);
});
afterAll(async () => {
  await t.close();
});

const effectTimes = async (no: string, kind: string) =>
  (await recordedChanges(t, no)).filter((change) => change.effects.some((effect) => effect.kind === kind)).map((change) => change.at);

describe('a worker restart in the middle of a ticket', () => {
  it('loses nothing: the clocks fire on a new worker, which rebuilds the ticket from its history', async () => {
    // First in this file, so the worker it stops has no other ticket in its cache.
    // A worker without a cache runs this ticket, so no task of it waits on that worker's sticky queue once it is
    // gone (the test server never hands such a task on, and would hold its clock).
    await worker.shutdown();
    const first = await t.startWorker({ maxCachedWorkflows: 0 });
    const c = await t.customer();
    const { no } = await api.open(c.token);
    await api.staff(support.token, no, 'messages', { body: 'Which month?', waitForCustomer: true });
    await quiescent(t, no);
    await first.shutdown();

    // A new worker that never saw the ticket; then two days pass.
    worker = await t.startWorker();
    await t.temporal.skip(2 * DAY + HOUR);
    await eventually(() => api.emails(`ticket-reminder/${no}/`), (emails) => expect(emails).toHaveLength(1));
    const answered = await api.customer(c.token, no, 'messages', { body: 'October.' });
    expect(answered.statusCode).toBe(200);
    expect(answered.json().status).toBe('open');
    expect((await api.row(no)).assigneeId).toBe(support.userId);
  });
});

describe('the first-response SLA', () => {
  it('breaches an urgent ticket after 1 hour: one escalation to the leads, the flag in the queue, never again', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token, { priority: 'urgent' });
    const created = (await api.row(no)).createdAt.getTime();
    await t.temporal.skip(HOUR + 60_000);
    await eventually(() => api.row(no), (row) => expect(row.slaBreached).toBe(true));

    const queue = (await api.call(support.token, 'GET', '/v1/support/tickets?slaBreached=true&priority=urgent')).json();
    expect(queue.items.map((item: { no: string }) => item.no)).toContain(no);
    const escalations = await api.emails(`ticket-sla-breach/${no}/`);
    expect(escalations.map((e) => e.toAddress)).toEqual([LEAD]);
    expect(escalations[0]?.sentAt).toBeInstanceOf(Date);
    expect(Math.abs((await effectTimes(no, 'escalation_to_leads'))[0]! - (created + HOUR))).toBeLessThan(2000);

    // A day later, and after the first answer, still exactly one escalation; the flag stays.
    await t.temporal.skip(DAY);
    const answered = await api.staff(support.token, no, 'messages', { body: 'Sorry for the wait.' });
    expect(answered.json()).toMatchObject({ slaBreached: true, firstResponseAt: expect.any(String), slaDueAt: null });
    expect(await api.emails(`ticket-sla-breach/${no}/`)).toHaveLength(1);
    expect(await effectTimes(no, 'escalation_to_leads')).toHaveLength(1);
    await quiescent(t, no);
    await recordHistory(t.temporal.client.workflow.getHandle(`ticket/${no}`), 'ticket-sla-breach');
  });

  it('stops at the first staff reply', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token, { priority: 'urgent' });
    await api.staff(support.token, no, 'messages', { body: 'Which workspace?', waitForCustomer: true });
    // Its whole life (reminders, auto-resolve, auto-close: 11 days) passes; an SLA still running would breach in the first hour.
    await expect(t.temporal.workflow.result(`ticket/${no}`)).resolves.toBe('closed');
    expect(await effectTimes(no, 'escalation_to_leads')).toEqual([]);
    expect(await api.emails(`ticket-sla-breach/${no}/`)).toEqual([]);
    expect((await api.row(no)).slaBreached).toBe(false);
  });

  it('pauses while awaiting the customer and resumes with what was left', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token, { priority: 'high' }); // 4 h
    await api.staff(support.token, no, 'assign', {});
    await t.temporal.skip(3 * HOUR);
    expect((await api.staff(support.token, no, 'status', { status: 'awaiting_customer' })).json()).toMatchObject({ slaDueAt: null });
    await t.temporal.skip(DAY); // paused: no breach, however long the wait
    expect((await api.row(no)).slaBreached).toBe(false);

    const reopened = await api.customer(c.token, no, 'messages', { body: 'Here is the screenshot.' });
    expect(reopened.json().status).toBe('open');
    const changes = await recordedChanges(t, no);
    const replyAt = changes.at(-1)!.at;
    const dueAt = (await api.row(no)).slaDueAt!.getTime();
    expect(Math.abs(dueAt - (replyAt + HOUR))).toBeLessThan(2000); // 1 h was left of 4

    await t.temporal.skip(HOUR + 60_000);
    await eventually(() => api.row(no), (row) => expect(row.slaBreached).toBe(true));
    expect(Math.abs((await effectTimes(no, 'escalation_to_leads'))[0]! - dueAt)).toBeLessThan(2000);
    expect(await api.emails(`ticket-sla-breach/${no}/`)).toHaveLength(1);
  });
});

describe('waiting for the customer', () => {
  it('reminds after 2 and 4 days, resolves after 7 and closes 4 days later', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);
    await api.staff(support.token, no, 'messages', { body: 'Which month?', waitForCustomer: true });
    await expect(t.temporal.workflow.result(`ticket/${no}`)).resolves.toBe('closed');

    const changes = await recordedChanges(t, no);
    const waitStart = changes[0]!.state.awaitingSince!;
    const after = (kind: string) => changes.filter((c) => c.effects.some((e) => e.kind === kind)).map((c) => Math.round((c.at - waitStart) / HOUR));
    expect(after('reminder_to_customer')).toEqual([48, 96]);
    expect(after('resolved_to_customer')).toEqual([168]);
    expect(changes.at(-1)).toMatchObject({ state: { status: 'closed' } });
    expect(Math.round((changes.at(-1)!.at - waitStart) / HOUR)).toBe(168 + 96);

    const reminders = await api.emails(`ticket-reminder/${no}/`);
    expect(reminders.map((e) => e.toAddress)).toEqual([c.email, c.email]);
    expect(await api.emails(`ticket-resolved/${no}/`)).toHaveLength(1);
    expect(await api.row(no)).toMatchObject({ status: 'closed', resolvedAt: expect.any(Date), closedAt: expect.any(Date) });
    await recordHistory(t.temporal.client.workflow.getHandle(`ticket/${no}`), 'ticket-clocks');
  });

  it('starts the reminders over after a customer reply, and auto-resolves only 7 days into the new wait', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);
    await api.staff(support.token, no, 'messages', { body: 'Which month?', waitForCustomer: true });
    await t.temporal.skip(2 * DAY + HOUR);
    await eventually(() => api.emails(`ticket-reminder/${no}/`), (emails) => expect(emails).toHaveLength(1));
    await api.customer(c.token, no, 'messages', { body: 'October, I think.' });
    await api.staff(support.token, no, 'messages', { body: 'And the workspace?', waitForCustomer: true });
    await expect(t.temporal.workflow.result(`ticket/${no}`)).resolves.toBe('closed');

    const changes = await recordedChanges(t, no);
    const waits = [...new Set(changes.map((c) => c.state.awaitingSince).filter((at): at is number => at !== null))];
    expect(waits).toHaveLength(2);
    const [first, second] = waits as [number, number];
    const reminders = changes.filter((c) => c.effects.some((e) => e.kind === 'reminder_to_customer'));
    expect(reminders.map((r) => Math.round((r.at - (r.state.awaitingSince ?? 0)) / HOUR))).toEqual([48, 48, 96]);
    expect(reminders.map((r) => r.state.awaitingSince)).toEqual([first, second, second]);
    const resolved = changes.find((c) => c.effects.some((e) => e.kind === 'resolved_to_customer'))!;
    expect(Math.round((resolved.at - second) / HOUR)).toBe(168);
    expect(await api.emails(`ticket-reminder/${no}/`)).toHaveLength(3);
  });

  it('is not auto-closed once reopened', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);
    await api.staff(support.token, no, 'messages', { body: 'Fixed.' });
    await api.staff(support.token, no, 'resolve');
    await t.temporal.skip(3 * DAY);
    expect((await api.customer(c.token, no, 'reopen')).json().status).toBe('open');
    await t.temporal.skip(5 * DAY);
    // A reply synchronizes with the workflow: had auto-close fired, this would be a follow-up ticket (201).
    expect((await api.customer(c.token, no, 'messages', { body: 'Still there?' })).statusCode).toBe(200);
    expect((await api.row(no)).status).toBe('open');
  });
});
