/**
 * IMAP with OAuth2 against a real Dovecot whose oauth2 passdb asks a local authorization
 * server about every token: mail flows with a refreshed access token, tokens are renewed
 * before they expire across reconnects, a refused refresh is one clear alert and a status
 * that /readyz shows, and reading resumes by itself once the endpoint recovers.
 */
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ImapSource, type ImapSourceOptions } from '../../../src/inbound/imap/source.js';
import type { ImapMailboxConfig } from '../../../src/inbound/imap/types.js';
import { OAuth2TokenProvider } from '../../../src/platform/oauth2.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { MemoryCursorStore, MemorySink, eventually, messageIdOf, testMessage } from '../../support/inbound.js';
import { startOAuthServer, type OAuthServer } from '../../support/oauth-server.js';

const NEVER = '0 0 1 1 *';
const fastBackoff = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.2, stableAfterMs: 5_000 };
const USERS = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'];

let oauth: OAuthServer;
let dovecot: Dovecot;
const running: ImapSource[] = [];

beforeAll(async () => {
  oauth = await startOAuthServer({ users: USERS });
  dovecot = await startDovecot({ users: USERS, oauth2: { introspectionUrl: oauth.introspectionUrl } });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((source) => source.stop()));
  oauth.failure = null;
  oauth.lifetimeSec = 3600;
  oauth.delayMs = 0;
  oauth.rotate = false;
});

afterAll(async () => {
  await dovecot?.stop();
  await oauth?.close();
});

function mailbox(user: string, overrides: Partial<ImapMailboxConfig> = {}): ImapMailboxConfig {
  return {
    name: user,
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    user,
    oauth2: { tokenUrl: oauth.tokenUrl, clientId: oauth.clientId, clientSecret: oauth.clientSecret, refreshToken: oauth.refreshTokenOf(user) },
    folder: 'INBOX',
    processedFolder: 'Processed',
    quarantineFolder: 'Quarantine',
    afterProcessing: 'move',
    idle: true,
    resyncCron: NEVER,
    batchSize: 10,
    ...overrides,
  };
}

/** A logger whose lines the test can read back. */
function capturedLogger(): { logger: Logger; lines: Array<{ level: number; msg: string; mailbox?: string }> } {
  const lines: Array<{ level: number; msg: string; mailbox?: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function startSource(options: Omit<ImapSourceOptions, 'logger'> & { logger?: Logger }): ImapSource {
  const source = new ImapSource({ logger: pino({ level: 'silent' }), backoff: fastBackoff, idleDelayMs: 200, ...options });
  running.push(source);
  source.start();
  return source;
}

async function processed(user: string): Promise<string[]> {
  return (await dovecot.list(user, 'Processed')).map((m) => messageIdOf(m.raw) ?? '?').sort();
}

const refreshesOf = (user: string) => oauth.refreshes.filter((r) => r.user === user);
const issuedTo = (user: string) => oauth.issued.filter((t) => t.user === user).map((t) => t.token);

describe('ImapSource with OAuth2', () => {
  it('reads mail after authenticating with a refreshed access token', async () => {
    const user = 'o1';
    await dovecot.append(user, 'INBOX', testMessage(1));
    const sink = new MemorySink();
    const source = startSource({ config: mailbox(user), cursors: new MemoryCursorStore(), ingest: sink.ingest });

    await eventually(async () => expect(await processed(user)).toEqual(['<msg-1@example.com>']));
    expect(source.status()).toMatchObject({ connected: true, lastError: null });
    expect(refreshesOf(user)).toEqual([{ user, ok: true }]);
    const token = issuedTo(user)[0];
    expect(oauth.introspections).toContainEqual({ token, active: true });
    // imapflow prefers OAUTHBEARER (RFC 7628) when the server offers it.
    expect(await readFile(`${dovecot.dir}/dovecot.log`, 'utf8')).toMatch(new RegExp(`Login: user=<${user}>, method=OAUTHBEARER`));

    await dovecot.append(user, 'INBOX', testMessage(2));
    await eventually(async () => expect(await processed(user)).toHaveLength(2));
  });

  it('fetches a new token for a reconnect once the old one is near expiry, and mail still flows', async () => {
    const user = 'o2';
    oauth.lifetimeSec = 2;
    await dovecot.append(user, 'INBOX', testMessage(1));
    const sink = new MemorySink();
    const source = startSource({ config: mailbox(user), cursors: new MemoryCursorStore(), ingest: sink.ingest });
    await eventually(async () => expect(await processed(user)).toHaveLength(1));
    expect(issuedTo(user)).toHaveLength(1);

    // Past the refresh point (90 % of 2 s): the next connection attempt must not reuse it.
    await new Promise((r) => setTimeout(r, 2_200));
    await dovecot.restart();
    await dovecot.append(user, 'INBOX', testMessage(2));
    await eventually(async () => expect(await processed(user)).toHaveLength(2));
    expect(source.status()).toMatchObject({ connected: true });

    const tokens = issuedTo(user);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const presented = oauth.introspections.filter((i) => tokens.includes(i.token));
    expect(presented.map((i) => i.active)).not.toContain(false);
    expect(new Set(presented.map((i) => i.token)).size).toBeGreaterThanOrEqual(2);
  });

  it('drops a token the server refuses and authenticates with a new one on the next attempt', async () => {
    const user = 'o3';
    const sink = new MemorySink();
    const source = startSource({ config: mailbox(user), cursors: new MemoryCursorStore(), ingest: sink.ingest });
    await eventually(() => expect(source.status().connected).toBe(true));
    oauth.revokeAccessTokens();
    await dovecot.restart();
    await dovecot.append(user, 'INBOX', testMessage(1));

    await eventually(async () => expect(await processed(user)).toHaveLength(1));
    expect(refreshesOf(user).length).toBeGreaterThanOrEqual(2);
    const refused = oauth.introspections.filter((i) => !i.active && issuedTo(user).includes(i.token));
    expect(refused).toHaveLength(1);
  });

  it('shows a refused refresh in the status and alerts once, then reads again when the endpoint recovers', async () => {
    const user = 'o4';
    oauth.failure = { error: 'invalid_grant', description: 'Token has been expired or revoked.' };
    await dovecot.append(user, 'INBOX', testMessage(1));
    const { logger, lines } = capturedLogger();
    const sink = new MemorySink();
    const source = startSource({ config: mailbox(user), cursors: new MemoryCursorStore(), ingest: sink.ingest, logger });

    await eventually(() => expect(refreshesOf(user).length).toBeGreaterThanOrEqual(3));
    const expected = `OAUTH2_REFRESH_FAILED: mailbox ${user}: OAuth2 token refresh at ${oauth.tokenUrl} failed: invalid_grant (Token has been expired or revoked.)`;
    expect(source.status()).toMatchObject({ connected: false, lastError: expected });
    const alerts = lines.filter((l) => l.level === 50);
    expect(alerts).toEqual([expect.objectContaining({ mailbox: user, msg: expected.replace('OAUTH2_REFRESH_FAILED: ', '') })]);
    expect(sink.calls).toHaveLength(0);

    oauth.failure = null;
    await eventually(async () => expect(await processed(user)).toEqual(['<msg-1@example.com>']));
    expect(source.status()).toMatchObject({ connected: true, lastError: null });
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    expect(lines.some((l) => /works again/.test(l.msg))).toBe(true);
  });

  it('refreshes once for two folders of one account connecting at the same time', async () => {
    const user = 'o5';
    oauth.delayMs = 300;
    await dovecot.append(user, 'INBOX', testMessage(1));
    await dovecot.append(user, 'Billing', testMessage(2));
    const config = mailbox(user);
    const tokenProvider = new OAuth2TokenProvider({ account: `account ${user}`, settings: config.oauth2!, logger: pino({ level: 'silent' }) });
    const cursors = new MemoryCursorStore();
    const sink = new MemorySink();
    const first = startSource({ config, cursors, ingest: sink.ingest, tokenProvider });
    const second = startSource({ config: { ...config, name: `${user}-billing`, folder: 'Billing' }, cursors, ingest: sink.ingest, tokenProvider });

    await sink.waitForStored(2);
    await eventually(() => expect([first.status().connected, second.status().connected]).toEqual([true, true]));
    expect(refreshesOf(user)).toHaveLength(1);
  });

  it('falls back to XOAUTH2 on a server that offers only that, as Microsoft 365 does', async () => {
    const user = 'o1';
    const xoauth2Only = await startDovecot({ users: [user], oauth2: { introspectionUrl: oauth.introspectionUrl, mechanisms: ['xoauth2'] } });
    try {
      await xoauth2Only.append(user, 'INBOX', testMessage(1));
      const sink = new MemorySink();
      startSource({ config: mailbox(user, { port: xoauth2Only.port }), cursors: new MemoryCursorStore(), ingest: sink.ingest });
      await sink.waitForStored(1);
      expect(await readFile(`${xoauth2Only.dir}/dovecot.log`, 'utf8')).toMatch(new RegExp(`Login: user=<${user}>, method=XOAUTH2`));
    } finally {
      await Promise.all(running.splice(0).map((source) => source.stop()));
      await xoauth2Only.stop();
    }
  });

  it('keeps a rotated refresh token and uses it for the next refresh', async () => {
    const user = 'o6';
    oauth.rotate = true;
    oauth.lifetimeSec = 1;
    const configured = oauth.refreshTokenOf(user);
    const sink = new MemorySink();
    const source = startSource({ config: mailbox(user), cursors: new MemoryCursorStore(), ingest: sink.ingest });
    await eventually(() => expect(source.status().connected).toBe(true));
    expect(oauth.refreshTokenOf(user)).not.toBe(configured);

    await new Promise((r) => setTimeout(r, 1_100));
    await dovecot.restart();
    await dovecot.append(user, 'INBOX', testMessage(1));
    await eventually(async () => expect(await processed(user)).toHaveLength(1));
    expect(refreshesOf(user).map((r) => r.ok)).not.toContain(false);
    expect(refreshesOf(user).length).toBeGreaterThanOrEqual(2);
  });
});
