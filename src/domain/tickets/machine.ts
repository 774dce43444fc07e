import type { TicketClocks } from './clocks.js';
import type { TicketStatus } from './ticket.js';

/**
 * The status machine of a ticket, pure: what each action does to a ticket's state, or why it is refused.
 * The workflow `ticket/<no>` holds the state and asks `decide` for every change (staff and customer actions,
 * and its own clocks); the same rules are unit-tested here without Temporal.
 *
 * Invariant: a ticket that is open, awaiting the customer or resolved has an assignee (assigning opens a ticket,
 * and the first staff reply assigns its author if nobody was), so resolving, by hand or by clock, always has one.
 */

/**
 * The first-response SLA. It runs while nobody from support has answered and the ticket is new or open; it
 * pauses while awaiting the customer (or resolved) and resumes with what was left; the first staff reply stops
 * it for good. A breach is recorded once and never re-armed.
 */
export interface SlaClock {
  /** When it breaches, while running; null while paused or stopped. */
  dueAt: number | null;
  /** What was left when it paused. */
  remainingMs: number;
  breachedAt: number | null;
  respondedAt: number | null;
}

export interface TicketState {
  status: TicketStatus;
  assigneeId: string | null;
  sla: SlaClock;
  /** When the current wait for the customer began; null when not awaiting. */
  awaitingSince: number | null;
  /** Reminders sent in the current wait. */
  remindersSent: number;
  resolvedAt: number | null;
  /** Counts applied changes, so the read model in PostgreSQL only ever moves forward. */
  version: number;
}

/** What people ask of a ticket. `by` is the staff user's id. */
export type PersonAction =
  | { type: 'assign'; by: string; assigneeId: string }
  | { type: 'staff_reply'; by: string; waitForCustomer: boolean }
  | { type: 'internal_note'; by: string }
  | { type: 'resolve'; by: string }
  | { type: 'set_status'; by: string; status: TicketStatus }
  | { type: 'customer_reply' }
  | { type: 'customer_close' }
  | { type: 'customer_reopen' };

/** What the ticket's own clocks do when they come due. */
export type ClockAction = { type: 'sla_breach' } | { type: 'remind' } | { type: 'auto_resolve' } | { type: 'auto_close' };

export type TicketAction = PersonAction | ClockAction;

/** Emails a change causes (queued with the change, so each is sent once). */
export type TicketEffect =
  | { kind: 'reply_to_customer' }
  | { kind: 'resolved_to_customer' }
  | { kind: 'reminder_to_customer'; reminder: number }
  | { kind: 'escalation_to_leads' };

export type Refusal = { ok: false; code: 'ticket-closed' | 'transition-not-allowed' | 'assignee-required' | 'not-due'; reason: string };
export type Decision = { ok: true; state: TicketState; effects: TicketEffect[] } | Refusal;

export function openingState(createdAt: number, clocks: TicketClocks): TicketState {
  return {
    status: 'new',
    assigneeId: null,
    sla: { dueAt: createdAt + clocks.firstResponseMs, remainingMs: clocks.firstResponseMs, breachedAt: null, respondedAt: null },
    awaitingSince: null,
    remindersSent: 0,
    resolvedAt: null,
    version: 0,
  };
}

const refuse = (code: Refusal['code'], reason: string): Refusal => ({ ok: false, code, reason });
const notAllowed = (from: TicketStatus, what: string) =>
  refuse('transition-not-allowed', `The ticket is ${from.replace('_', ' ')}; it cannot ${what}.`);

/** Moves to `status`, keeping the wait for the customer, the resolution time and the SLA consistent with it. */
function enter(state: TicketState, status: TicketStatus, now: number): TicketState {
  const awaiting = status === 'awaiting_customer';
  let sla = state.sla;
  const runs = sla.respondedAt === null && (status === 'new' || status === 'open');
  if (runs && sla.dueAt === null) sla = { ...sla, dueAt: now + sla.remainingMs };
  if (!runs && sla.dueAt !== null) sla = { ...sla, dueAt: null, remainingMs: Math.max(0, sla.dueAt - now) };
  return {
    ...state,
    status,
    sla,
    // Each wait is counted from its own start: a staff reply while waiting starts the reminders over.
    awaitingSince: awaiting ? now : null,
    remindersSent: 0,
    // Closing keeps when it was resolved; leaving "resolved" any other way forgets it (auto-close re-arms from the next one).
    resolvedAt: status === 'resolved' ? now : status === 'closed' ? state.resolvedAt : null,
  };
}

const changed = (state: TicketState, effects: TicketEffect[] = []): Decision => ({
  ok: true,
  state: { ...state, version: state.version + 1 },
  effects,
});

function resolve(state: TicketState, now: number): Decision {
  if (state.status === 'resolved') return notAllowed(state.status, 'be resolved again');
  if (state.assigneeId === null) return refuse('assignee-required', 'Assign the ticket before resolving it.');
  return changed(enter(state, 'resolved', now), [{ kind: 'resolved_to_customer' }]);
}

/** The clock that comes due next, if any. */
export function nextClock(state: TicketState, clocks: TicketClocks): { at: number; action: ClockAction } | null {
  const due: { at: number; action: ClockAction }[] = [];
  if (state.sla.dueAt !== null && state.sla.breachedAt === null) due.push({ at: state.sla.dueAt, action: { type: 'sla_breach' } });
  if (state.status === 'awaiting_customer' && state.awaitingSince !== null) {
    const reminder = clocks.reminderAfterMs[state.remindersSent];
    if (reminder !== undefined && reminder < clocks.autoResolveAfterMs) {
      due.push({ at: state.awaitingSince + reminder, action: { type: 'remind' } });
    }
    due.push({ at: state.awaitingSince + clocks.autoResolveAfterMs, action: { type: 'auto_resolve' } });
  }
  if (state.status === 'resolved' && state.resolvedAt !== null) {
    due.push({ at: state.resolvedAt + clocks.autoCloseAfterMs, action: { type: 'auto_close' } });
  }
  return due.reduce<{ at: number; action: ClockAction } | null>((first, next) => (first === null || next.at < first.at ? next : first), null);
}

/** What `action` at `now` does to the ticket, or why it may not. */
export function decide(state: TicketState, action: TicketAction, now: number, clocks: TicketClocks): Decision {
  if (state.status === 'closed') return refuse('ticket-closed', 'The ticket is closed; a closed ticket is final.');
  switch (action.type) {
    case 'assign': {
      const assigned = { ...state, assigneeId: action.assigneeId };
      return changed(state.status === 'new' ? enter(assigned, 'open', now) : assigned);
    }
    case 'staff_reply': {
      const first = state.sla.respondedAt === null;
      // The first answer stops the SLA for good (entering the next status then finds it not running).
      const answered: TicketState = {
        ...state,
        assigneeId: state.assigneeId ?? action.by,
        sla: first ? { ...state.sla, respondedAt: now } : state.sla,
      };
      return changed(enter(answered, action.waitForCustomer ? 'awaiting_customer' : 'open', now), [{ kind: 'reply_to_customer' }]);
    }
    case 'internal_note':
      return changed(state);
    case 'resolve':
      return resolve(state, now);
    case 'set_status': {
      const to = action.status;
      if (to === state.status) return notAllowed(state.status, `be set to ${to.replace('_', ' ')} again`);
      if (to === 'new') return notAllowed(state.status, 'go back to new');
      if (to === 'resolved') return resolve(state, now);
      if (to === 'closed') return changed(enter(state, 'closed', now));
      if (state.status === 'new') return notAllowed(state.status, `be set to ${to.replace('_', ' ')} before it is assigned or answered`);
      if (to === 'awaiting_customer' || to === 'open') return changed(enter(state, to, now));
      return notAllowed(state.status, `be set to ${to}`);
    }
    case 'customer_reply':
      if (state.status === 'new' || state.status === 'open') return changed(state);
      return changed(enter(state, 'open', now));
    case 'customer_close':
      return changed(enter(state, 'closed', now));
    case 'customer_reopen':
      if (state.status !== 'resolved') return notAllowed(state.status, 'be reopened (only a resolved ticket can)');
      return changed(enter(state, 'open', now));
    case 'sla_breach':
      if (state.sla.dueAt === null || state.sla.breachedAt !== null || now < state.sla.dueAt) return refuse('not-due', 'The SLA is not due.');
      return changed({ ...state, sla: { ...state.sla, breachedAt: now } }, [{ kind: 'escalation_to_leads' }]);
    case 'remind': {
      const after = clocks.reminderAfterMs[state.remindersSent];
      if (state.status !== 'awaiting_customer' || state.awaitingSince === null || after === undefined || now < state.awaitingSince + after) {
        return refuse('not-due', 'No reminder is due.');
      }
      const reminder = state.remindersSent + 1;
      return changed({ ...state, remindersSent: reminder }, [{ kind: 'reminder_to_customer', reminder }]);
    }
    case 'auto_resolve':
      if (state.status !== 'awaiting_customer' || state.awaitingSince === null || now < state.awaitingSince + clocks.autoResolveAfterMs) {
        return refuse('not-due', 'Auto-resolve is not due.');
      }
      return resolve(state, now);
    case 'auto_close':
      if (state.status !== 'resolved' || state.resolvedAt === null || now < state.resolvedAt + clocks.autoCloseAfterMs) {
        return refuse('not-due', 'Auto-close is not due.');
      }
      return changed(enter(state, 'closed', now));
  }
}
