/**
 * Composition root: builds every component from the frozen config and wires them.
 * Only this file (and pipeline/) knows every stage. `stop()` stops taking mail first,
 * lets in-flight work finish, then closes connections.
 */
import type { Knex } from 'knex';
import type { Config } from './config/schema.js';
import { createHttpServer, type ReadinessCheck } from './http/server.js';
import { unsubscribeRoutes } from './http/unsubscribe.js';
import { createRenderer } from './outbound/render.js';
import { defaultTemplatesDir } from './outbound/templates-location.js';
import { createTransport, type OutboundTransport } from './outbound/transport.js';
import { createOutboxWorker, type OutboxWorker } from './outbound/worker.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Logger } from './platform/logger.js';

export interface Service {
  httpPort: number | null;
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

export async function startService({ config, log, db, ...deps }: ServiceDeps): Promise<Service> {
  const stops: (() => Promise<void>)[] = [];
  // Every template compiles now: a broken one stops start-up instead of a customer's mail.
  const renderer = await createRenderer({ templatesDir: deps.templatesDir ?? defaultTemplatesDir(), defaultLocale: config.locale.default });
  const readiness: ReadinessCheck[] = [
    {
      name: 'database',
      check: async () => {
        await db.raw('select 1');
        return { ok: true };
      },
    },
  ];
  let httpPort: number | null = null;
  if (config.http.enabled) {
    const httpLog = log.child({ component: 'http' });
    const routes = [...unsubscribeRoutes({ db, config, log: httpLog })];
    const http = createHttpServer({ routes, readiness, log: httpLog });
    httpPort = await http.listen(config.http.host, config.http.port);
    log.info({ msg: 'http listening', host: config.http.host, port: httpPort });
    stops.push(() => http.close());
  }
  // Started last, so a failure above leaves no worker sending; stopped first on the way out.
  let outbox: OutboxWorker | null = null;
  if (config.outbox.enabled) {
    const transport = deps.transport ?? createTransport(config.smtpOut, log.child({ component: 'smtp-out' }));
    const worker = createOutboxWorker({ db, config, renderer, transport, log: log.child({ component: 'outbox' }), clock: deps.clock ?? systemClock });
    worker.start();
    outbox = worker;
    stops.push(async () => {
      await worker.stop();
      transport.close();
    });
  }
  log.info({ msg: 'casemail started', instance: config.instance.id, mailboxes: config.imap.mailboxes.length });
  return {
    httpPort,
    outbox,
    async stop() {
      for (const stop of stops.reverse()) await stop();
      log.info({ msg: 'casemail stopped' });
    },
  };
}
