// One-click unsubscribe (RFC 8058) through real HTTP requests: the link from a delivered
// mail's List-Unsubscribe header switches the subscription off on POST, a GET (what link
// scanners do) changes nothing, and a tampered token is refused.
import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { unsubscribeRoutes, makeUnsubscribeUrl } from '../../../src/http/unsubscribe.js';
import { createHttpServer, type HttpServer } from '../../../src/http/server.js';
import { systemClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { enqueueMail } from '../../../src/outbound/outbox.js';
import { createTransport, type OutboundTransport } from '../../../src/outbound/transport.js';
import { createOutboxWorker } from '../../../src/outbound/worker.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { createIncidentFixture, type IncidentFixture } from '../../support/incidents.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { realRenderer } from '../../support/templates.js';

const log = silentLogger();
const SUBSCRIBER = 'Sub.Scriber@customer.example';
let tdb: TestDb;
let db: Knex;
let http: HttpServer;
let base: string;
let config: Readonly<Config>;
let sink: SmtpSink;
let transport: OutboundTransport;
let incident: IncidentFixture;

interface Options {
  on_updated: boolean;
  on_escalated: boolean;
  on_workaround: boolean;
  on_closed: boolean;
}

beforeAll(async () => {
  [tdb, sink] = await Promise.all([createTestDb(), startSmtpSink()]);
  db = tdb.db;
  http = createHttpServer({ routes: [], readiness: [], log });
  // Routes need the config, the config needs the port: listen first, then register.
  const port = await http.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${port}`;
  config = testConfig({ http: { publicUrl: `${base}/` }, smtpOut: { host: sink.host, port: sink.port, pool: false } });
  await http.close();
  http = createHttpServer({ routes: unsubscribeRoutes({ db, config, log }), readiness: [], log });
  await http.listen('127.0.0.1', port);
  transport = createTransport(config.smtpOut, log);
});

afterAll(async () => {
  transport?.close();
  await http?.close();
  await sink?.close();
  await tdb?.drop();
});

beforeEach(async () => {
  incident = await createIncidentFixture(db, { subscribers: [SUBSCRIBER] });
});

async function options(): Promise<Options> {
  return (await db('subscriptions')
    .where({ incident_id: incident.incidentId })
    .first('on_updated', 'on_escalated', 'on_workaround', 'on_closed')) as Options;
}

const ALL_ON: Options = { on_updated: true, on_escalated: true, on_workaround: true, on_closed: true };
const ALL_OFF: Options = { on_updated: false, on_escalated: false, on_workaround: false, on_closed: false };

function oneClick(url: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
}

describe('one-click unsubscribe', () => {
  it('turns the subscription off from the link in a delivered mail', async () => {
    const renderer = await realRenderer();
    await enqueueMail(
      db,
      {
        dedupeKey: `unsub:${incident.incidentId}`,
        template: 'incident-closed',
        locale: 'en',
        to: SUBSCRIBER,
        incidentId: incident.incidentId,
        autoSubmitted: 'auto-generated',
        data: { reference: incident.reference, title: 'Printer', closedAt: '2026-03-03T10:00:00Z', resolution: 'Firmware 4.2.2', timeZone: 'UTC', supportAddress: config.mail.supportAddress, brand: 'Support' },
      },
      config.mail.domain,
    );
    const worker = createOutboxWorker({ db, config, renderer, transport, log, clock: systemClock });
    expect((await worker.runOnce()).sent).toBe(1);
    const [mail] = await sink.waitFor(1);
    const line = mail?.parsed.headerLines.find((l) => l.key === 'list-unsubscribe')?.line ?? '';
    const url = /<([^<>]+)>/.exec(line.replace(/\r?\n[ \t]+/g, ''))?.[1] ?? '';
    expect(url.startsWith(`${base}/unsubscribe?t=`)).toBe(true);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(html).toContain(incident.reference);
    expect(await options()).toEqual(ALL_ON);

    const res = await oneClick(url);
    expect(res.status).toBe(200);
    expect(await options()).toEqual(ALL_OFF);
    // Repeating the click is harmless.
    expect((await oneClick(url)).status).toBe(200);
  });

  it('accepts the multipart form some mail clients send', async () => {
    const form = new FormData();
    form.append('List-Unsubscribe', 'One-Click');
    const url = makeUnsubscribeUrl(base, incident.incidentId, SUBSCRIBER, config.security.linkSecret);
    const res = await fetch(url, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await options()).toEqual(ALL_OFF);
  });

  it('never unsubscribes on GET', async () => {
    const url = makeUnsubscribeUrl(base, incident.incidentId, SUBSCRIBER, config.security.linkSecret);
    for (let i = 0; i < 3; i += 1) expect((await fetch(url)).status).toBe(200);
    expect(await options()).toEqual(ALL_ON);
  });

  it('refuses a tampered token with 400 and changes nothing', async () => {
    const good = new URL(makeUnsubscribeUrl(base, incident.incidentId, SUBSCRIBER, config.security.linkSecret));
    const [, addr, mac] = (good.searchParams.get('t') ?? '').split('.');
    const tampered = new URL(good);
    tampered.searchParams.set('t', `${incident.incidentId + 1}.${addr}.${mac}`);
    expect((await oneClick(tampered.toString())).status).toBe(400);
    expect((await fetch(tampered)).status).toBe(400);
    expect((await oneClick(`${base}/unsubscribe`)).status).toBe(400);
    const forged = makeUnsubscribeUrl(base, incident.incidentId, SUBSCRIBER, 'another-secret-0123456789');
    expect((await oneClick(forged)).status).toBe(400);
    expect(await options()).toEqual(ALL_ON);
  });

  it('refuses a POST without the one-click body', async () => {
    const url = makeUnsubscribeUrl(base, incident.incidentId, SUBSCRIBER, config.security.linkSecret);
    expect((await fetch(url, { method: 'POST', body: 'unsubscribe=yes', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(400);
    expect(await options()).toEqual(ALL_ON);
  });
});
