import { describe, expect, it } from 'vitest';
import { InboundSmtpError, smtpErrorFor, smtpReplyFor } from '../../../src/inbound/smtp/replies.js';

describe('smtpReplyFor', () => {
  it('refuses foreign recipients permanently', () => {
    const reply = smtpReplyFor(new InboundSmtpError('RECIPIENT_DOMAIN_REJECTED', '<a@b.example>: not here'));
    expect(reply).toEqual({ code: 550, enhanced: '5.1.1', message: '<a@b.example>: not here' });
  });

  it('refuses malformed recipients permanently', () => {
    expect(smtpReplyFor(new InboundSmtpError('RECIPIENT_INVALID', 'bad')).code).toBe(553);
  });

  it('refuses oversized mail permanently with 552 5.3.4', () => {
    expect(smtpReplyFor(new InboundSmtpError('MESSAGE_TOO_LARGE', 'too big'))).toMatchObject({
      code: 552,
      enhanced: '5.3.4',
    });
  });

  it('asks the MTA to retry when ingest is unavailable', () => {
    expect(smtpReplyFor(new InboundSmtpError('INGEST_UNAVAILABLE', 'later'))).toMatchObject({
      code: 451,
      enhanced: '4.3.0',
    });
  });

  it('never bounces mail because of our own failure: unknown errors are temporary', () => {
    for (const err of [new Error('connection terminated'), 'boom', null, undefined, { code: 550 }]) {
      const reply = smtpReplyFor(err);
      expect(reply.code).toBe(451);
      expect(reply.enhanced).toBe('4.3.0');
    }
  });

  it('keeps internal error details out of the reply text', () => {
    expect(smtpReplyFor(new Error('password authentication failed for user casemail')).message).not.toContain(
      'password',
    );
  });
});

describe('smtpErrorFor', () => {
  it('produces the responseCode smtp-server reads', () => {
    const err = smtpErrorFor(new InboundSmtpError('MESSAGE_TOO_LARGE', 'too big'));
    expect(err).toBeInstanceOf(Error);
    expect(err.responseCode).toBe(552);
    expect(err.message).toBe('too big');
  });
});
