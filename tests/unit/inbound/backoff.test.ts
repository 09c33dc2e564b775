import { describe, expect, it } from 'vitest';
import { attemptAfterDisconnect, backoffDelay, type BackoffPolicy } from '../../../src/inbound/imap/backoff.js';

const policy: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.5, stableAfterMs: 30_000 };
const noJitter = { ...policy, jitter: 0 };

describe('backoffDelay', () => {
  it('grows exponentially from the initial delay', () => {
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, noJitter))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('never exceeds the cap, even for absurd attempt counts', () => {
    expect(backoffDelay(10, noJitter)).toBe(60_000);
    expect(backoffDelay(10_000, policy, () => 0.999)).toBeLessThanOrEqual(60_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, noJitter)).toBe(60_000);
  });

  it('randomises only the jitter share of the delay', () => {
    expect(backoffDelay(2, policy, () => 0)).toBe(2_000);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(3_000);
    expect(backoffDelay(2, policy, () => 0.999_999)).toBe(4_000);
  });

  it('spreads simultaneous reconnects apart', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, policy)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('treats negative or fractional attempts as the first one', () => {
    expect(backoffDelay(-3, noJitter)).toBe(1_000);
    expect(backoffDelay(0.7, noJitter)).toBe(1_000);
  });
});

describe('attemptAfterDisconnect', () => {
  it('resets only after the connection stayed up long enough', () => {
    expect(attemptAfterDisconnect(5, 30_000, policy)).toBe(0);
    expect(attemptAfterDisconnect(5, 29_999, policy)).toBe(6);
  });

  it('keeps growing for a server that drops us right after login', () => {
    let attempt = 0;
    for (let i = 0; i < 4; i++) attempt = attemptAfterDisconnect(attempt, 500, policy);
    expect(attempt).toBe(4);
  });
});
