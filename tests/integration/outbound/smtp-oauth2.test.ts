/**
 * Outbound SMTP over XOAUTH2: nodemailer, given smtpAuthOptions, authenticates to an
 * in-process smtp-server that accepts only tokens the local authorization server issued and
 * still considers active; a revoked token is renewed transparently, and a refused refresh
 * fails the delivery with an error naming smtpOut and the endpoint's reason.
 */
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { smtpAuthOptions, smtpTokenProvider, type SmtpAuthConfig } from '../../../src/outbound/smtp-auth.js';
import { startOAuthServer, type OAuthServer } from '../../support/oauth-server.js';

const USER = 'support@support.example.com';
let oauth: OAuthServer;
let server: SMTPServer;
let port = 0;
const accepted: Array<{ user: string | undefined; from: string }> = [];

/** Asks the introspection endpoint, as a real mail server would ask its identity provider. */
async function isActive(token: string): Promise<{ active: boolean; username?: string }> {
  const res = await fetch(oauth.introspectionUrl, { method: 'POST', body: new URLSearchParams({ token }) });
  return (await res.json()) as { active: boolean; username?: string };
}

beforeAll(async () => {
  oauth = await startOAuthServer({ users: [USER] });
  server = new SMTPServer({
    authMethods: ['XOAUTH2'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      void isActive(auth.accessToken ?? '').then((info) =>
        info.active && info.username === auth.username
          ? callback(null, { user: auth.username })
          : callback(null, { data: { status: '401', schemes: 'bearer' } }),
      );
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        accepted.push({ user: session.user as string | undefined, from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterEach(() => {
  oauth.failure = null;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await oauth.close();
});

function smtpOut(): SmtpAuthConfig {
  return {
    host: '127.0.0.1',
    port,
    user: USER,
    oauth2: { tokenUrl: oauth.tokenUrl, clientId: oauth.clientId, clientSecret: oauth.clientSecret, refreshToken: oauth.refreshTokenOf(USER) },
  };
}

function transport(config: SmtpAuthConfig, tokens: ReturnType<typeof smtpTokenProvider>) {
  return nodemailer.createTransport({ host: config.host, port: config.port, secure: false, ignoreTLS: true, ...smtpAuthOptions(config, tokens) });
}

const mail = (n: number) => ({ from: USER, to: 'customer@example.com', subject: `test ${n}`, text: 'hello' });

describe('smtpOut with OAuth2', () => {
  it('sends with a refreshed token and reuses it for the next connection', async () => {
    const config = smtpOut();
    const tokens = smtpTokenProvider(config, pino({ level: 'silent' }));
    const before = oauth.refreshes.length;
    await transport(config, tokens).sendMail(mail(1));
    await transport(config, tokens).sendMail(mail(2));
    expect(accepted.slice(-2)).toEqual([
      { user: USER, from: USER },
      { user: USER, from: USER },
    ]);
    expect(oauth.refreshes.length - before).toBe(1);
  });

  it('renews a token the server stopped accepting and still delivers', async () => {
    const config = smtpOut();
    const tokens = smtpTokenProvider(config, pino({ level: 'silent' }));
    await transport(config, tokens).sendMail(mail(3));
    const before = oauth.refreshes.length;
    oauth.revokeAccessTokens();
    await transport(config, tokens).sendMail(mail(4));
    expect(oauth.refreshes.length - before).toBe(1);
    expect(accepted.at(-1)).toEqual({ user: USER, from: USER });
  });

  it('fails the delivery with the endpoint reason when the refresh is refused', async () => {
    const config = smtpOut();
    const tokens = smtpTokenProvider(config, pino({ level: 'silent' }));
    oauth.failure = { error: 'invalid_grant', description: 'AADSTS50173: The grant was revoked.' };
    await expect(transport(config, tokens).sendMail(mail(5))).rejects.toThrow(
      `smtpOut: OAuth2 token refresh at ${oauth.tokenUrl} failed: invalid_grant (AADSTS50173: The grant was revoked.)`,
    );
    expect(tokens?.status().lastError).toMatch(/invalid_grant/);
    oauth.failure = null;
    await transport(config, tokens).sendMail(mail(6));
    expect(tokens?.status().lastError).toBeNull();
  });
});
