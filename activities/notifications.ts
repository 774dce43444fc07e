import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../src/logger.js';
import { DomainError } from '../src/domain/errors.js';
import type { ServiceContext } from '../src/services/context.js';
import { deliverEmail, deliverPendingEmails, type DeliveryCounts } from '../src/services/notifications/deliver.js';
import type { Mailer } from '../src/services/notifications/mailer.js';

export function notificationActivities(services: ServiceContext, mailer: Mailer, log: Logger) {
  return {
    /**
     * Sends the email queued under this business key, once: a retry after a crash finds it marked sent.
     * A failed send throws (retryable); a key that was never queued fails for good (no retry can fix it).
     */
    async deliverEmail(businessKey: string): Promise<'sent' | 'already_sent'> {
      try {
        return await deliverEmail(services, mailer, businessKey);
      } catch (error) {
        if (error instanceof DomainError) throw ApplicationFailure.nonRetryable(error.message, error.code);
        throw error;
      }
    },

    /** Sends what is waiting in the outbox (at most `limit`), heartbeating after each message. */
    async deliverPendingEmails(limit: number): Promise<DeliveryCounts> {
      const context = Context.current();
      const counts = await deliverPendingEmails(services, mailer, {
        limit,
        // On worker shutdown: finish the message in hand (send and mark), then stop.
        signal: context.cancellationSignal,
        onProgress: (progress) => context.heartbeat({ sent: progress.sent, failed: progress.failed }),
      });
      for (const failure of counts.failures) log.warn(failure, 'email not delivered; will retry');
      return counts;
    },
  };
}
