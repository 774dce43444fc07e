import type { Logger } from '../src/logger.js';
import type { Mailer } from '../src/services/notifications/mailer.js';
import type { ServiceContext } from '../src/services/context.js';
import type { Workflows } from '../src/temporal/workflows.js';
import type { PaymentGateways } from '../src/payments/gateways.js';
import type { Marketplaces } from '../src/marketplaces/marketplaces.js';
import { marketplaceActivities } from './marketplaces.js';
import { billingActivities } from './billing.js';
import { balanceSourceActivities } from './balance-sources.js';
import { notificationActivities } from './notifications.js';
import { paymentActivities } from './payments.js';
import { rechargeActivities } from './recharges.js';
import { settlementActivities } from './settlement.js';
import { ticketActivities } from './tickets.js';
import { usageActivities } from './usage.js';

/**
 * Every side effect a workflow may ask for is an activity built here from its dependencies, so the worker
 * and the tests wire the same code to a real (per-test) database and mail sink.
 */
export interface ActivityDependencies {
  log: Logger;
  services: ServiceContext;
  workflows: Workflows;
  /** Where email goes: SMTP, or .eml files (the embedded default and the tests). */
  mailer: Mailer;
  /** Where cash recharges open their payment orders. */
  paymentGateways: PaymentGateways;
  /** Who hears of a ticket's breached first-response SLA (TICKET_ESCALATION_EMAILS); empty or unset: every admin. */
  ticketEscalationEmails?: readonly string[];
  /** Where cloud-settled usage is metered: one marketplace per provider. */
  marketplaces: Marketplaces;
}

export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...usageActivities(dependencies.services, dependencies.workflows),
    ...notificationActivities(dependencies.services, dependencies.mailer, dependencies.log),
    ...balanceSourceActivities(dependencies.services, dependencies.workflows),
    ...rechargeActivities(dependencies.services, dependencies.workflows),
    ...paymentActivities(dependencies.services, dependencies.paymentGateways),
    ...ticketActivities(dependencies.services, dependencies.ticketEscalationEmails ?? []),
    ...marketplaceActivities(dependencies.services, dependencies.marketplaces),
    ...settlementActivities(dependencies.services, dependencies.workflows),
    ...billingActivities(dependencies.services),
  };
}

export type Activities = ReturnType<typeof createActivities>;
