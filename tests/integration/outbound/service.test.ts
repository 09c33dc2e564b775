// The outbox wired into the running service: start-up compiles the templates (a broken one
// stops it), the worker delivers what is queued, unsubscribe answers over HTTP, and stop()
// lets the sends in flight finish.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../../../src/main.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { enqueueMail } from '../../../src/outbound/outbox.js';
import { TemplateError } from '../../../src/outbound/render.js';
import { testConfig } from '../../support/config.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { TEMPLATES_DIR } from '../../support/templates.js';

const log = silentLogger();
let tdb: TestDb;
let sink: SmtpSink;

beforeAll(async () => {
  [tdb, sink] = await Promise.all([createTestDb(), startSmtpSink()]);
});

afterAll(async () => {
  await sink?.close();
  await tdb?.drop();
});

function config(extra: { outbox?: { enabled: boolean; pollMs?: number } } = {}) {
  return testConfig({
    http: { enabled: true, host: '127.0.0.1', port: 0 },
    smtpOut: { host: sink.host, port: sink.port },
    outbox: { enabled: true, pollMs: 60_000, ...extra.outbox },
  });
}

describe('service with the outbox', () => {
  it('delivers queued mail on notify and routes unsubscribe, then stops cleanly', async () => {
    const cfg = config();
    const service = await startService({ config: cfg, log, db: tdb.db });
    try {
      expect(service.outbox).not.toBeNull();
      await enqueueMail(
        tdb.db,
        { dedupeKey: 'service:1', template: 'contact-id', locale: 'fr', to: 'claire@customer.example', autoSubmitted: 'auto-replied', data: { contactId: '100234', contactName: 'Claire', accountName: "Doug's Dogs" } },
        cfg.mail.domain,
      );
      // The poll interval is a minute: only notify() can explain a delivery within the test.
      service.outbox?.notify();
      const [mail] = await sink.waitFor(1);
      expect(mail?.parsed.headers.get('auto-submitted')).toBe('auto-replied');
      expect(mail?.parsed.headers.get('x-casemail-loop')).toBe(cfg.instance.id);
      const res = await fetch(`http://127.0.0.1:${service.httpPort ?? 0}/unsubscribe?t=bogus`);
      expect(res.status).toBe(400);
    } finally {
      await service.stop();
    }
  });

  it('starts no worker when the outbox is disabled', async () => {
    const service = await startService({ config: config({ outbox: { enabled: false } }), log, db: tdb.db });
    expect(service.outbox).toBeNull();
    await service.stop();
  });

  it('refuses to start with a broken template', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casemail-templates-'));
    try {
      await cp(TEMPLATES_DIR, dir, { recursive: true });
      await writeFile(join(dir, 'en', 'incident-closed.subject.hbs'), '{{#if reference}}never closed');
      await expect(startService({ config: config(), log, db: tdb.db, templatesDir: dir })).rejects.toBeInstanceOf(TemplateError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
