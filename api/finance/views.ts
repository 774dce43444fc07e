import type { Static } from '@fastify/type-provider-typebox';
import type { Adjustment } from '../../src/services/finance/adjustments.js';
import type { JournalLine } from '../../src/services/finance/journal.js';
import type { TrialBalance } from '../../src/services/finance/trial-balance.js';
import type { AdjustmentView, JournalEntryView, TrialBalanceView } from './schemas.js';

// Replies are shaped here, explicitly: the serializer reads `amount` off a money object, which Money (minor
// units) does not have, and bigints and dates need their string forms.

export function adjustmentView(adjustment: Adjustment): Static<typeof AdjustmentView> {
  return {
    id: adjustment.id,
    accountId: adjustment.accountId,
    direction: adjustment.direction,
    amount: adjustment.amount.toApi(),
    reason: adjustment.reason,
    entryId: adjustment.entryId.toString(),
    balanceAfter: adjustment.balanceAfter.toApi(),
    createdAt: adjustment.createdAt.toISOString(),
  };
}

export function journalEntryView(line: JournalLine): Static<typeof JournalEntryView> {
  return {
    id: line.id.toString(),
    businessKey: line.businessKey,
    kind: line.kind,
    currency: line.currency,
    accountId: line.accountId,
    reversesKey: line.reversesKey,
    balanceAfter: line.balanceAfter?.toApi() ?? null,
    actor: line.actor,
    details: line.details,
    occurredAt: line.occurredAt.toISOString(),
    createdAt: line.createdAt.toISOString(),
    postings: line.postings.map((posting) => ({ ledgerAccount: posting.ledgerAccount, amount: posting.amount.toApi(), side: posting.side })),
  };
}

export function trialBalanceView(balance: TrialBalance): Static<typeof TrialBalanceView> {
  return {
    at: balance.at.toISOString(),
    accounts: balance.accounts.map((line) => ({
      key: line.key,
      type: line.type,
      currency: line.currency,
      debits: line.debits.toApi(),
      credits: line.credits.toApi(),
      balance: line.balance.toApi(),
    })),
    totals: balance.totals.map((total) => ({
      currency: total.currency,
      debits: total.debits.toApi(),
      credits: total.credits.toApi(),
      balanced: total.debits.equals(total.credits),
    })),
    check: balance.check,
  };
}
