/**
 * What the outbox worker knows about its relay. A failure that is the relay's (refused,
 * reset, timed out, 421 or another 4xx not about a recipient: `isRelayFailure`) closes the
 * gate: the mails of the moment are released at once with their retry time instead of each
 * waiting for its own refusal or timeout, and the worker probes the relay (connect, greeting,
 * EHLO) every `probeEveryMs` instead of claiming rows. The first probe that succeeds opens
 * the gate again, and the rows that waited for the relay become due at once, so delivery
 * resumes within one probe period of the relay's return rather than after each row's own
 * backoff. Pure state with an injected clock, so it is tested without a socket.
 */

export interface RelayStatus {
  up: boolean;
  /** When the relay was last seen failing, while it is down. */
  downSince: Date | null;
  lastError: string | null;
  /** Probes that failed since the gate closed. */
  failedProbes: number;
}

export interface RelayGate {
  isDown(): boolean;
  /** A send failed because of the relay. */
  fail(reason: string, now: Date): void;
  /** True when the gate is closed and the last probe is at least `probeEveryMs` old. */
  probeDue(now: Date): boolean;
  /** A probe ended: `error` null means the relay answered. */
  probed(now: Date, error: string | null): void;
  /** A mail went through. */
  succeeded(): void;
  status(): RelayStatus;
}

/**
 * How often a closed gate probes: never more than one backoff base apart, so delivery resumes
 * within one backoff period of the relay's return, and at most every 5 s.
 */
export function probeInterval(backoffBaseMs: number): number {
  return Math.min(backoffBaseMs, 5_000);
}

export function createRelayGate(probeEveryMs: number): RelayGate {
  let downSince: Date | null = null;
  let lastError: string | null = null;
  let lastProbe = 0;
  let failedProbes = 0;
  const open = (): void => {
    downSince = null;
    lastError = null;
    failedProbes = 0;
  };
  return {
    isDown: () => downSince !== null,
    fail(reason, now) {
      if (downSince === null) {
        downSince = now;
        // The failure counts as the first probe: the next one waits a full period.
        lastProbe = now.getTime();
      }
      lastError = reason;
    },
    probeDue: (now) => downSince !== null && now.getTime() - lastProbe >= probeEveryMs,
    probed(now, error) {
      lastProbe = now.getTime();
      if (error === null) open();
      else {
        lastError = error;
        failedProbes += 1;
      }
    },
    succeeded: open,
    status: () => ({ up: downSince === null, downSince, lastError, failedProbes }),
  };
}
