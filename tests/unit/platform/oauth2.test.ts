/**
 * The OAuth2 token provider without a network: expiry arithmetic, validation of token
 * endpoint answers, caching, single-flight refreshes, refresh-token rotation and the one
 * alert per failure streak.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/platform/clock.js';
import {
  DEFAULT_LIFETIME_SEC,
  OAuth2RefreshError,
  OAuth2TokenProvider,
  parseTokenResponse,
  refreshDueAt,
  refreshRequestBody,
  type OAuth2Settings,
} from '../../../src/platform/oauth2.js';

const settings: OAuth2Settings = {
  tokenUrl: 'https://login.example.com/token',
  clientId: 'client',
  clientSecret: 'shh',
  refreshToken: 'refresh-1',
  scope: 'imap offline_access',
};

describe('refreshDueAt', () => {
  it('refreshes a one-hour token a minute early', () => {
    expect(refreshDueAt(0, 3600)).toBe(3_540_000);
  });

  it('refreshes a short-lived token at 90 % of its life', () => {
    expect(refreshDueAt(1_000, 2)).toBe(1_000 + 1_800);
    expect(refreshDueAt(0, 300)).toBe(270_000);
  });
});

describe('parseTokenResponse', () => {
  it('accepts a bearer token, a string expires_in and a rotated refresh token', () => {
    expect(parseTokenResponse(200, { access_token: 'a', token_type: 'Bearer', expires_in: '3599', refresh_token: 'r2' })).toEqual({
      ok: true,
      token: { accessToken: 'a', expiresInSec: 3599, refreshToken: 'r2' },
    });
  });

  it('assumes a short life when expires_in is missing or nonsense', () => {
    expect(parseTokenResponse(200, { access_token: 'a' })).toEqual({ ok: true, token: { accessToken: 'a', expiresInSec: DEFAULT_LIFETIME_SEC } });
    expect(parseTokenResponse(200, { access_token: 'a', expires_in: -5 })).toMatchObject({ token: { expiresInSec: DEFAULT_LIFETIME_SEC } });
  });

  it("keeps the endpoint's error and error_description", () => {
    expect(parseTokenResponse(400, { error: 'invalid_grant', error_description: 'AADSTS70008: expired' })).toEqual({
      ok: false,
      error: 'invalid_grant',
      description: 'AADSTS70008: expired',
    });
  });

  it('explains answers that are not usable tokens', () => {
    expect(parseTokenResponse(200, { token_type: 'Bearer' })).toEqual({ ok: false, error: 'invalid_response', description: 'no access_token in the answer' });
    expect(parseTokenResponse(200, { access_token: 'a', token_type: 'mac' })).toMatchObject({ ok: false, error: 'unsupported_token_type' });
    expect(parseTokenResponse(502, '<html>\n<body>Bad gateway</body></html>')).toEqual({
      ok: false,
      error: 'http_502',
      description: '<html> <body>Bad gateway</body></html>',
    });
    expect(parseTokenResponse(500, {})).toEqual({ ok: false, error: 'http_500', description: null });
  });
});

describe('refreshRequestBody', () => {
  it('is a refresh_token grant with the client credentials and scope', () => {
    expect(Object.fromEntries(refreshRequestBody(settings, 'refresh-1'))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: 'client',
      client_secret: 'shh',
      scope: 'imap offline_access',
    });
  });
});

type Answer = { status: number; body: unknown };

/** A token endpoint as a fetch function: answers from a queue, records each form sent. */
function fakeEndpoint(answers: Answer[]) {
  const forms: Array<Record<string, string>> = [];
  let release: (() => void) | null = null;
  const gate = { hold: false, open: () => release?.() };
  const fetchFn = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    forms.push(Object.fromEntries(init?.body as URLSearchParams));
    if (gate.hold) await new Promise<void>((r) => (release = r));
    const answer = answers.shift() ?? { status: 500, body: { error: 'no more answers' } };
    return new Response(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body), { status: answer.status });
  };
  return { forms, gate, fetch: fetchFn as typeof fetch };
}

function capturedLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

const ok = (token: string, expiresIn = 3600, refresh?: string): Answer => ({
  status: 200,
  body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(refresh ? { refresh_token: refresh } : {}) },
});
const refused: Answer = { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been revoked.' } };

function provider(answers: Answer[]) {
  const endpoint = fakeEndpoint(answers);
  const clock = fixedClock(new Date('2026-01-01T00:00:00Z'));
  const { lines, logger } = capturedLogger();
  const tokens = new OAuth2TokenProvider({ account: 'mailbox support', settings, logger, clock, fetch: endpoint.fetch });
  return { tokens, clock, lines, ...endpoint };
}

describe('OAuth2TokenProvider', () => {
  it('caches the access token until shortly before it expires', async () => {
    const { tokens, clock, forms } = provider([ok('t1', 3600), ok('t2', 3600)]);
    expect(await tokens.accessToken()).toBe('t1');
    clock.advance(3_539_000);
    expect(await tokens.accessToken()).toBe('t1');
    clock.advance(1_000);
    expect(await tokens.accessToken()).toBe('t2');
    expect(forms).toHaveLength(2);
    expect(tokens.status()).toMatchObject({ refreshes: 2, lastError: null, expiresAt: new Date(clock.now().getTime() + 3_600_000) });
  });

  it('refreshes again after invalidate() or when forced', async () => {
    const { tokens, forms } = provider([ok('t1'), ok('t2'), ok('t3')]);
    await tokens.accessToken();
    tokens.invalidate();
    expect(await tokens.accessToken()).toBe('t2');
    expect(await tokens.accessToken({ forceRefresh: true })).toBe('t3');
    expect(forms).toHaveLength(3);
  });

  it('lets concurrent callers share one refresh', async () => {
    const { tokens, forms, gate } = provider([ok('t1')]);
    gate.hold = true;
    const waiting = Promise.all([tokens.accessToken(), tokens.accessToken(), tokens.accessToken()]);
    await new Promise((r) => setTimeout(r, 10));
    gate.open();
    expect(await waiting).toEqual(['t1', 't1', 't1']);
    expect(forms).toHaveLength(1);
  });

  it('uses a rotated refresh token from then on and says so', async () => {
    const { tokens, forms, lines } = provider([ok('t1', 3600, 'refresh-2'), ok('t2')]);
    await tokens.accessToken();
    await tokens.accessToken({ forceRefresh: true });
    expect(forms.map((f) => f.refresh_token)).toEqual(['refresh-1', 'refresh-2']);
    expect(lines.filter((l) => /refresh token rotated/.test(l.msg))).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('refresh-2');
  });

  it('names the account, the endpoint and its error, and alerts once per failure streak', async () => {
    const { tokens, lines } = provider([refused, refused, ok('t1'), refused]);
    const first = await tokens.accessToken().catch((err: unknown) => err);
    expect(first).toBeInstanceOf(OAuth2RefreshError);
    expect((first as Error).message).toBe(
      'mailbox support: OAuth2 token refresh at https://login.example.com/token failed: invalid_grant (Token has been revoked.)',
    );
    await expect(tokens.accessToken()).rejects.toThrow(/invalid_grant/);
    expect(tokens.status()).toMatchObject({ lastError: (first as Error).message, failingSince: expect.any(Date) });
    const errors = () => lines.filter((l) => l.level === 50);
    expect(errors()).toHaveLength(1);

    expect(await tokens.accessToken()).toBe('t1');
    expect(tokens.status()).toMatchObject({ lastError: null, failingSince: null });
    expect(lines.some((l) => /works again/.test(l.msg))).toBe(true);

    await expect(tokens.accessToken({ forceRefresh: true })).rejects.toThrow(/invalid_grant/);
    expect(errors()).toHaveLength(2);
  });

  it('reports an unreachable endpoint with the cause', async () => {
    const clock = fixedClock(new Date());
    const tokens = new OAuth2TokenProvider({
      account: 'smtpOut',
      settings,
      logger: pino({ level: 'silent' }),
      clock,
      fetch: (() => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }))) as typeof fetch,
    });
    await expect(tokens.accessToken()).rejects.toThrow('smtpOut: OAuth2 token refresh at https://login.example.com/token failed: unreachable (fetch failed: connect ECONNREFUSED 127.0.0.1:9)');
  });
});
