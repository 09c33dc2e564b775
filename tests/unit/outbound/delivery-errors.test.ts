import { describe, expect, it } from 'vitest';
import { classifyDeliveryError, describeDeliveryError, enhancedStatus, isPermanentRecipientReply, retryDelayMs } from '../../../src/outbound/delivery-errors.js';

/** The shape nodemailer gives a failed send (smtp-connection `_formatError`). */
function smtpError(response: string, command: string, code = 'EENVELOPE'): Error {
  const responseCode = Number(/^\d+/.exec(response)?.[0]);
  return Object.assign(new Error(`failed: ${response}`), { code, response, responseCode, command });
}

describe('classifyDeliveryError', () => {
  it('treats a 4xx reply as transient', () => {
    expect(classifyDeliveryError(smtpError('451 4.7.1 Greylisted', 'RCPT TO'))).toEqual({ kind: 'retry', reason: '451 4.7.1 Greylisted' });
    expect(classifyDeliveryError(smtpError('421 Service not available', 'DATA', 'EMESSAGE')).kind).toBe('retry');
  });

  it('treats network failures and unknown errors as transient', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' });
    expect(classifyDeliveryError(refused)).toEqual({ kind: 'retry', reason: 'connect ECONNREFUSED 127.0.0.1:25' });
    expect(classifyDeliveryError(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' })).kind).toBe('retry');
    expect(classifyDeliveryError('something odd').kind).toBe('retry');
    expect(classifyDeliveryError(null).kind).toBe('retry');
  });

  it('treats a 5xx at RCPT TO as a permanent rejection of the recipient', () => {
    expect(classifyDeliveryError(smtpError('550 5.1.1 No such user', 'RCPT TO'))).toEqual({
      kind: 'permanent',
      reason: '550 5.1.1 No such user',
      recipientRejected: true,
    });
  });

  it('treats a 5xx about the message or the sender as permanent without blaming the recipient', () => {
    expect(classifyDeliveryError(smtpError('554 5.7.1 Spam', 'DATA', 'EMESSAGE'))).toMatchObject({ kind: 'permanent', recipientRejected: false });
    expect(classifyDeliveryError(smtpError('553 sender rejected', 'MAIL FROM'))).toMatchObject({ kind: 'permanent', recipientRejected: false });
  });

  it('keeps the server answer on one line', () => {
    expect(describeDeliveryError(smtpError('550-5.1.1 line one\r\n550 5.1.1 line two', 'RCPT TO'))).toBe('550-5.1.1 line one 550 5.1.1 line two');
  });

  it('recognises final recipient replies', () => {
    expect(isPermanentRecipientReply('550 no')).toBe(true);
    expect(isPermanentRecipientReply('452 mailbox full')).toBe(false);
    expect(isPermanentRecipientReply('')).toBe(false);
  });
});

describe('retryDelayMs', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it('doubles from the base with equal jitter', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('is capped at the maximum, even for huge attempt counts', () => {
    expect(retryDelayMs(7, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(1000, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(1000, policy, () => 0)).toBe(30_000);
  });

  it('stays within half and all of the capped delay whatever the random source says', () => {
    for (const r of [-5, 0.25, 0.75, 7]) {
      const d = retryDelayMs(3, policy, () => r);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});

it('reads the enhanced status code of a reply, and only a well-formed one', () => {
  expect(enhancedStatus('550 5.1.1 <a@b.example>: user unknown')).toBe('5.1.1');
  expect(enhancedStatus('552-5.2.2 The mailbox is full')).toBe('5.2.2');
  expect(enhancedStatus('550 Mailbox unavailable')).toBeNull();
  expect(enhancedStatus('550 5.1.10 Recipient not found')).toBe('5.1.10');
  expect(enhancedStatus('550 5.1.1234 odd')).toBeNull();
});
