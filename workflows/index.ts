/**
 * The worker's workflow bundle: every workflow type, one per file, re-exported here. Only deterministic code
 * may be reachable from this file (no I/O, no clocks, no randomness outside Temporal's own).
 */
export { usageCharging } from './usage-charging.js';
export { usageChargingSweep } from './usage-charging-sweep.js';
export { outboxDelivery } from './outbox-delivery.js';
export { balanceSourceLifetime } from './balance-source-lifetime.js';
export { balanceExpirySweep } from './balance-expiry-sweep.js';
export { recharge } from './recharge.js';
export { ticket } from './ticket.js';
export { marketplaceMetering } from './marketplace-metering.js';
export { lifetimeStarts } from './lifetime-starts.js';
export { settlementChange } from './settlement-change.js';
export { monthlyBills } from './monthly-bills.js';
