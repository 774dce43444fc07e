import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { bearer, type TestApp } from './app.js';

/** Ticket helpers for tests: act through the public API, observe through the database and the workflow's history. */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const keyFor = (action: string): Record<string, string> => (action === 'messages' ? { 'idempotency-key': randomUUID() } : {});

export function ticketApi(t: TestApp) {
  const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload }) });
  return {
    call,
    async open(token: string, body: Partial<{ category: string; priority: string; subject: string; message: string; workspaceId: string }> = {}) {
      const response = await call(
        token,
        'POST',
        '/v1/tickets',
        { category: 'billing', priority: 'normal', subject: 'My bill looks wrong', message: 'November charged twice?', ...body },
        { 'idempotency-key': randomUUID() },
      );
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as { no: string; status: string; followsUpNo: string | null };
    },
    /** A support action: `assign`, `messages` (with a fresh Idempotency-Key), `resolve`, `status`. */
    staff: (token: string, no: string, action: string, payload?: object) =>
      call(token, 'POST', `/v1/support/tickets/${no}/${action}`, payload ?? (action === 'resolve' ? undefined : {}), keyFor(action)),
    /** A customer action: `messages` (with a fresh Idempotency-Key), `close`, `reopen`. */
    customer: (token: string, no: string, action: string, payload?: object) => call(token, 'POST', `/v1/tickets/${no}/${action}`, payload, keyFor(action)),
    row: (no: string) => t.db.prisma.ticket.findUniqueOrThrow({ where: { no } }),
    emails: (prefix: string) => t.db.prisma.outboxMessage.findMany({ where: { businessKey: { startsWith: prefix } }, orderBy: { id: 'asc' } }),
  };
}

/** Polls until `check` passes (the workflow works on its own time); fails with the last assertion error. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface RecordedChange {
  at: number;
  state: { status: string; version: number; awaitingSince: number | null; sla: { breachedAt: number | null; dueAt: number | null } };
  effects: { kind: string; reminder?: number }[];
}

/** Every change `ticket/<no>` asked PostgreSQL to apply, in order, with the workflow time it was decided at. */
export async function recordedChanges(t: TestApp, no: string): Promise<RecordedChange[]> {
  const history = await t.temporal.client.workflow.getHandle(`ticket/${no}`).fetchHistory();
  return (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((attributes) => attributes?.activityType?.name === 'applyTicketChange')
    .map((attributes) => JSON.parse(Buffer.from(attributes!.input!.payloads![0]!.data!).toString('utf8')) as RecordedChange);
}

/** Waits until `ticket/<no>` has nothing in flight: no workflow task and no activity outstanding (only timers). */
export async function quiescent(t: TestApp, no: string): Promise<void> {
  await eventually(
    async () => (await t.temporal.client.workflow.getHandle(`ticket/${no}`).fetchHistory()).events ?? [],
    (events) => {
      const count = (key: string) => events.filter((event) => (event as Record<string, unknown>)[key] != null).length;
      const tasks = count('workflowTaskScheduledEventAttributes');
      const tasksDone = count('workflowTaskCompletedEventAttributes') + count('workflowTaskFailedEventAttributes') + count('workflowTaskTimedOutEventAttributes');
      const activities = count('activityTaskScheduledEventAttributes');
      const activitiesDone = count('activityTaskCompletedEventAttributes') + count('activityTaskFailedEventAttributes') + count('activityTaskTimedOutEventAttributes');
      expect({ tasks, activities }).toEqual({ tasks: tasksDone, activities: activitiesDone });
    },
  );
}
