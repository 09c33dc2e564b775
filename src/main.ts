/**
 * Composition root: builds every component from the frozen config and wires them.
 * Only this file (and pipeline/) knows every stage. `stop()` stops taking mail first
 * (IMAP sources, SMTP listener), lets in-flight messages and a running job finish, stops
 * the outbox worker after its current send, then closes the HTTP server.
 */
import type { Knex } from 'knex';
import type { Config } from './config/schema.js';
import { apiRoutes } from './http/api/router.js';
import { createHttpServer, type ReadinessCheck, type Route } from './http/server.js';
import { unsubscribeRoutes } from './http/unsubscribe.js';
import { LeasedImapSource } from './inbound/imap/leased.js';
import { imapTokenProvider } from './inbound/imap/source.js';
import { createSmtpListener } from './inbound/smtp/index.js';
import { buildJobs, createScheduler, type Scheduler } from './jobs/index.js';
import { createRenderer } from './outbound/render.js';
import { defaultTemplatesDir } from './outbound/templates-location.js';
import { smtpTokenProvider } from './outbound/smtp-auth.js';
import { createTransport, type OutboundTransport } from './outbound/transport.js';
import { createOutboxWorker, type OutboxWorker } from './outbound/worker.js';
import { buildIngest } from './pipeline/build.js';
import { systemClock, type Clock } from './platform/clock.js';
import { isEmbedded } from './platform/db.js';
import { createLockManager } from './platform/locks.js';
import type { Logger } from './platform/logger.js';
import { createCursorStore } from './store/cursors.js';
import { createKnowledgeBase } from './store/kb.js';

export interface Service {
  httpPort: number | null;
  smtpPort: number | null;
  scheduler: Scheduler;
  /** The outbox worker when `outbox.enabled`; call `notify()` after queuing mail. */
  outbox: OutboxWorker | null;
  stop(): Promise<void>;
}

export interface ServiceDeps {
  config: Readonly<Config>;
  log: Logger;
  db: Knex;
  clock?: Clock;
  /** Replaces the SMTP transport built from `smtpOut` (tests, other transports). */
  transport?: OutboundTransport;
  /** Replaces the templates folder shipped with casemail. */
  templatesDir?: string;
}

type Stop = () => Promise<void>;

export async function startService({ config, log, db, clock = systemClock, ...deps }: ServiceDeps): Promise<Service> {
  const mailStops: Stop[] = [];
  const otherStops: Stop[] = [];
  // Every template compiles now: a broken one stops start-up instead of a customer's mail.
  const renderer = await createRenderer({ templatesDir: deps.templatesDir ?? defaultTemplatesDir(), defaultLocale: config.locale.default });
  const kb = createKnowledgeBase();
  const locks = createLockManager(db, config.database.url);

  let outbox: OutboxWorker | null = null;
  const ingestRaw = buildIngest({ db, config, log, clock, kb });
  // New outbox rows are due at once: wake the worker instead of waiting for its next poll.
  const ingest: typeof ingestRaw = async (m) => {
    const outcome = await ingestRaw(m);
    if (outcome.status === 'processed') outbox?.notify();
    return outcome;
  };

  const imapLog = log.child({ component: 'imap' });
  const mailboxes = config.imap.mailboxes.map((mailbox) => {
    // One token provider per mailbox for the life of the process, so a rotated refresh
    // token survives the source being recreated when its lease moves.
    const tokens = imapTokenProvider(mailbox, imapLog, clock);
    return new LeasedImapSource({
      config: mailbox, ingest, cursors: createCursorStore(db), logger: imapLog, clock, locks, ...(tokens ? { tokenProvider: tokens } : {}),
    });
  });
  for (const m of mailboxes) {
    m.start();
    mailStops.push(() => m.stop());
  }

  let smtpPort: number | null = null;
  if (config.smtpListener.enabled) {
    const listener = createSmtpListener({
      name: 'smtp',
      host: config.smtpListener.host,
      port: config.smtpListener.port,
      acceptedDomains: [...config.smtpListener.acceptedDomains],
      maxSize: config.smtpListener.maxSize,
      ingest,
      logger: log.child({ component: 'smtp' }),
    });
    smtpPort = (await listener.start()).port;
    log.info({ msg: 'smtp listener ready', host: config.smtpListener.host, port: smtpPort });
    mailStops.push(() => listener.stop());
  }

  const readiness: ReadinessCheck[] = [
    {
      name: 'database',
      check: async () => {
        await db.raw('select 1');
        return { ok: true };
      },
    },
    {
      name: 'mailboxes',
      check: () => {
        const states = mailboxes.map((m) => m.status());
        const bad = states.filter((s) => s.lastError && !s.connected);
        return Promise.resolve({ ok: bad.length === 0, detail: states.map((s) => `${s.mailbox}: ${s.connected ? 'connected' : (s.lastError ?? 'connecting')}`).join('; ') });
      },
    },
    {
      // Not ready while mail cannot leave: the relay refuses, resets, times out or answers 4xx.
      name: 'delivery',
      check: () => {
        const relay = outbox?.relayStatus() ?? null;
        if (relay === null) return Promise.resolve({ ok: true, detail: config.outbox.enabled ? 'starting' : 'outbox disabled' });
        if (relay.up) return Promise.resolve({ ok: true, detail: 'relay takes mail' });
        return Promise.resolve({ ok: false, detail: `relay unavailable since ${relay.downSince?.toISOString() ?? '?'}: ${relay.lastError ?? ''}` });
      },
    },
  ];
  let httpPort: number | null = null;
  if (config.http.enabled) {
    const httpLog = log.child({ component: 'http' });
    // The worker starts below; API routes wake it through this late-bound call.
    const notify = (): void => outbox?.notify();
    const relayStatus = () => outbox?.relayStatus() ?? null;
    const routes: Route[] = [
      ...unsubscribeRoutes({ db, config, log: httpLog }),
      ...apiRoutes({ db, log: log.child({ component: 'api' }), config, notify, relayStatus }),
    ];
    const http = createHttpServer({ routes, readiness, log: httpLog });
    httpPort = await http.listen(config.http.host, config.http.port);
    log.info({ msg: 'http listening', host: config.http.host, port: httpPort });
    otherStops.push(() => http.close());
  }

  // Started after the rest, so a failure above leaves no worker sending; stopped first after the sources.
  if (config.outbox.enabled) {
    const smtpLog = log.child({ component: 'smtp-out' });
    const transport = deps.transport ?? createTransport(config.smtpOut, smtpLog, smtpTokenProvider(config.smtpOut, smtpLog, clock));
    const worker = createOutboxWorker({ db, config, renderer, transport, log: log.child({ component: 'outbox' }), clock });
    worker.start();
    outbox = worker;
    otherStops.push(async () => {
      await worker.stop();
      transport.close();
    });
  }

  const scheduler = createScheduler({
    jobs: buildJobs(config, log, {
      ...(outbox === null ? {} : { outboxSweep: async () => {
        await outbox?.runOnce();
      } }),
      mailboxResync: async () => {
        await Promise.all(mailboxes.map((m) => m.sync()));
        return mailboxes.length;
      },
    }),
    locks, clock, log, instanceId: config.instance.id, timeZone: config.locale.timeZone, embedded: isEmbedded(db),
  });
  // Started last, so a failure above leaves no job running.
  scheduler.start();
  log.info({ msg: 'casemail started', instance: config.instance.id, mailboxes: mailboxes.length, smtp: smtpPort, outbox: outbox !== null });
  return {
    httpPort,
    smtpPort,
    scheduler,
    outbox,
    async stop() {
      // Stop taking mail first; each source finishes the message in hand.
      await Promise.all(mailStops.map((s) => s()));
      // A job in progress finishes its transaction; no new run starts.
      await scheduler.stop();
      // Then the outbox worker (after its current send), then HTTP.
      for (const stop of otherStops.reverse()) await stop();
      log.info({ msg: 'casemail stopped' });
    },
  };
}
