/**
 * OAuth2 access tokens for IMAP and SMTP accounts. Microsoft 365 and Google refuse passwords
 * over IMAP and SMTP, so each account holds a refresh token and trades it for short-lived
 * access tokens (RFC 6749 section 6). One provider per account caches the access token,
 * refreshes it shortly before it expires, lets concurrent callers share one refresh, keeps a
 * rotated refresh token, and turns a refused refresh into one clear error and one alert per
 * failure streak. Retrying is left to the caller's reconnect loop and its backoff.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';

export type OAuth2Method = 'XOAUTH2' | 'OAUTHBEARER';

/** The oauth2 block of an IMAP mailbox or of smtpOut, as the config schema gives it. */
export interface OAuth2Settings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  scope?: string | undefined;
  user?: string | undefined;
  method?: OAuth2Method | undefined;
}

/** A successful token response, validated. */
export interface IssuedToken {
  accessToken: string;
  expiresInSec: number;
  /** Present when the server rotated the refresh token. */
  refreshToken?: string;
}

export type TokenResponse =
  | { ok: true; token: IssuedToken }
  | { ok: false; error: string; description: string | null };

/** What callers (IMAP sources, the SMTP transport) need from a provider. */
export interface AccessTokenSource {
  /** A valid access token; refreshes first when the cached one is missing or nearly expired. */
  accessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /** Forgets the cached token, e.g. after the server refused it. */
  invalidate(): void;
}

export interface OAuth2Status {
  /** The last refresh failure, null once a refresh succeeded again. */
  lastError: string | null;
  failingSince: Date | null;
  refreshedAt: Date | null;
  expiresAt: Date | null;
  refreshes: number;
}

/** Used when the server omits expires_in (RFC 6749 only recommends it): assume a short life. */
export const DEFAULT_LIFETIME_SEC = 300;
/** Refresh this long before expiry at most, or 10 % of the lifetime for short-lived tokens. */
export const MAX_REFRESH_MARGIN_MS = 60_000;
const REFRESH_MARGIN_SHARE = 0.1;
const DEFAULT_TIMEOUT_MS = 15_000;

/** The moment a token issued at `issuedAtMs` should be replaced. */
export function refreshDueAt(issuedAtMs: number, expiresInSec: number): number {
  const lifetimeMs = Math.max(0, expiresInSec) * 1000;
  return issuedAtMs + lifetimeMs - Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs * REFRESH_MARGIN_SHARE);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** Some servers send expires_in as a string ("3599"); anything else falls back to the default. */
function lifetimeOf(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : DEFAULT_LIFETIME_SEC;
}

/**
 * Validates a token endpoint answer. `body` is the parsed JSON, or the raw text when the
 * answer was not JSON (a proxy's HTML error page), which then becomes the description.
 */
export function parseTokenResponse(status: number, body: unknown): TokenResponse {
  if (!isRecord(body)) {
    const raw = typeof body === 'string' ? body.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
    return { ok: false, error: `http_${status}`, description: raw || 'the answer is not a JSON object' };
  }
  const accessToken = text(body.access_token);
  if (status < 200 || status >= 300 || !accessToken) {
    const error = text(body.error) ?? (status >= 200 && status < 300 ? 'invalid_response' : `http_${status}`);
    const description = text(body.error_description) ?? (accessToken ? null : status < 300 ? 'no access_token in the answer' : null);
    return { ok: false, error, description };
  }
  const tokenType = text(body.token_type);
  if (tokenType && tokenType.toLowerCase() !== 'bearer') {
    return { ok: false, error: 'unsupported_token_type', description: `token_type ${tokenType} is not Bearer` };
  }
  const rotated = text(body.refresh_token);
  const token: IssuedToken = { accessToken, expiresInSec: lifetimeOf(body.expires_in) };
  if (rotated) token.refreshToken = rotated;
  return { ok: true, token };
}

/** The refresh-token grant (RFC 6749 section 6), client credentials in the body. */
export function refreshRequestBody(settings: OAuth2Settings, refreshToken: string): URLSearchParams {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
  });
  if (settings.scope) form.set('scope', settings.scope);
  return form;
}

/** A refused or failed refresh, naming the account and the endpoint's own words. */
export class OAuth2RefreshError extends Error {
  readonly code = 'OAUTH2_REFRESH_FAILED';
  constructor(
    readonly account: string,
    readonly tokenUrl: string,
    readonly error: string,
    readonly description: string | null,
  ) {
    super(`${account}: OAuth2 token refresh at ${tokenUrl} failed: ${error}${description ? ` (${description})` : ''}`);
    this.name = 'OAuth2RefreshError';
  }
}

export interface OAuth2TokenProviderOptions {
  /** Names the account in errors and logs, e.g. `mailbox support`. */
  account: string;
  settings: OAuth2Settings;
  logger: Logger;
  clock?: Clock;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface Cached {
  token: string;
  dueAt: number;
  expiresAt: number;
}

export class OAuth2TokenProvider implements AccessTokenSource {
  readonly account: string;
  private readonly settings: OAuth2Settings;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  /** Starts as the configured one; replaced in memory when the server rotates it. */
  private refreshToken: string;
  private cached: Cached | null = null;
  private inflight: Promise<string> | null = null;
  private lastError: OAuth2RefreshError | null = null;
  private failingSince: Date | null = null;
  private refreshedAt: Date | null = null;
  private refreshes = 0;

  constructor(options: OAuth2TokenProviderOptions) {
    this.account = options.account;
    this.settings = options.settings;
    this.refreshToken = options.settings.refreshToken;
    this.log = options.logger.child({ component: 'oauth2' });
    this.clock = options.clock ?? systemClock;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  accessToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    const cached = this.cached;
    if (!options.forceRefresh && cached && this.clock.now().getTime() < cached.dueAt) {
      return Promise.resolve(cached.token);
    }
    // Single flight: every caller waiting now shares the one request to the token endpoint.
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  invalidate(): void {
    this.cached = null;
  }

  status(): OAuth2Status {
    return {
      lastError: this.lastError?.message ?? null,
      failingSince: this.failingSince,
      refreshedAt: this.refreshedAt,
      expiresAt: this.cached ? new Date(this.cached.expiresAt) : null,
      refreshes: this.refreshes,
    };
  }

  private async refresh(): Promise<string> {
    const response = await this.request();
    if (!response.ok) throw this.failed(response.error, response.description);
    const { token } = response;
    const issuedAt = this.clock.now().getTime();
    this.cached = {
      token: token.accessToken,
      dueAt: refreshDueAt(issuedAt, token.expiresInSec),
      expiresAt: issuedAt + token.expiresInSec * 1000,
    };
    this.refreshes++;
    this.refreshedAt = new Date(issuedAt);
    if (token.refreshToken && token.refreshToken !== this.refreshToken) {
      this.refreshToken = token.refreshToken;
      // Kept in memory only: the configured one may stop working once this one is used.
      this.log.warn({ msg: 'OAuth2 refresh token rotated by the server; the new one is kept in memory', account: this.account });
    }
    if (this.failingSince) {
      this.log.info({ msg: 'OAuth2 token refresh works again', account: this.account, failingSince: this.failingSince });
    }
    this.lastError = null;
    this.failingSince = null;
    this.log.debug({ msg: 'OAuth2 access token refreshed', account: this.account, expiresInSec: token.expiresInSec });
    return token.accessToken;
  }

  private async request(): Promise<TokenResponse> {
    let res: Response;
    try {
      res = await this.fetch(this.settings.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: refreshRequestBody(this.settings, this.refreshToken),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      return { ok: false, error: 'unreachable', description: causeText(err) };
    }
    const raw = await res.text().catch(() => '');
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // Not JSON: the text itself describes the failure.
    }
    return parseTokenResponse(res.status, body);
  }

  /** Records a failure; the alert goes out once per streak, repeats stay at debug level. */
  private failed(error: string, description: string | null): OAuth2RefreshError {
    const failure = new OAuth2RefreshError(this.account, this.settings.tokenUrl, error, description);
    this.cached = null;
    this.lastError = failure;
    if (!this.failingSince) {
      this.failingSince = this.clock.now();
      this.log.error({ msg: failure.message, account: this.account, tokenUrl: this.settings.tokenUrl, oauthError: error, oauthErrorDescription: description });
    } else {
      this.log.debug({ msg: failure.message, account: this.account, failingSince: this.failingSince });
    }
    return failure;
  }
}

function causeText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}
