import { SIGNATURE_HEADER, signWebhook } from '../../payments/signature.js';
import type { SandboxNotification } from '../../payments/sandbox-protocol.js';

/**
 * Delivers notifications as a gateway does: POST the JSON body to the merchant's notify URL, signed, and
 * again after each delay while the merchant answers anything but 2xx (or nothing). The body is the same on
 * every attempt (same `eventId`); the signature is fresh, so a slow retry is never refused as stale.
 */

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000];

export interface AttemptResult {
  /** The merchant's answer; null when there was none (refused, timed out). */
  status: number | null;
  deliveredAt: Date | null;
}

export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly options: {
      secret: string;
      now: () => Date;
      retryDelaysMs: readonly number[];
      timeoutMs: number;
      onAttempt: (event: SandboxNotification, result: AttemptResult) => void;
    },
  ) {}

  send(url: string, event: SandboxNotification): void {
    this.attempt(url, event, JSON.stringify(event), 0);
  }

  /** Stops every pending retry and in-flight request (on shutdown). */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private attempt(url: string, event: SandboxNotification, body: string, attempt: number): void {
    if (this.abort.signal.aborted) return;
    const delivery = this.post(url, body).then((status) => {
      const delivered = status !== null && status >= 200 && status < 300;
      this.options.onAttempt(event, { status, deliveredAt: delivered ? this.options.now() : null });
      const delay = this.options.retryDelaysMs[attempt];
      if (delivered || delay === undefined || this.abort.signal.aborted) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.attempt(url, event, body, attempt + 1);
      }, delay);
      this.timers.add(timer);
    });
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async post(url: string, body: string): Promise<number | null> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(body, this.options.secret, this.options.now()) },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status;
    } catch {
      return null;
    }
  }
}
