/**
 * A counting semaphore: at most `permits` tasks run at once, the others wait their turn in
 * arrival order. The outbox worker uses it to bound the database transactions it holds
 * open during SMTP sends, so a burst of mail never takes the whole connection pool.
 */
export interface Semaphore {
  readonly permits: number;
  /** Runs `task` once a permit is free and gives the permit back when it settles. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSemaphore(permits: number): Semaphore {
  if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`a semaphore needs at least one permit, not ${permits}`);
  let free = permits;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (free > 0) {
      free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    // The permit passes straight to the next waiter, so a newcomer cannot overtake it.
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    permits,
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
