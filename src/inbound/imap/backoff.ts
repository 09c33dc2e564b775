/**
 * Reconnect and retry delays for a mailbox, as pure functions so the policy can be tested
 * without a socket. Exponential growth spreads retries out while a server or the database is
 * down; the cap keeps recovery quick once it is back; jitter stops many mailboxes (or many
 * instances) from reconnecting in lock-step after a shared outage.
 */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound for any delay. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Share of the delay that is randomised, 0 (none) to 1 (anywhere between 0 and the delay). */
  jitter: number;
  /**
   * A connection that stayed up this long counts as healthy: the next failure starts again
   * from the initial delay. A shorter-lived one keeps growing the delay, so a server that
   * accepts logins and then drops us straight away is not hammered.
   */
  stableAfterMs: number;
}

export const defaultBackoffPolicy: BackoffPolicy = Object.freeze({
  initialMs: 1_000,
  maxMs: 5 * 60_000,
  factor: 2,
  jitter: 0.5,
  stableAfterMs: 60_000,
});

/**
 * Delay before retry number `attempt` (0 for the first retry). `random` returns a value in
 * [0, 1) and is injectable for deterministic tests.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const safeAttempt = Math.max(0, Math.floor(attempt));
  // Math.min before multiplying by the factor again keeps huge attempt counts from overflowing.
  const exponential = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, Math.min(safeAttempt, 64)));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  const fixedPart = exponential * (1 - jitter);
  const randomPart = exponential * jitter * Math.min(1, Math.max(0, random()));
  return Math.round(Math.min(policy.maxMs, fixedPart + randomPart));
}

/**
 * Attempt counter to use after a connection closed: back to zero if it had stayed up long
 * enough to count as healthy, one more otherwise.
 */
export function attemptAfterDisconnect(previousAttempt: number, upForMs: number, policy: BackoffPolicy): number {
  return upForMs >= policy.stableAfterMs ? 0 : previousAttempt + 1;
}
