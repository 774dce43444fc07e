import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { decide, nextClock, openingState, type Refusal, type TicketAction, type TicketState } from '../src/domain/tickets/machine.js';
import type { TicketStatus } from '../src/domain/tickets/ticket.js';
import { SearchAttributes } from './search-attributes.js';
import { actOnTicket, ticketState, type TicketInput, type TicketRequest } from './ticket-contract.js';

// A change the ticket accepted must reach PostgreSQL: retried until it does, never given up.
const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

/**
 * `ticket/<no>`, from the customer's first message until the ticket is closed:
 * - staff and customer actions arrive as the `actOnTicket` Update; its validator asks the status machine
 *   (src/domain/tickets/machine.ts), so a transition that is not allowed is refused before it is accepted, and
 *   the caller hears why at once;
 * - an accepted action is written to PostgreSQL (the message, the new state, the emails it causes) by one
 *   activity, one change at a time, before the Update answers with the new state;
 * - meanwhile the clocks run: the first-response SLA (one escalation when it breaches), reminders and
 *   auto-resolve while awaiting the customer, auto-close after resolution. Closed is final: the workflow ends.
 */
export async function ticket(input: TicketInput): Promise<TicketStatus> {
  let state: TicketState = openingState(input.createdAt, input.clocks);
  let changed = false;
  let busy = false;
  /** Emails queued by applied changes, sent by the delivery loop below (the outbox schedule would too, later). */
  const outgoing: string[] = [];
  let ended = false;

  setHandler(ticketState, () => state);

  const publish = () => {
    upsertSearchAttributes([
      { key: SearchAttributes.businessStatus, value: state.status },
      ...(state.assigneeId === null ? [] : [{ key: SearchAttributes.ticketAssignee, value: state.assigneeId }]),
    ]);
    const sla =
      state.sla.breachedAt !== null
        ? 'first-response SLA breached'
        : state.sla.respondedAt !== null
          ? 'answered'
          : state.sla.dueAt !== null
            ? `first response due ${new Date(state.sla.dueAt).toISOString()}`
            : 'first-response SLA paused';
    setCurrentDetails(
      `**${input.no}** is ${state.status.replace('_', ' ')} (${input.priority}); ` +
        `${state.assigneeId === null ? 'unassigned' : `assigned to ${state.assigneeId}`}; ${sla}.`,
    );
  };

  /** Applies one action, one at a time: the state it was decided on is the state it changes. */
  const apply = async (action: TicketAction, request: TicketRequest | null): Promise<TicketState | Refusal> => {
    await condition(() => !busy);
    busy = true;
    try {
      const now = Date.now();
      const decision = decide(state, action, now, input.clocks);
      if (!decision.ok) return decision;
      const emails = await store.applyTicketChange({
        ticketId: input.ticketId,
        no: input.no,
        at: now,
        state: decision.state,
        effects: decision.effects,
        message: request?.message ? { id: request.requestId, internal: action.type === 'internal_note', ...request.message } : null,
        staff: 'by' in action ? { userId: action.by, action: action.type } : null,
      });
      state = decision.state;
      outgoing.push(...emails);
      changed = true;
      publish();
      return state;
    } finally {
      busy = false;
    }
  };

  setHandler(
    actOnTicket,
    async (request) => {
      const result = await apply(request.action, request);
      // Validated on arrival, but another change may have come first.
      if ('ok' in result) throw ApplicationFailure.nonRetryable(result.reason, result.code);
      return result;
    },
    {
      validator: (request) => {
        const decision = decide(state, request.action, Date.now(), input.clocks);
        if (!decision.ok) throw ApplicationFailure.nonRetryable(decision.reason, decision.code);
      },
    },
  );

  // Emails go out as soon as they are queued; a mail server that is down delays them, never the clocks.
  const delivery = (async () => {
    for (;;) {
      await condition(() => outgoing.length > 0 || ended);
      const next = outgoing.shift();
      if (next === undefined) return;
      await mail.deliverEmail(next);
    }
  })();

  publish();
  while (state.status !== 'closed') {
    const clock = nextClock(state, input.clocks);
    changed = false;
    if (clock === null) {
      await condition(() => changed);
      continue;
    }
    const left = clock.at - Date.now();
    if (left > 0 && (await condition(() => changed, left))) continue;
    // Refused only when a change came first ("not due" any more): the loop then looks again.
    const result = await apply(clock.action, null);
    if ('ok' in result && !changed) await condition(() => changed); // never spin on a clock the machine refuses

  }

  await condition(allHandlersFinished);
  ended = true;
  await delivery;
  return state.status;
}
