/**
 * Gathers calls that arrive close together into one batch: the first call of a batch waits at most `windowMs`
 * for others (or until `maxItems` have come), then `run` does them all at once and each caller gets its own
 * result. For work that costs per round trip more than per item, arriving in bursts from many workflows at
 * once: thousands of cards expiring in the same minute become a few dozen transactions instead of thousands.
 *
 * If a batch fails, its items are run again one by one, so one item that cannot succeed fails alone and the
 * others are not held hostage to it. `run` must therefore be idempotent per item, as activities are anyway.
 */
export function microBatch<I, O>(
  run: (items: I[]) => Promise<O[]>,
  options: { maxItems: number; windowMs: number },
): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | null = null;

  const runAlone = (entry: Waiting) =>
    run([entry.item]).then(
      ([result]) => entry.resolve(result as O),
      (error: unknown) => entry.reject(error),
    );

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = waiting;
    waiting = [];
    if (batch.length === 1) return void runAlone(batch[0]!);
    run(batch.map((entry) => entry.item)).then(
      (results) => batch.forEach((entry, index) => entry.resolve(results[index] as O)),
      () => batch.forEach((entry) => void runAlone(entry)),
    );
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length >= options.maxItems) flush();
      else timer ??= setTimeout(flush, options.windowMs);
    });
}
