/**
 * Composition root: builds every component from the frozen config and wires them.
 * Only this file (and pipeline/) knows every stage. `stop()` stops taking mail first,
 * lets in-flight work finish, then closes connections.
 */
import type { Knex } from 'knex';
import type { Config } from './config/schema.js';
import { apiRoutes } from './http/api/router.js';
import { createHttpServer, type ReadinessCheck } from './http/server.js';
import type { Logger } from './platform/logger.js';

export interface Service {
  httpPort: number | null;
  stop(): Promise<void>;
}

export interface ServiceDeps {
  config: Readonly<Config>;
  log: Logger;
  db: Knex;
}

export async function startService({ config, log, db }: ServiceDeps): Promise<Service> {
  const stops: (() => Promise<void>)[] = [];
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
    const http = createHttpServer({ routes: apiRoutes({ db, log: log.child({ component: 'api' }) }), readiness, log: log.child({ component: 'http' }) });
    httpPort = await http.listen(config.http.host, config.http.port);
    log.info({ msg: 'http listening', host: config.http.host, port: httpPort });
    stops.push(() => http.close());
  }
  log.info({ msg: 'casemail started', instance: config.instance.id, mailboxes: config.imap.mailboxes.length });
  return {
    httpPort,
    async stop() {
      for (const stop of stops.reverse()) await stop();
      log.info({ msg: 'casemail stopped' });
    },
  };
}
