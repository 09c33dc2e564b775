/**
 * How the outbound SMTP transport authenticates: a password, or an OAuth2 access token from
 * the account's token provider (Microsoft 365 and Google refuse passwords over SMTP). The
 * transport spreads the result into nodemailer's options, so it never deals with tokens:
 *
 *   const tokens = smtpTokenProvider(config.smtpOut, log);
 *   nodemailer.createTransport({ host, port, secure, pool, ...smtpAuthOptions(config.smtpOut, tokens) });
 *
 * XOAUTH2 goes through nodemailer's own OAuth2 support (it retries once with a renewed token
 * when the server refuses one); OAUTHBEARER (RFC 7628) is a custom SASL handler.
 */
import type { Logger } from 'pino';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Clock } from '../platform/clock.js';
import { OAuth2TokenProvider, type AccessTokenSource, type OAuth2Settings } from '../platform/oauth2.js';

/** The part of smtpOut that decides authentication. */
export interface SmtpAuthConfig {
  host: string;
  port: number;
  user?: string | undefined;
  password?: string | undefined;
  oauth2?: OAuth2Settings | undefined;
}

/** Spread into nodemailer.createTransport's options; empty when no authentication is set. */
export interface SmtpAuthOptions {
  auth?: SMTPTransport.Options['auth'];
  customAuth?: SMTPConnection.CustomAuthenticationHandlers;
}

/** The token provider for smtpOut, or null when it authenticates with a password or not at all. */
export function smtpTokenProvider(config: SmtpAuthConfig, logger: Logger, clock?: Clock): OAuth2TokenProvider | null {
  if (!config.oauth2) return null;
  return new OAuth2TokenProvider({ account: 'smtpOut', settings: config.oauth2, logger, ...(clock ? { clock } : {}) });
}

export function smtpAuthOptions(config: SmtpAuthConfig, tokens: AccessTokenSource | null): SmtpAuthOptions {
  const { oauth2 } = config;
  if (!oauth2) return config.user && config.password ? { auth: { user: config.user, pass: config.password } } : {};
  if (!tokens) throw new Error('smtpOut: oauth2 is configured but no token provider was given');
  const user = oauth2.user ?? config.user;
  if (!user) throw new Error('smtpOut: oauth2 needs the account address in smtpOut.user or smtpOut.oauth2.user');
  if ((oauth2.method ?? 'XOAUTH2') === 'XOAUTH2') {
    return {
      auth: {
        type: 'OAuth2',
        user,
        // nodemailer asks again with renew=true after the server refused a token.
        provisionCallback: (_user, renew, callback) => {
          tokens.accessToken({ forceRefresh: renew }).then(
            (token) => callback(null, token, 0),
            (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), '', 0),
          );
        },
      },
    };
  }
  return {
    auth: { type: 'custom', method: 'OAUTHBEARER', user, pass: '' },
    customAuth: { OAUTHBEARER: (ctx) => authenticateOAuthBearer(ctx, { user, host: config.host, port: config.port }, tokens) },
  };
}

/** RFC 7628 section 3.1 client response; "," and "=" in the user are escaped as in RFC 5801. */
export function oauthBearerPayload(user: string, host: string, port: number, token: string): string {
  const authzid = user.replace(/=/g, '=3D').replace(/,/g, '=2C');
  return Buffer.from(`n,a=${authzid},\x01host=${host}\x01port=${port}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
}

/**
 * AUTH OAUTHBEARER with one retry: a refused token is dropped and a fresh one tried once, so
 * a token revoked before its expiry costs one round trip instead of a failed delivery.
 */
export async function authenticateOAuthBearer(
  ctx: SMTPConnection.CustomAuthenticationContext,
  account: { user: string; host: string; port: number },
  tokens: AccessTokenSource,
): Promise<void> {
  let lastFailure = '';
  for (const forceRefresh of [false, true]) {
    const token = await tokens.accessToken({ forceRefresh });
    let reply = await ctx.sendCommand(`AUTH OAUTHBEARER ${oauthBearerPayload(account.user, account.host, account.port, token)}`);
    if (reply.status === 334) {
      // The server's error details (RFC 7628 section 3.2.2); %x01 asks for the final reply.
      lastFailure = Buffer.from(reply.text.trim(), 'base64').toString('utf8');
      reply = await ctx.sendCommand(Buffer.from('\x01').toString('base64'));
    }
    if (reply.status === 235) {
      ctx.resolve();
      return;
    }
    lastFailure = `${reply.response}${lastFailure ? ` ${lastFailure}` : ''}`;
    tokens.invalidate();
  }
  ctx.reject(new Error(`smtpOut: OAUTHBEARER authentication as ${account.user} failed: ${lastFailure}`));
}
