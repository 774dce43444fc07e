import type { Tx } from '../../db/transaction.js';

export interface Email {
  /** Names the message for ever (e.g. `card-expiry-warning/<cardNo>/<expiry>`): queued twice, sent once. */
  businessKey: string;
  kind: string;
  to: string;
  subject: string;
  body: string;
  accountId?: string | null;
}

/**
 * Queues an email in the same transaction as the change that causes it, so there is never a change without
 * its email or an email without its change. Queueing a business key again is a no-op.
 */
export async function queueEmail(tx: Tx, email: Email): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO outbox_messages (business_key, kind, to_address, subject, body, account_id)
    VALUES (${email.businessKey}, ${email.kind}, ${email.to}, ${email.subject}, ${email.body}, ${email.accountId ?? null}::uuid)
    ON CONFLICT (business_key) DO NOTHING`;
  return inserted === 1;
}
