import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SearchAttributes } from '../../workflows/search-attributes.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { recordHistory } from '../support/histories.js';
import { ticketApi } from '../support/tickets.js';

/**
 * Tickets through the API, on a real worker: each action reaches `ticket/<no>` as an Update that the status
 * machine validates, so a refused transition is a synchronous 409 and changes nothing.
 */

let t: TestApp;
let api: ReturnType<typeof ticketApi>;
let support: { token: string; userId: string };
beforeAll(async () => {
  t = await createTestApp();
  await t.startWorker();
  api = ticketApi(t);
  support = await t.staff(['support']);
});
beforeEach(() => t.followServerClock());
afterAll(async () => {
  await t.close();
});

describe('opening a ticket', () => {
  it('gives a number to read aloud, starts ticket/<no> findable by number, account, status and priority, with a summary', async () => {
    const c = await t.customer();
    const first = await api.open(c.token, { priority: 'high', subject: 'Card not credited' });
    const second = await api.open(c.token);
    const year = t.clock.now().getUTCFullYear();
    expect(first.no).toMatch(new RegExp(`^T-${year}-\\d{6}$`));
    expect(Number(second.no.slice(-6))).toBe(Number(first.no.slice(-6)) + 1);
    expect(first.status).toBe('new');

    const description = await t.temporal.client.workflow.getHandle(`ticket/${first.no}`).describe();
    expect(description.typedSearchAttributes.get(SearchAttributes.ticketNo)).toBe(first.no);
    expect(description.typedSearchAttributes.get(SearchAttributes.accountId)).toBe(c.accountId);
    expect(description.typedSearchAttributes.get(SearchAttributes.ticketPriority)).toBe('high');
    expect(description.typedSearchAttributes.get(SearchAttributes.businessStatus)).toBe('new');
    expect(await description.staticSummary()).toContain(`Ticket ${first.no} (high, billing)`);

    const row = await api.row(first.no);
    expect(row.slaDueAt!.getTime() - row.createdAt.getTime()).toBe(4 * 3_600_000);
  });

  it('refuses bad input with 400 and opens nothing', async () => {
    const c = await t.customer();
    const base = { category: 'billing', priority: 'normal', subject: 'Hello', message: 'Help' };
    const bad = [
      { ...base, subject: '' },
      { ...base, subject: '   ' },
      { ...base, subject: 'x'.repeat(201) },
      { ...base, message: '' },
      { ...base, message: 'x'.repeat(10_001) },
      { ...base, category: 'complaints' },
      { ...base, priority: 'critical' },
      { ...base, workspaceId: 'ws-not-mine' },
      { ...base, extra: true },
    ];
    for (const payload of bad) {
      const response = await api.call(c.token, 'POST', '/v1/tickets', payload, { 'idempotency-key': randomUUID() });
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(await t.db.prisma.ticket.count({ where: { accountId: c.accountId } })).toBe(0);
    // At the limits, it is accepted.
    await api.open(c.token, { subject: 'x'.repeat(200), message: 'y'.repeat(10_000) });
  });

  it('opens one ticket for a retried request (Idempotency-Key)', async () => {
    const c = await t.customer();
    const payload = { category: 'recharge', priority: 'low', subject: 'Voucher', message: 'Which one?' };
    const headers = { 'idempotency-key': 'ticket-retry-1' };
    const a = await api.call(c.token, 'POST', '/v1/tickets', payload, headers);
    const b = await api.call(c.token, 'POST', '/v1/tickets', payload, headers);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.json().no).toBe(a.json().no);
    expect(await t.db.prisma.ticket.count({ where: { accountId: c.accountId } })).toBe(1);
  });
});

describe('the status machine through the API', () => {
  it('goes new → open → awaiting customer ↔ open → resolved → reopened → closed, emailing the customer on replies and resolve', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);

    const assigned = await api.staff(support.token, no, 'assign', {});
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json()).toMatchObject({ status: 'open', assigneeId: support.userId });

    const asked = await api.staff(support.token, no, 'messages', { body: 'Which invoice?', waitForCustomer: true });
    expect(asked.json()).toMatchObject({ status: 'awaiting_customer', firstResponseAt: expect.any(String) });
    const answered = await api.customer(c.token, no, 'messages', { body: 'INV-42' });
    expect(answered.statusCode).toBe(200);
    expect(answered.json().status).toBe('open');

    expect((await api.staff(support.token, no, 'resolve')).json().status).toBe('resolved');
    expect((await api.customer(c.token, no, 'reopen')).json().status).toBe('open');
    expect((await api.staff(support.token, no, 'status', { status: 'resolved' })).json().status).toBe('resolved');
    const closed = await api.customer(c.token, no, 'close');
    expect(closed.json()).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
    await expect(t.temporal.workflow.result(`ticket/${no}`)).resolves.toBe('closed');

    expect((await api.emails(`ticket-reply/${no}/`)).map((e) => e.toAddress)).toEqual([c.email]);
    expect(await api.emails(`ticket-resolved/${no}/`)).toHaveLength(2);
    const thread = (await api.call(c.token, 'GET', `/v1/tickets/${no}`)).json();
    expect(thread.messages.map((m: { from: string; body: string }) => `${m.from}: ${m.body}`)).toEqual([
      'customer: November charged twice?',
      'support: Which invoice?',
      'customer: INV-42',
    ]);
    const audited = await t.db.prisma.auditEvent.findMany({ where: { targetType: 'ticket', targetId: no }, orderBy: { id: 'asc' } });
    expect(audited.map((event) => `${event.action} by ${event.actorId === support.userId ? 'support' : event.actorId}`)).toEqual([
      'ticket.assign by support',
      'ticket.staff_reply by support',
      'ticket.resolve by support',
      'ticket.set_status by support',
    ]);
    await recordHistory(t.temporal.client.workflow.getHandle(`ticket/${no}`), 'ticket-lifecycle');
  });

  it('answers 409 to a transition it does not allow, and changes nothing', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);
    const refused = [
      [await api.staff(support.token, no, 'resolve'), 'assignee-required'],
      [await api.staff(support.token, no, 'status', { status: 'resolved' }), 'assignee-required'],
      [await api.staff(support.token, no, 'status', { status: 'awaiting_customer' }), 'transition-not-allowed'],
      [await api.staff(support.token, no, 'status', { status: 'new' }), 'transition-not-allowed'],
      [await api.customer(c.token, no, 'reopen'), 'transition-not-allowed'],
    ] as const;
    for (const [response, type] of refused) {
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().type).toBe(`urn:billing-center:problem:${type}`);
    }
    const row = await api.row(no);
    expect(row).toMatchObject({ status: 'new', assigneeId: null, stateVersion: 0 });
    expect(await t.db.prisma.ticketMessage.count({ where: { ticketId: row.id } })).toBe(1);
  });

  it('keeps a closed ticket closed: staff actions are 409, and a customer reply opens a new ticket that follows it up', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token, { category: 'invoice', priority: 'high' });
    expect((await api.staff(support.token, no, 'status', { status: 'closed' })).json().status).toBe('closed');
    await t.temporal.workflow.result(`ticket/${no}`);

    for (const response of [
      await api.staff(support.token, no, 'messages', { body: 'Hello?' }),
      await api.staff(support.token, no, 'assign', {}),
      await api.staff(support.token, no, 'status', { status: 'open' }),
      await api.customer(c.token, no, 'reopen'),
      await api.customer(c.token, no, 'close'),
    ]) {
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().type).toBe('urn:billing-center:problem:ticket-closed');
    }
    const followUp = await api.customer(c.token, no, 'messages', { body: 'Still wrong.' });
    expect(followUp.statusCode).toBe(201);
    expect(followUp.json()).toMatchObject({ followsUpNo: no, status: 'new', category: 'invoice', priority: 'high', subject: 'Re: My bill looks wrong' });
    expect(followUp.json().no).not.toBe(no);
    expect((await api.row(no)).status).toBe('closed');
  });

  it('assigns only to support users, and to oneself when no one is named', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);
    const sales = await t.staff(['sales']);
    for (const assigneeId of [sales.userId, randomUUID()]) {
      const response = await api.staff(support.token, no, 'assign', { assigneeId });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([{ path: '/body/assigneeId', message: 'is not a support user' }]);
    }
    expect(await api.row(no)).toMatchObject({ status: 'new', assigneeId: null });
    const colleague = await t.staff(['support']);
    expect((await api.staff(support.token, no, 'assign', { assigneeId: colleague.userId })).json()).toMatchObject({ status: 'open', assigneeId: colleague.userId });
  });

  it('refuses an internal note that waits for the customer, and messages that are empty or too long', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);
    expect((await api.staff(support.token, no, 'messages', { body: 'x', internal: true, waitForCustomer: true })).statusCode).toBe(400);
    expect((await api.staff(support.token, no, 'messages', { body: ' ' })).statusCode).toBe(400);
    expect((await api.customer(c.token, no, 'messages', { body: 'x'.repeat(10_001) })).statusCode).toBe(400);
    expect((await api.staff(support.token, no, 'status', { status: 'pending' })).statusCode).toBe(400);
    expect((await api.row(no)).stateVersion).toBe(0);
  });
});

describe('a retried reply', () => {
  it('is stored and emailed once under its Idempotency-Key; the same key with another body is 409', async () => {
    const c = await t.customer();
    const { no } = await api.open(c.token);
    const headers = { 'idempotency-key': `reply-${no}` };
    const url = `/v1/support/tickets/${no}/messages`;
    const first = await api.call(support.token, 'POST', url, { body: 'We refunded it.' }, headers);
    const again = await api.call(support.token, 'POST', url, { body: 'We refunded it.' }, headers);
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await api.call(support.token, 'POST', url, { body: 'Something else.' }, headers)).statusCode).toBe(409);
    expect((await api.call(support.token, 'POST', url, { body: 'No key.' })).statusCode).toBe(400);
    const row = await api.row(no);
    expect(await t.db.prisma.ticketMessage.count({ where: { ticketId: row.id, authorKind: 'staff' } })).toBe(1);
    expect(await api.emails(`ticket-reply/${no}/`)).toHaveLength(1);
  });
});

describe('who sees what', () => {
  it('shows a customer only their own tickets, never support’s internal notes', async () => {
    const owner = await t.customer();
    const other = await t.customer();
    const { no } = await api.open(owner.token, { subject: 'Private matter' });
    await api.staff(support.token, no, 'messages', { body: 'Customer seems confused; check ledger.', internal: true });
    await api.staff(support.token, no, 'messages', { body: 'We are looking into it.' });

    expect((await api.call(other.token, 'GET', `/v1/tickets/${no}`)).statusCode).toBe(404);
    expect((await api.customer(other.token, no, 'messages', { body: 'hi' })).statusCode).toBe(404);
    expect((await api.customer(other.token, no, 'close')).statusCode).toBe(404);
    expect((await api.call(other.token, 'GET', '/v1/tickets')).json().items).toEqual([]);
    const mine = async (query: string) => ((await api.call(owner.token, 'GET', `/v1/tickets?${query}`)).json().items as { no: string }[]).map((i) => i.no);
    expect(await mine('status=open&category=billing&priority=normal')).toEqual([no]);
    expect(await mine('status=new')).toEqual([]);
    expect(await mine('priority=urgent')).toEqual([]);

    const seen = (await api.call(owner.token, 'GET', `/v1/tickets/${no}`)).json();
    expect(JSON.stringify(seen)).not.toContain('confused');
    expect(seen.messages).toHaveLength(2);
    expect(seen).not.toHaveProperty('assigneeId');
    expect(seen).not.toHaveProperty('slaBreached');

    const staffView = (await api.call(support.token, 'GET', `/v1/support/tickets/${no}`)).json();
    expect(staffView.messages.map((m: { internal: boolean }) => m.internal)).toEqual([false, true, false]);
    // An internal note is not a reply: no email for it, and only the public reply stopped the SLA.
    expect(await api.emails(`ticket-reply/${no}/`)).toHaveLength(1);
  });

  it('lists the queue for support with filters, newest first, page by page', async () => {
    const c = await t.customer();
    const urgent = await api.open(c.token, { priority: 'urgent', category: 'technical' });
    const low = await api.open(c.token, { priority: 'low', category: 'account' });
    await api.staff(support.token, low.no, 'assign', {});
    const list = async (query: string) =>
      ((await api.call(support.token, 'GET', `/v1/support/tickets?${query}`)).json().items as { no: string }[]).map((i) => i.no);

    expect(await list('priority=urgent&category=technical')).toContain(urgent.no);
    expect(await list('priority=urgent')).not.toContain(low.no);
    expect(await list('assignee=me')).toContain(low.no);
    expect(await list('assignee=none')).not.toContain(low.no);
    expect(await list(`assignee=${support.userId}&status=open`)).toContain(low.no);
    expect(await list('slaBreached=true')).not.toContain(urgent.no);
    const first = (await api.call(support.token, 'GET', '/v1/support/tickets?limit=1')).json();
    expect(first.items).toHaveLength(1);
    const next = (await api.call(support.token, 'GET', `/v1/support/tickets?limit=1&cursor=${first.nextCursor}`)).json();
    expect(next.items[0].no).not.toBe(first.items[0].no);
    expect((await api.call(c.token, 'GET', '/v1/support/tickets')).statusCode).toBe(403);
    expect((await api.call(support.token, 'GET', '/v1/tickets/T-2026-999999')).statusCode).toBe(403);
    expect((await api.call(c.token, 'GET', '/v1/tickets/T-2026-999999')).statusCode).toBe(404);
    expect((await api.call(c.token, 'GET', '/v1/tickets/42')).statusCode).toBe(400);
  });
});
