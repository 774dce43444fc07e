import type { Email } from '../notifications/outbox.js';
import { describeTarget } from '../../domain/settlement/routing.js';
import type { SettlementChange } from './change.js';

/** The outbox key of the email of how a change ended: one per change and end. */
export const settlementChangeEmailKey = (change: Pick<SettlementChange, 'id' | 'status'>) => `settlement-change/${change.id}/${change.status}`;

/** The one email that tells the customer how a settlement change ended; its key names the change and the end. */
export function settlementChangeEmail(change: SettlementChange, account: { name: string; contactEmail: string }): Email {
  const cutover = change.cutoverAt.toISOString();
  const failed = change.status === 'failed';
  return {
    businessKey: settlementChangeEmailKey(change),
    kind: failed ? 'settlement-change-failed' : 'settlement-change-completed',
    to: account.contactEmail,
    accountId: change.accountId,
    subject: failed
      ? `Settlement of workspace ${change.workspaceId} not changed`
      : `Workspace ${change.workspaceId} is now settled by ${describeTarget(change.to)}`,
    body: [
      `Hello ${account.name},`,
      '',
      failed
        ? `The change of workspace ${change.workspaceId} from ${describeTarget(change.from)} to ${describeTarget(change.to)} did not happen: ` +
          `${change.failure?.reason ?? 'it was refused'}. The workspace stays settled by ${describeTarget(change.from)}; nothing else changed.`
        : `From ${cutover}, the usage of workspace ${change.workspaceId} is settled by ${describeTarget(change.to)}. ` +
          `Usage before then stays with ${describeTarget(change.from)}, which has closed it.`,
      '',
      `Change ${change.id}.`,
    ].join('\n'),
  };
}
