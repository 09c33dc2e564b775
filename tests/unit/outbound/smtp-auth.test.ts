/**
 * nodemailer authentication options for smtpOut: a password, XOAUTH2 through nodemailer's
 * provision callback, and the OAUTHBEARER exchange (RFC 7628) with one retry on a refused token.
 */
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { describe, expect, it } from 'vitest';
import { authenticateOAuthBearer, oauthBearerPayload, smtpAuthOptions } from '../../../src/outbound/smtp-auth.js';
import type { AccessTokenSource } from '../../../src/platform/oauth2.js';
import { testConfig } from '../../support/config.js';

const oauth2 = { tokenUrl: 'https://login.example.com/token', clientId: 'c', clientSecret: 's', refreshToken: 'r' };

/** Hands out t1, t2, … and records how it was asked. */
function fakeTokens(): AccessTokenSource & { calls: boolean[]; invalidated: number } {
  let n = 0;
  const tokens = {
    calls: [] as boolean[],
    invalidated: 0,
    accessToken: (options: { forceRefresh?: boolean } = {}) => {
      tokens.calls.push(options.forceRefresh ?? false);
      n++;
      return Promise.resolve(`t${n}`);
    },
    invalidate: () => {
      tokens.invalidated++;
    },
  };
  return tokens;
}

type Reply = { status: number; text?: string; response?: string };

function fakeContext(replies: Reply[]) {
  const sent: string[] = [];
  const outcome: { resolved: boolean; rejected: Error | null } = { resolved: false, rejected: null };
  const ctx = {
    sendCommand: (cmd: string) => {
      sent.push(cmd);
      const reply = replies.shift() ?? { status: 535 };
      return Promise.resolve({ command: cmd, status: reply.status, text: reply.text ?? '', response: reply.response ?? `${reply.status} x` });
    },
    resolve: () => {
      outcome.resolved = true;
    },
    reject: (err: Error | string) => {
      outcome.rejected = err instanceof Error ? err : new Error(err);
    },
  } as unknown as SMTPConnection.CustomAuthenticationContext;
  return { ctx, sent, outcome };
}

const decode = (cmd: string | undefined) => Buffer.from((cmd ?? '').split(' ')[2] ?? '', 'base64').toString();

describe('smtpAuthOptions', () => {
  it('uses the password when there is one, and nothing without credentials', () => {
    expect(smtpAuthOptions({ host: 'h', port: 25, user: 'u', password: 'p' }, null)).toEqual({ auth: { user: 'u', pass: 'p' } });
    expect(smtpAuthOptions({ host: 'h', port: 25 }, null)).toEqual({});
  });

  it('refuses oauth2 without a provider or an account address', () => {
    expect(() => smtpAuthOptions({ host: 'h', port: 25, user: 'u', oauth2 }, null)).toThrow(/no token provider/);
    expect(() => smtpAuthOptions({ host: 'h', port: 25, oauth2 }, fakeTokens())).toThrow(/smtpOut\.user or smtpOut\.oauth2\.user/);
  });

  it('gives nodemailer an OAuth2 provision callback that renews when nodemailer asks', async () => {
    const tokens = fakeTokens();
    const options = smtpAuthOptions({ host: 'h', port: 587, user: 'u@example.com', oauth2 }, tokens);
    const auth = options.auth as { type: string; user: string; provisionCallback: (u: string, renew: boolean, cb: (err: Error | null, token: string) => void) => void };
    expect(auth).toMatchObject({ type: 'OAuth2', user: 'u@example.com' });
    expect(options.customAuth).toBeUndefined();
    const ask = (renew: boolean) => new Promise<string>((resolve, reject) => auth.provisionCallback('u', renew, (err, token) => (err ? reject(err) : resolve(token))));
    expect(await ask(false)).toBe('t1');
    expect(await ask(true)).toBe('t2');
    expect(tokens.calls).toEqual([false, true]);
  });

  it('takes the loaded smtpOut section as it is', () => {
    const { smtpOut } = testConfig({ smtpOut: { host: 'smtp.office365.com', port: 587, user: 'support@example.com', oauth2 } });
    expect(smtpAuthOptions(smtpOut, fakeTokens()).auth).toMatchObject({ type: 'OAuth2', user: 'support@example.com' });
  });

  it('installs an OAUTHBEARER handler for oauth2.user when asked for that method', () => {
    const options = smtpAuthOptions({ host: 'h', port: 587, user: 'u', oauth2: { ...oauth2, method: 'OAUTHBEARER', user: 'box@example.com' } }, fakeTokens());
    expect(options.auth).toMatchObject({ type: 'custom', method: 'OAUTHBEARER', user: 'box@example.com' });
    expect(Object.keys(options.customAuth ?? {})).toEqual(['OAUTHBEARER']);
  });
});

describe('OAUTHBEARER', () => {
  it('builds the RFC 7628 client response with an escaped authzid', () => {
    expect(Buffer.from(oauthBearerPayload('a,b=c@example.com', 'smtp.example.com', 587, 'tok'), 'base64').toString()).toBe(
      'n,a=a=2Cb=3Dc@example.com,\x01host=smtp.example.com\x01port=587\x01auth=Bearer tok\x01\x01',
    );
  });

  it('authenticates with the cached token when the server accepts it', async () => {
    const tokens = fakeTokens();
    const { ctx, sent, outcome } = fakeContext([{ status: 235 }]);
    await authenticateOAuthBearer(ctx, { user: 'u', host: 'h', port: 587 }, tokens);
    expect(outcome).toEqual({ resolved: true, rejected: null });
    expect(decode(sent[0])).toContain('auth=Bearer t1');
    expect(tokens.calls).toEqual([false]);
  });

  it('answers an error challenge with %x01, then retries once with a refreshed token', async () => {
    const tokens = fakeTokens();
    const challenge = Buffer.from('{"status":"invalid_token"}').toString('base64');
    const { ctx, sent, outcome } = fakeContext([{ status: 334, text: challenge }, { status: 535 }, { status: 235 }]);
    await authenticateOAuthBearer(ctx, { user: 'u', host: 'h', port: 587 }, tokens);
    expect(sent[1]).toBe('AQ==');
    expect(decode(sent[2])).toContain('auth=Bearer t2');
    expect(tokens.calls).toEqual([false, true]);
    expect(tokens.invalidated).toBe(1);
    expect(outcome.resolved).toBe(true);
  });

  it("rejects with the server's reasons after the retry failed too", async () => {
    const challenge = Buffer.from('{"status":"invalid_token"}').toString('base64');
    const { ctx, outcome } = fakeContext([
      { status: 334, text: challenge },
      { status: 535, response: '535 5.7.8 denied' },
      { status: 334, text: challenge },
      { status: 535, response: '535 5.7.8 denied' },
    ]);
    await authenticateOAuthBearer(ctx, { user: 'u', host: 'h', port: 587 }, fakeTokens());
    expect(outcome.resolved).toBe(false);
    expect(outcome.rejected?.message).toBe('smtpOut: OAUTHBEARER authentication as u failed: 535 5.7.8 denied {"status":"invalid_token"}');
  });
});
