/**
 * Wakes the charging workflows of accounts that received usage, off the request path: a request only adds its
 * accounts to a set; one loop sends the wake-ups, each account once however many requests named it meanwhile.
 * Ingestion then costs no Temporal round trip per account, and a burst of usage for 200 accounts becomes 200
 * signals, not 200 per request. Records are already durable when an account is added here; if the process
 * dies before the wake-up goes out, the usage-charging sweeper wakes them within a minute.
 */
export class ChargingWaker {
  private readonly due = new Set<string>();
  private running: Promise<void> | null = null;

  constructor(
    private readonly wake: (accountIds: string[]) => Promise<void>,
    private readonly log: { warn(details: object, message: string): void },
    private readonly concurrency = 32,
    /** What is woken, for the log (usage charging, or marketplace metering). */
    private readonly what = 'usage charging',
  ) {}

  add(accountIds: readonly string[]): void {
    for (const id of accountIds) this.due.add(id);
    this.running ??= this.drain().finally(() => {
      this.running = null;
      // Added while the last round was finishing: go again.
      if (this.due.size > 0) this.add([]);
    });
  }

  /** Resolves when every account added so far has been woken (or its wake-up has failed and been logged). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.due.size > 0) {
      const batch = [...this.due].slice(0, this.concurrency);
      for (const id of batch) this.due.delete(id);
      try {
        await this.wake(batch);
      } catch (error) {
        // Not retried here: the sweeper picks up usage that waited too long (for either).
        this.log.warn({ err: error, accounts: batch.length }, `could not wake ${this.what}`);
      }
    }
  }
}
