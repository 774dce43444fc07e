import { describe, expect, it } from 'vitest';
import { clocksFor, DEFAULT_TICKET_CLOCKS } from '../../../src/domain/tickets/clocks.js';
import { decide, nextClock, openingState, type PersonAction, type TicketAction, type TicketState } from '../../../src/domain/tickets/machine.js';
import { TICKET_STATUSES, type TicketStatus } from '../../../src/domain/tickets/ticket.js';
import { formatTicketNo, TICKET_NO_PATTERN } from '../../../src/domain/tickets/ticket-number.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 27, 9);
const clocks = clocksFor(DEFAULT_TICKET_CLOCKS, 'high'); // 4 h SLA
const STAFF = 'staff-1';

/** Applies actions in order from a new ticket, failing the test on a refusal. */
function run(actions: [TicketAction, number][]): TicketState {
  let state = openingState(T0, clocks);
  for (const [action, at] of actions) {
    const decision = decide(state, action, at, clocks);
    if (!decision.ok) throw new Error(`${action.type} refused: ${decision.reason}`);
    state = decision.state;
  }
  return state;
}

/** A ticket in each status, reached the way people reach it. */
function inStatus(status: TicketStatus): TicketState {
  const assign: TicketAction = { type: 'assign', by: STAFF, assigneeId: STAFF };
  switch (status) {
    case 'new':
      return run([]);
    case 'open':
      return run([[assign, T0 + 1]]);
    case 'awaiting_customer':
      return run([[{ type: 'staff_reply', by: STAFF, waitForCustomer: true }, T0 + 1]]);
    case 'resolved':
      return run([[assign, T0 + 1], [{ type: 'resolve', by: STAFF }, T0 + 2]]);
    case 'closed':
      return run([[{ type: 'customer_close' }, T0 + 1]]);
  }
}

const people: PersonAction[] = [
  { type: 'assign', by: STAFF, assigneeId: 'staff-2' },
  { type: 'staff_reply', by: STAFF, waitForCustomer: false },
  { type: 'staff_reply', by: STAFF, waitForCustomer: true },
  { type: 'internal_note', by: STAFF },
  { type: 'resolve', by: STAFF },
  ...TICKET_STATUSES.map((status): PersonAction => ({ type: 'set_status', by: STAFF, status })),
  { type: 'customer_reply' },
  { type: 'customer_close' },
  { type: 'customer_reopen' },
];
const label = (action: PersonAction) =>
  action.type === 'set_status' ? `set_status ${action.status}` : action.type === 'staff_reply' && action.waitForCustomer ? 'staff_reply (wait)' : action.type;

/**
 * from → each action of `people`, in order → the status it leads to, or the refusal's code. Every cell of the
 * matrix, allowed or not. Abbreviations keep a row on one line: `−` transition-not-allowed, `A!` assignee-required.
 */
const MATRIX: Record<TicketStatus, string> = {
  //                 assign             reply  reply+wait         note               resolve   →new →open →awaiting          →resolved →closed customer: reply close  reopen
  new:               'open              open   awaiting_customer  new                A!        −    −     −                  A!        closed  new    closed −',
  open:              'open              open   awaiting_customer  open               resolved  −    −     awaiting_customer  resolved  closed  open   closed −',
  awaiting_customer: 'awaiting_customer open   awaiting_customer  awaiting_customer  resolved  −    open  −                  resolved  closed  open   closed −',
  resolved:          'resolved          open   awaiting_customer  resolved           −         −    open  awaiting_customer  −         closed  open   closed open',
  closed:            'ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed ticket-closed',
};
const ABBREVIATIONS: Record<string, string> = { '−': 'transition-not-allowed', 'A!': 'assignee-required' };
const EXPECTED = Object.fromEntries(
  TICKET_STATUSES.map((from) => {
    const cells = MATRIX[from].trim().split(/\s+/).map((cell) => ABBREVIATIONS[cell] ?? cell);
    if (cells.length !== people.length) throw new Error(`row ${from} has ${cells.length} cells for ${people.length} actions`);
    return [from, Object.fromEntries(people.map((action, index) => [label(action), cells[index]!]))];
  }),
) as Record<TicketStatus, Record<string, string>>;

describe('the ticket status machine', () => {
  for (const from of TICKET_STATUSES) {
    for (const action of people) {
      const expected = EXPECTED[from][label(action)];
      it(`${from} + ${label(action)} → ${expected}`, () => {
        const before = inStatus(from);
        const decision = decide(before, action, T0 + HOUR, clocks);
        expect(decision.ok ? decision.state.status : decision.code).toBe(expected);
        if (decision.ok) expect(decision.state.version).toBe(before.version + 1);
      });
    }
  }

  it('opens a ticket on the first staff reply and assigns its author when nobody was', () => {
    const state = run([[{ type: 'staff_reply', by: STAFF, waitForCustomer: false }, T0 + HOUR]]);
    expect(state).toMatchObject({ status: 'open', assigneeId: STAFF, sla: { respondedAt: T0 + HOUR, dueAt: null } });
  });

  it('keeps the assignee a staff member chose over a replier', () => {
    const state = run([
      [{ type: 'assign', by: STAFF, assigneeId: 'staff-2' }, T0 + 1],
      [{ type: 'staff_reply', by: STAFF, waitForCustomer: false }, T0 + 2],
    ]);
    expect(state.assigneeId).toBe('staff-2');
  });

  it('emails the customer on a staff reply and on resolve, never on an internal note', () => {
    const open = inStatus('open');
    const effects = (action: TicketAction) => {
      const decision = decide(open, action, T0 + HOUR, clocks);
      return decision.ok ? decision.effects : decision.code;
    };
    expect(effects({ type: 'staff_reply', by: STAFF, waitForCustomer: false })).toEqual([{ kind: 'reply_to_customer' }]);
    expect(effects({ type: 'resolve', by: STAFF })).toEqual([{ kind: 'resolved_to_customer' }]);
    expect(effects({ type: 'internal_note', by: STAFF })).toEqual([]);
  });
});

describe('the first-response SLA', () => {
  it('is due the priority’s time after creation', () => {
    expect(nextClock(openingState(T0, clocks), clocks)).toEqual({ at: T0 + 4 * HOUR, action: { type: 'sla_breach' } });
    expect(openingState(T0, clocksFor(DEFAULT_TICKET_CLOCKS, 'urgent')).sla.dueAt).toBe(T0 + HOUR);
    expect(openingState(T0, clocksFor(DEFAULT_TICKET_CLOCKS, 'low')).sla.dueAt).toBe(T0 + 24 * HOUR);
  });

  it('breaches once, escalating once, and is not re-armed', () => {
    const before = openingState(T0, clocks);
    expect(decide(before, { type: 'sla_breach' }, T0 + 4 * HOUR - 1, clocks)).toMatchObject({ ok: false, code: 'not-due' });
    const breached = decide(before, { type: 'sla_breach' }, T0 + 4 * HOUR, clocks);
    expect(breached).toMatchObject({ ok: true, effects: [{ kind: 'escalation_to_leads' }], state: { sla: { breachedAt: T0 + 4 * HOUR } } });
    if (!breached.ok) return;
    expect(decide(breached.state, { type: 'sla_breach' }, T0 + 5 * HOUR, clocks)).toMatchObject({ ok: false, code: 'not-due' });
    expect(nextClock(breached.state, clocks)).toBeNull();
  });

  it('stops at the first staff reply', () => {
    const state = run([[{ type: 'staff_reply', by: STAFF, waitForCustomer: false }, T0 + HOUR]]);
    expect(nextClock(state, clocks)).toBeNull();
    // Later replies and reopenings never restart it.
    const later = run([
      [{ type: 'staff_reply', by: STAFF, waitForCustomer: true }, T0 + HOUR],
      [{ type: 'customer_reply' }, T0 + 2 * HOUR],
    ]);
    expect(later.sla.dueAt).toBeNull();
  });

  it('pauses while awaiting the customer and resumes with what was left', () => {
    // Assigned (no answer yet) at 1 h, set to awaiting at 3 h (1 h left), customer answers at 30 h.
    const paused = run([
      [{ type: 'assign', by: STAFF, assigneeId: STAFF }, T0 + HOUR],
      [{ type: 'set_status', by: STAFF, status: 'awaiting_customer' }, T0 + 3 * HOUR],
    ]);
    expect(paused.sla).toMatchObject({ dueAt: null, remainingMs: HOUR });
    expect(nextClock(paused, clocks)?.action.type).toBe('remind');
    const resumed = decide(paused, { type: 'customer_reply' }, T0 + 30 * HOUR, clocks);
    expect(resumed.ok && resumed.state.sla.dueAt).toBe(T0 + 31 * HOUR);
    expect(resumed.ok && nextClock(resumed.state, clocks)).toEqual({ at: T0 + 31 * HOUR, action: { type: 'sla_breach' } });
  });
});

describe('the clocks of a wait for the customer', () => {
  const waiting = () => run([[{ type: 'staff_reply', by: STAFF, waitForCustomer: true }, T0]]);

  it('reminds after 2 and 4 days and resolves after 7', () => {
    let state = waiting();
    const seen: [string, number][] = [];
    for (let clock = nextClock(state, clocks); clock; clock = nextClock(state, clocks)) {
      const decision = decide(state, clock.action, clock.at, clocks);
      if (!decision.ok) throw new Error(decision.reason);
      seen.push([clock.action.type, clock.at - T0]);
      state = decision.state;
    }
    expect(seen).toEqual([
      ['remind', 2 * DAY],
      ['remind', 4 * DAY],
      ['auto_resolve', 7 * DAY],
      ['auto_close', 11 * DAY],
    ]);
    expect(state.status).toBe('closed');
  });

  it('starts over from a customer reply and a new wait', () => {
    const reminded = decide(waiting(), { type: 'remind' }, T0 + 2 * DAY, clocks);
    if (!reminded.ok) throw new Error(reminded.reason);
    const answered = decide(reminded.state, { type: 'customer_reply' }, T0 + 3 * DAY, clocks);
    if (!answered.ok) throw new Error(answered.reason);
    expect(nextClock(answered.state, clocks)).toBeNull();
    const again = decide(answered.state, { type: 'staff_reply', by: STAFF, waitForCustomer: true }, T0 + 4 * DAY, clocks);
    expect(again.ok && again.state.remindersSent).toBe(0);
    expect(again.ok && nextClock(again.state, clocks)).toEqual({ at: T0 + 6 * DAY, action: { type: 'remind' } });
  });

  it('refuses a clock that is not due', () => {
    expect(decide(waiting(), { type: 'remind' }, T0 + 2 * DAY - 1, clocks)).toMatchObject({ ok: false, code: 'not-due' });
    expect(decide(waiting(), { type: 'auto_resolve' }, T0 + 6 * DAY, clocks)).toMatchObject({ ok: false, code: 'not-due' });
    expect(decide(inStatus('open'), { type: 'auto_close' }, T0 + 30 * DAY, clocks)).toMatchObject({ ok: false, code: 'not-due' });
  });

  it('closes a resolved ticket 4 days after resolution unless reopened', () => {
    const resolved = inStatus('resolved');
    expect(nextClock(resolved, clocks)).toEqual({ at: resolved.resolvedAt! + 4 * DAY, action: { type: 'auto_close' } });
    const closed = decide(resolved, { type: 'auto_close' }, resolved.resolvedAt! + 4 * DAY, clocks);
    expect(closed.ok && closed.state).toMatchObject({ status: 'closed', resolvedAt: resolved.resolvedAt });
    const reopened = decide(resolved, { type: 'customer_reopen' }, T0 + DAY, clocks);
    // Resolved without a reply, so reopening resumes the first-response SLA; auto-close is gone.
    expect(reopened.ok && nextClock(reopened.state, clocks)?.action.type).toBe('sla_breach');
  });
});

describe('ticket numbers', () => {
  it('are read aloud as T-<year>-<six digits>', () => {
    expect(formatTicketNo(2026, 123)).toBe('T-2026-000123');
    expect(formatTicketNo(2027, 1_234_567)).toBe('T-2027-1234567');
    expect(new RegExp(TICKET_NO_PATTERN).test(formatTicketNo(2026, 1))).toBe(true);
    expect(() => formatTicketNo(2026, 0)).toThrow(RangeError);
  });
});
