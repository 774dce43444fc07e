/**
 * At most `limit` calls of the returned function run at once; the others wait their turn, first come first
 * served. For work that holds a database connection from start to end: a burst then queues here, in order,
 * instead of every call taking a place in the pool's queue and the last ones giving up after its wait limit.
 */
export function limitConcurrency<A extends unknown[], R>(limit: number, work: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const acquire = (): Promise<void> => {
    if (running < limit) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  // A finishing call hands its place straight to the next in line, so a newcomer cannot overtake the queue.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async (...args: A) => {
    await acquire();
    try {
      return await work(...args);
    } finally {
      release();
    }
  };
}
