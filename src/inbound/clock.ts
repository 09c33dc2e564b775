/**
 * Time as a dependency: sources stamp `receivedAt` and measure connection uptime through a
 * clock handed in by the composition root, so tests can control it without patching globals.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
