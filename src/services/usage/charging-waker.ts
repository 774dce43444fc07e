/**
 * Wakes the charging workflows of accounts that received usage, off the request path: a request only adds its
 * accounts to a set; one loop sends the wake-ups, each account once however many requests named it meanwhile.
 * Ingestion then costs no Temporal round trip per account, and a burst of usage for 200 accounts becomes 200
 * signals, not 200 per request. Records are already durable when an account is added here; if the process
 * dies before the wake-up goes out, the usage-charging sweeper wakes them within a minute.
 *
 * Rounds start at least `interval` apart. Under a steady stream every account is named by nearly every
 * request, so without a pause the loop would signal each account as fast as Temporal answers, and each signal
 * becomes a charging transaction of a handful of records; with one, an account is charged at most once per
 * interval, in one larger batch, and the Temporal server and the database keep their time for ingestion.
 * The first wake-up after a quiet spell goes out at once.
 */
export class ChargingWaker {
  private readonly due = new Set<string>();
  private running: Promise<void> | null = null;
  private lastRoundAt = Number.NEGATIVE_INFINITY;
  /** Set by `idle()`: from then on rounds go out without a pause. */
  private flushing = false;
  /** Ends the pause before a round early: set while a round waits. */
  private endPause: (() => void) | null = null;

  constructor(
    private readonly wake: (accountIds: string[]) => Promise<void>,
    private readonly log: { warn(details: object, message: string): void },
    private readonly options: { concurrency?: number; interval?: number; what?: string } = {},
  ) {}

  add(accountIds: readonly string[]): void {
    for (const id of accountIds) this.due.add(id);
    this.running ??= this.drain().finally(() => {
      this.running = null;
      // Added while the last round was finishing: go again.
      if (this.due.size > 0) this.add([]);
    });
  }

  /**
   * Resolves when every account added so far has been woken (or its wake-up has failed and been logged),
   * without waiting out a pause: for shutdown.
   */
  async idle(): Promise<void> {
    this.flushing = true;
    this.endPause?.();
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    const concurrency = this.options.concurrency ?? 32;
    const interval = this.options.interval ?? DEFAULT_WAKE_INTERVAL_MS;
    const wait = this.lastRoundAt + interval - performance.now();
    if (wait > 0 && !this.flushing) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.endPause = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.endPause = null;
    }
    this.lastRoundAt = performance.now();
    while (this.due.size > 0) {
      const batch = [...this.due].slice(0, concurrency);
      for (const id of batch) this.due.delete(id);
      try {
        await this.wake(batch);
      } catch (error) {
        // Not retried here: the sweeper picks up usage that waited too long (for either).
        this.log.warn({ err: error, accounts: batch.length }, `could not wake ${this.options.what ?? 'usage charging'}`);
      }
    }
  }
}

/** Long enough to gather a few seconds of usage per charge, short next to the 60 s the charge may take. */
export const DEFAULT_WAKE_INTERVAL_MS = 2_000;
