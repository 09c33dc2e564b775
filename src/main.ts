/**
 * Composition root: builds every component from the frozen config and wires them.
 * Only this file (and pipeline/) knows every stage. `stop()` stops taking mail first
 * (IMAP sources, SMTP listener) and lets in-flight messages finish, then stops the
 * scheduler (waiting for a job in progress), then the rest (outbox worker, HTTP) in
 * reverse order of start. The caller closes the database last.
 */
import type { Knex } from 'knex';
import type { Config } from './config/schema.js';
import { apiRoutes } from './http/api/router.js';
import { createHttpServer, type ReadinessCheck, type Route } from './http/server.js';
import { LeasedImapSource } from './inbound/imap/leased.js';
import { buildJobs, createScheduler, type Scheduler } from './jobs/index.js';
import type { OutboxSweep } from './jobs/hooks.js';
import { createSmtpListener } from './inbound/smtp/index.js';
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
  stop(): Promise<void>;
}

export interface ServiceDeps {
  config: Readonly<Config>;
  log: Logger;
  db: Knex;
  clock?: Clock;
  /** One run of the outbox worker (its `runOnce`), for the `outboxSweep` job; wired when the service has a worker. */
  outboxSweep?: OutboxSweep;
}

type Stop = () => Promise<void>;

export async function startService({ config, log, db, clock = systemClock, outboxSweep }: ServiceDeps): Promise<Service> {
  const mailStops: Stop[] = [];
  const otherStops: Stop[] = [];
  const kb = createKnowledgeBase();
  const ingest = buildIngest({ db, config, log, clock, kb });
  const locks = createLockManager(db, config.database.url);

  const mailboxes = config.imap.mailboxes.map(
    (mailbox) =>
      new LeasedImapSource({ config: mailbox, ingest, cursors: createCursorStore(db), logger: log.child({ component: 'imap' }), clock, locks }),
  );
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

  const scheduler = createScheduler({
    jobs: buildJobs(config, log, {
      ...(outboxSweep === undefined ? {} : { outboxSweep }),
      mailboxResync: async () => {
        await Promise.all(mailboxes.map((m) => m.sync()));
        return mailboxes.length;
      },
    }),
    locks, clock, log, instanceId: config.instance.id, timeZone: config.locale.timeZone, embedded: isEmbedded(db),
  });

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
  ];
  const routes: Route[] = [...apiRoutes({ db, log: log.child({ component: 'api' }) })];
  let httpPort: number | null = null;
  if (config.http.enabled) {
    const http = createHttpServer({ routes, readiness, log: log.child({ component: 'http' }) });
    httpPort = await http.listen(config.http.host, config.http.port);
    log.info({ msg: 'http listening', host: config.http.host, port: httpPort });
    otherStops.push(() => http.close());
  }
  // Started last, so a failure above leaves no job running.
  scheduler.start();
  log.info({ msg: 'casemail started', instance: config.instance.id, mailboxes: mailboxes.length, smtp: smtpPort });
  return {
    httpPort,
    smtpPort,
    scheduler,
    async stop() {
      // Stop taking mail first; each source finishes the message in hand.
      await Promise.all(mailStops.map((s) => s()));
      // A job in progress finishes its transaction; no new run starts.
      await scheduler.stop();
      for (const stop of otherStops.reverse()) await stop();
      log.info({ msg: 'casemail stopped' });
    },
  };
}
