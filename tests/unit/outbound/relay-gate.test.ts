import { describe, expect, it } from 'vitest';
import { isRelayFailure } from '../../../src/outbound/delivery-errors.js';
import { createRelayGate, probeInterval } from '../../../src/outbound/relay-gate.js';

const at = (ms: number): Date => new Date(Date.UTC(2026, 11, 3) + ms);

describe('which failures are the relay\'s', () => {
  it.each([
    ['refused', { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:25' }],
    ['reset', { code: 'ECONNECTION', message: 'Connection closed unexpectedly' }],
    ['greeting timeout', { code: 'ETIMEDOUT', message: 'Greeting never received' }],
    ['pool gave up after drops', { message: 'Reached maximum number of retries after connection was closed' }],
    ['421 at DATA', { responseCode: 421, command: 'DATA', response: '421 closing' }],
    ['451 at MAIL FROM', { responseCode: 451, command: 'MAIL FROM', response: '451 local error' }],
  ])('%s', (_name, err: Record<string, unknown>) => expect(isRelayFailure(Object.assign(new Error(String(err.message ?? '')), err))).toBe(true));

  it.each([
    ['a greylisted recipient', { responseCode: 450, command: 'RCPT TO', response: '450 greylisted' }],
    ['a permanent refusal', { responseCode: 550, command: 'RCPT TO', response: '550 no such user' }],
    ['a message the relay refuses for good', { responseCode: 552, command: 'DATA', response: '552 too big' }],
    ['a mail without recipients', { code: 'EENVELOPE', message: 'No recipients defined' }],
  ])('not %s', (_name, err: Record<string, unknown>) => expect(isRelayFailure(Object.assign(new Error(String(err.message ?? '')), err))).toBe(false));
});

describe('relay gate', () => {
  it('is open until a relay failure, then probes once per period until a probe succeeds', () => {
    const gate = createRelayGate(5_000);
    expect(gate.isDown()).toBe(false);
    expect(gate.probeDue(at(0))).toBe(false);
    gate.fail('connect ECONNREFUSED', at(0));
    expect(gate.status()).toEqual({ up: false, downSince: at(0), lastError: 'connect ECONNREFUSED', failedProbes: 0 });
    expect(gate.probeDue(at(4_999))).toBe(false);
    expect(gate.probeDue(at(5_000))).toBe(true);
    gate.probed(at(5_000), 'connect ECONNREFUSED');
    expect(gate.probeDue(at(9_999))).toBe(false);
    expect(gate.status().failedProbes).toBe(1);
    // More failures while down do not move the start of the outage.
    gate.fail('Greeting never received', at(6_000));
    expect(gate.status()).toMatchObject({ downSince: at(0), lastError: 'Greeting never received' });
    gate.probed(at(10_000), null);
    expect(gate.status()).toEqual({ up: true, downSince: null, lastError: null, failedProbes: 0 });
    expect(gate.probeDue(at(20_000))).toBe(false);
  });

  it('opens again when a mail goes through', () => {
    const gate = createRelayGate(5_000);
    gate.fail('421 closing', at(0));
    gate.succeeded();
    expect(gate.isDown()).toBe(false);
  });

  it('probes at least once per backoff base, and at most every 5 s', () => {
    expect(probeInterval(30_000)).toBe(5_000);
    expect(probeInterval(200)).toBe(200);
  });
});
