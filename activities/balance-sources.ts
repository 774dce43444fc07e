import type { ServiceContext } from '../src/services/context.js';
import { expireBoundSource, expireUnusedSource, queueExpiryWarning, type SourceKind } from '../src/services/recharges/balance-source-lifetime.js';

export function balanceSourceActivities(services: ServiceContext) {
  return {
    /** Queues (once per expiry date) the warning email for a card or voucher with money left. */
    async warnBalanceSourceExpiry(input: { kind: SourceKind; sourceId: string; reference: string; accountId: string; expiresAt: number }) {
      return queueExpiryWarning(services, input);
    },
    /** Clears the remaining balance at expiry (idempotent: the expiry entry's key is permanent). */
    expireBalanceSource: (input: { kind: SourceKind; sourceId: string; accountId: string }) => expireBoundSource(services, input),
    endUnusedBalanceSource: (input: { kind: SourceKind; sourceId: string }) => expireUnusedSource(services, input),
  };
}
