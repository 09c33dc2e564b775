/**
 * A stand-in OAuth2 authorization server on 127.0.0.1, port 0: the token endpoint casemail
 * refreshes access tokens at (RFC 6749 section 6) and the introspection endpoint Dovecot's
 * oauth2 passdb asks whether a presented token is valid (RFC 7662). It only knows the tokens
 * it issued, honours their expiry, and can be told to refuse refreshes, to rotate refresh
 * tokens, to issue short-lived tokens or to answer slowly, so tests can drive every path.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuthFailure {
  error: string;
  description?: string;
  status?: number;
}

export interface OAuthServer {
  tokenUrl: string;
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  /** The refresh token currently accepted for a user (changes when rotation is on). */
  refreshTokenOf(user: string): string;
  /** Lifetime of the access tokens issued from now on. */
  lifetimeSec: number;
  /** Issue a new refresh token with each refresh and stop accepting the old one. */
  rotate: boolean;
  /** Refuse every refresh with this answer until set back to null. */
  failure: OAuthFailure | null;
  /** Wait this long before answering a refresh (to overlap concurrent callers). */
  delayMs: number;
  /** Refresh requests received, successful or not, with the user they were for. */
  readonly refreshes: Array<{ user: string | null; ok: boolean }>;
  /** Access tokens the introspection endpoint was asked about, and its verdict. */
  readonly introspections: Array<{ token: string; active: boolean }>;
  /** Stops accepting every access token issued so far (as a revocation or key roll would). */
  revokeAccessTokens(): void;
  /** Every access token issued, in order. */
  readonly issued: Array<{ user: string; token: string; expiresAt: number }>;
  close(): Promise<void>;
}

const token = (): string => randomBytes(18).toString('base64url');

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startOAuthServer(options: { users: string[] }): Promise<OAuthServer> {
  const clientId = 'casemail-test';
  const clientSecret = token();
  const refreshTokens = new Map<string, string>(options.users.map((user) => [token(), user]));
  const accessTokens = new Map<string, { user: string; expiresAt: number }>();

  const state = {
    lifetimeSec: 3600,
    rotate: false,
    failure: null as OAuthFailure | null,
    delayMs: 0,
    refreshes: [] as Array<{ user: string | null; ok: boolean }>,
    introspections: [] as Array<{ token: string; active: boolean }>,
    issued: [] as Array<{ user: string; token: string; expiresAt: number }>,
  };

  async function onToken(form: URLSearchParams, res: ServerResponse): Promise<void> {
    const user = refreshTokens.get(form.get('refresh_token') ?? '') ?? null;
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    const refuse = (status: number, error: string, description: string): void => {
      state.refreshes.push({ user, ok: false });
      send(res, status, { error, error_description: description });
    };
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      return refuse(401, 'invalid_client', 'Client authentication failed.');
    }
    if (form.get('grant_type') !== 'refresh_token') return refuse(400, 'unsupported_grant_type', 'Only refresh_token.');
    if (state.failure) {
      const { status = 400, error, description = '' } = state.failure;
      return refuse(status, error, description);
    }
    if (!user) return refuse(400, 'invalid_grant', 'Token has been expired or revoked.');
    const access = token();
    const expiresAt = Date.now() + state.lifetimeSec * 1000;
    accessTokens.set(access, { user, expiresAt });
    state.issued.push({ user, token: access, expiresAt });
    state.refreshes.push({ user, ok: true });
    const body: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: state.lifetimeSec };
    if (state.rotate) {
      refreshTokens.delete(form.get('refresh_token') ?? '');
      const next = token();
      refreshTokens.set(next, user);
      body.refresh_token = next;
    }
    send(res, 200, body);
  }

  function onIntrospect(form: URLSearchParams, res: ServerResponse): void {
    const presented = form.get('token') ?? '';
    const known = accessTokens.get(presented);
    const active = Boolean(known && known.expiresAt > Date.now());
    state.introspections.push({ token: presented, active });
    send(res, 200, active && known ? { active: true, username: known.user } : { active: false });
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const form = await readForm(req);
      if (req.method === 'POST' && req.url === '/token') await onToken(form, res);
      else if (req.method === 'POST' && req.url === '/introspect') onIntrospect(form, res);
      else send(res, 404, { error: 'not_found' });
    })().catch((err: unknown) => send(res, 500, { error: 'server_error', error_description: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return Object.assign(state, {
    tokenUrl: `${base}/token`,
    introspectionUrl: `${base}/introspect`,
    clientId,
    clientSecret,
    refreshTokenOf(user: string): string {
      for (const [refresh, owner] of refreshTokens) if (owner === user) return refresh;
      throw new Error(`no refresh token for ${user}`);
    },
    revokeAccessTokens(): void {
      accessTokens.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
