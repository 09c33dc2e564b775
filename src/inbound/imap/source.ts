/**
 * Keeps one IMAP mailbox read: connects (a fresh ImapFlow client per attempt, since an
 * imapflow instance cannot be reused), syncs on connect, on IDLE's EXISTS notifications and on
 * a cron safety net, and reconnects with capped, jittered backoff when the connection drops.
 * Reading and acknowledging live in sync.ts; this class only owns the connection, the timers
 * and the health snapshot. Exactly one timer per mailbox exists at any time, so a flapping
 * server never multiplies reconnect attempts. A mailbox configured with oauth2 gets a valid
 * access token before each attempt; a failed refresh is retried by the same reconnect loop.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import cron, { type ScheduledTask, type TaskOptions } from 'node-cron';
import type { Logger } from 'pino';
import { OAuth2TokenProvider, type AccessTokenSource } from '../../platform/oauth2.js';
import { systemClock, type Clock } from '../clock.js';
import type { IngestFn } from '../types.js';
import { ackFolders, withServerDelimiter } from './acknowledge.js';
import { attemptAfterDisconnect, backoffDelay, defaultBackoffPolicy, type BackoffPolicy } from './backoff.js';
import { syncFolder } from './sync.js';
import type { CursorStore, ImapMailboxConfig, ImapSourceStatus } from './types.js';

export interface ImapSourceOptions {
  config: ImapMailboxConfig;
  ingest: IngestFn;
  cursors: CursorStore;
  logger: Logger;
  clock?: Clock;
  backoff?: BackoffPolicy;
  /** Source of randomness for the backoff jitter. */
  random?: () => number;
  /**
   * Quiet time before imapflow enters IDLE. Its default of 15 s would delay every new mail
   * by that much after each command. A sync holds the mailbox lock and imapflow never IDLEs
   * while a lock is held, so a short delay cannot interleave IDLE with a sync; mail that
   * arrives just after a sync is then seen within Dovecot's notification delay.
   */
  idleDelayMs?: number;
  /**
   * Access tokens for a mailbox configured with oauth2. Give one that outlives this source
   * (a rotated refresh token is kept in it); by default the source makes its own.
   */
  tokenProvider?: AccessTokenSource;
}

type State = 'new' | 'running' | 'stopping' | 'stopped';

/** One connection attempt; `lost` makes the close/error paths handle a loss once only. */
interface Connection {
  client: ImapFlow;
  connectedAt: Date | null;
  lost: boolean;
}

export class ImapSource {
  readonly name: string;
  private readonly configured: ImapMailboxConfig;
  /** The configured folders in the server's own hierarchy delimiter, set on each connect. */
  private config: ImapMailboxConfig;
  private readonly ingest: IngestFn;
  private readonly cursors: CursorStore;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly idleDelayMs: number;
  private readonly tokens: AccessTokenSource | null;

  private state: State = 'new';
  private connection: Connection | null = null;
  private connecting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private cronTask: ScheduledTask | null = null;
  private connectAttempt = 0;
  private syncFailures = 0;
  private syncLoop: Promise<void> | null = null;
  private syncWanted = false;
  private lastSyncAt: Date | null = null;
  private lastError: string | null = null;
  private lag = 0;

  constructor(options: ImapSourceOptions) {
    this.configured = options.config;
    this.config = options.config;
    this.name = options.config.name;
    this.ingest = options.ingest;
    this.cursors = options.cursors;
    this.log = options.logger.child({ component: 'imap', mailbox: options.config.name });
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoff ?? defaultBackoffPolicy;
    this.random = options.random ?? Math.random;
    this.idleDelayMs = options.idleDelayMs ?? 50;
    this.tokens = tokenSourceFor(options, this.log, this.clock);
    if (!cron.validate(this.config.resyncCron)) {
      throw new Error(`mailbox ${this.name}: invalid resyncCron "${this.config.resyncCron}"`);
    }
    if (!Number.isInteger(this.config.batchSize) || this.config.batchSize < 1) {
      throw new Error(`mailbox ${this.name}: batchSize must be a positive integer`);
    }
  }

  /** Starts reading in the background; connection failures are retried, never thrown. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.cronTask = cron.schedule(this.config.resyncCron, () => this.sync(), {
      name: `imap-resync-${this.name}`,
      noOverlap: true,
      logger: cronLogger(this.log),
    });
    this.connecting = this.connect();
  }

  /**
   * Stops taking mail: no new message is started, the one being ingested is finished and
   * acknowledged, then the connection is closed.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.clearTimer();
    await this.cronTask?.destroy();
    this.cronTask = null;
    // A connection attempt still in progress is abandoned rather than awaited (it may hang
    // until its timeout); one that is established gets to finish its message first.
    const pending = this.connection;
    if (pending && !pending.connectedAt) this.onLost(pending, null);
    await this.connecting;
    await this.syncLoop;
    const connection = this.connection;
    this.connection = null;
    if (connection) {
      connection.lost = true;
      await connection.client.logout().catch(() => connection.client.close());
    }
    this.state = 'stopped';
    this.log.info({ msg: 'mailbox source stopped' });
  }

  /**
   * Syncs now, skipping any pending retry delay (used by the cron safety net, tests and
   * operators). Resolves when a sync that started after this call has finished; never rejects,
   * failures are recorded in status() and retried with backoff.
   */
  sync(): Promise<void> {
    if (this.timer && this.connection && !this.connection.lost) this.clearTimer();
    return this.requestSync('manual');
  }

  status(): ImapSourceStatus {
    const connection = this.connection;
    return {
      mailbox: this.name,
      connected: Boolean(connection && !connection.lost && connection.connectedAt && connection.client.usable),
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      lag: this.lag,
    };
  }

  private clientOptions(auth: ImapAuth): ImapFlowOptions {
    const { config } = this;
    return {
      host: config.host,
      port: config.port,
      secure: config.secure,
      auth,
      logger: this.log.child({ component: 'imapflow' }),
      ...(config.idle ? { autoIdleDelay: this.idleDelayMs } : { disableAutoIdle: true }),
    };
  }

  /**
   * Credentials for one attempt. An access token is asked for before every attempt, so a
   * reconnect hours later never presents an expired one; imapflow then authenticates with
   * OAUTHBEARER when the server offers it and XOAUTH2 otherwise.
   */
  private async authOptions(): Promise<ImapAuth> {
    const { oauth2, password, user } = this.configured;
    if (oauth2 && this.tokens) return { user: oauth2.user ?? user, accessToken: await this.tokens.accessToken() };
    if (password !== undefined) return { user, pass: password };
    throw new Error(`mailbox ${this.name}: neither password nor oauth2 is configured`);
  }

  private async connect(): Promise<void> {
    this.timer = null;
    if (this.state !== 'running') return;
    let auth: ImapAuth;
    try {
      auth = await this.authOptions();
    } catch (err) {
      // No token, no connection: the reconnect loop's backoff paces the refresh retries.
      this.planReconnect(0, err);
      return;
    }
    if (this.state !== 'running') return;
    const connection: Connection = { client: new ImapFlow(this.clientOptions(auth)), connectedAt: null, lost: false };
    const { client } = connection;
    this.connection = connection;
    client.on('error', (err: Error) => this.log.warn({ msg: 'IMAP connection error', err }));
    client.on('close', () => this.onLost(connection, null));
    client.on('exists', (event: { path: string; count: number; prevCount: number }) => {
      if (event.count > event.prevCount) void this.requestSync('exists');
    });
    try {
      await client.connect();
      connection.connectedAt = this.clock.now();
      this.config = withServerDelimiter(this.configured, client.namespace?.delimiter ?? undefined);
      await this.ensureFolders(client);
      // The folder stays selected so IDLE reports new mail in it.
      await client.mailboxOpen(this.config.folder);
      this.log.info({ msg: 'mailbox connected', folder: this.config.folder, idle: this.config.idle });
    } catch (err) {
      this.onLost(connection, err);
      return;
    }
    void this.requestSync('connect');
  }

  private async ensureFolders(client: ImapFlow): Promise<void> {
    const existing = new Set((await client.list()).map((box) => box.path));
    for (const folder of ackFolders(this.config)) {
      if (!existing.has(folder)) {
        await client.mailboxCreate(folder);
        this.log.info({ msg: 'created folder', folder });
      }
    }
  }

  /** A connection failed or closed: record why and plan exactly one reconnect. */
  private onLost(connection: Connection, err: unknown): void {
    if (connection.lost) return;
    connection.lost = true;
    if (this.connection === connection) this.connection = null;
    connection.client.close();
    if (this.state !== 'running') return;
    // A refused token (revoked, or expired early) must not be presented again.
    if (this.tokens && isAuthenticationFailure(err)) this.tokens.invalidate();
    const upForMs = connection.connectedAt ? this.clock.now().getTime() - connection.connectedAt.getTime() : 0;
    this.planReconnect(upForMs, err);
  }

  /** Plans exactly one reconnect after a backoff delay that grows while attempts keep failing. */
  private planReconnect(upForMs: number, err: unknown): void {
    this.connectAttempt = attemptAfterDisconnect(this.connectAttempt, upForMs, this.backoff);
    if (err) this.lastError = errorText(err);
    const delayMs = backoffDelay(Math.max(0, this.connectAttempt - 1), this.backoff, this.random);
    this.log.warn({ msg: 'mailbox connection lost, reconnecting', delayMs, attempt: this.connectAttempt, err });
    this.setTimer(delayMs, () => {
      this.connecting = this.connect();
    });
  }

  /** Coalesces sync requests: one sync at a time, and one more if asked while it ran. */
  private requestSync(reason: string): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    // A pending retry delay wins over notifications, so a database outage is not hammered.
    if (this.timer && reason !== 'retry') return Promise.resolve();
    this.syncWanted = true;
    if (!this.syncLoop) {
      this.syncLoop = this.runSyncs().finally(() => {
        this.syncLoop = null;
      });
    }
    return this.syncLoop;
  }

  private async runSyncs(): Promise<void> {
    while (this.syncWanted && this.state === 'running') {
      this.syncWanted = false;
      const connection = this.connection;
      if (!connection || connection.lost || !connection.connectedAt) return;
      try {
        const result = await syncFolder(connection.client, {
          config: this.config,
          ingest: this.ingest,
          cursors: this.cursors,
          logger: this.log,
          clock: this.clock,
          shouldStop: () => this.state !== 'running' || connection.lost,
          onLag: (lag) => {
            this.lag = lag;
          },
        });
        this.lastSyncAt = this.clock.now();
        this.lastError = null;
        this.syncFailures = 0;
        if (result.ingested > 0) this.log.info({ msg: 'mailbox synced', ingested: result.ingested });
      } catch (err) {
        this.onSyncFailed(connection, err);
        return;
      }
    }
  }

  /**
   * The message in hand stays in the folder and the cursor where it was; the sync is retried
   * after a backoff delay. A dropped connection is left to the reconnect path instead.
   */
  private onSyncFailed(connection: Connection, err: unknown): void {
    this.lastError = errorText(err);
    if (connection.lost || !connection.client.usable) {
      this.onLost(connection, err);
      return;
    }
    const delayMs = backoffDelay(this.syncFailures, this.backoff, this.random);
    this.syncFailures++;
    this.log.warn({ msg: 'mailbox sync failed, will retry', delayMs, err });
    this.setTimer(delayMs, () => {
      this.timer = null;
      void this.requestSync('retry');
    });
  }

  private setTimer(delayMs: number, fire: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(fire, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** node-cron logs to the console unless given a logger of its own shape. */
function cronLogger(log: Logger): NonNullable<TaskOptions['logger']> {
  const child = log.child({ component: 'node-cron' });
  return {
    info: (message) => child.info({ msg: message }),
    warn: (message) => child.warn({ msg: message }),
    error: (message, err) => child.error({ msg: String(message), err: err ?? message }),
    debug: (message) => child.debug({ msg: String(message) }),
  };
}

type ImapAuth = NonNullable<ImapFlowOptions['auth']>;

/**
 * The token provider of a mailbox configured with oauth2, or null. The composition root can
 * make one per mailbox and pass it as `tokenProvider`, so that a refresh token the server
 * rotated survives the source being recreated (as a leased source is after losing its lease).
 */
export function imapTokenProvider(config: ImapMailboxConfig, logger: Logger, clock: Clock = systemClock): OAuth2TokenProvider | null {
  if (!config.oauth2) return null;
  return new OAuth2TokenProvider({ account: `mailbox ${config.name}`, settings: config.oauth2, logger, clock });
}

function tokenSourceFor(options: ImapSourceOptions, log: Logger, clock: Clock): AccessTokenSource | null {
  if (!options.config.oauth2) return null;
  return options.tokenProvider ?? imapTokenProvider(options.config, log, clock);
}

/** imapflow marks a refused AUTHENTICATE/LOGIN this way. */
function isAuthenticationFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { authenticationFailed?: unknown }).authenticationFailed === true;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    // An OAuth2 refusal carries the server's reason (RFC 7628 section 3.2.2) as JSON.
    const oauthError = (err as Error & { oauthError?: unknown }).oauthError;
    const reason = oauthError && typeof oauthError === 'object' ? ` ${JSON.stringify(oauthError)}` : '';
    return (typeof code === 'string' ? `${code}: ${err.message}` : err.message) + reason;
  }
  return String(err);
}
