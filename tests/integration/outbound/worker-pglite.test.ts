// The embedded database (PGlite, one connection) runs the same worker: claims with SKIP
// LOCKED and per-row transactions must not wait on each other for the single connection.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { enqueueMail } from '../../../src/outbound/outbox.js';
import { claimDueRows } from '../../../src/outbound/outbox-store.js';
import { createOwnerLock } from '../../../src/outbound/owner-lock.js';
import { createTransport } from '../../../src/outbound/transport.js';
import { createOutboxWorker } from '../../../src/outbound/worker.js';
import { testConfig } from '../../support/config.js';
import { createPgliteDb } from '../../support/db.js';
import { createIncidentFixture } from '../../support/incidents.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { realRenderer } from '../../support/templates.js';

let db: Knex;
let sink: SmtpSink;

beforeAll(async () => {
  [db, sink] = await Promise.all([createPgliteDb(), startSmtpSink()]);
});

afterAll(async () => {
  await sink?.close();
  await db?.destroy();
});

describe('outbox worker on the embedded database', () => {
  it('sends a batch and records every row and timeline entry', async () => {
    const config = testConfig({ smtpOut: { host: sink.host, port: sink.port }, outbox: { batchSize: 10 } });
    const incident = await createIncidentFixture(db);
    for (let i = 0; i < 12; i += 1) {
      await enqueueMail(
        db,
        { dedupeKey: `pglite:${i}`, template: 'journal-note', locale: 'fr', to: `c${i}@customer.example`, incidentId: incident.incidentId, autoSubmitted: 'auto-generated', data: { reference: incident.reference, title: 'Imprimante', author: 'Marc', at: '2026-03-02T09:00:00Z', note: 'Note' } },
        config.mail.domain,
      );
    }
    const log = silentLogger();
    const transport = createTransport(config.smtpOut, log);
    try {
      const worker = createOutboxWorker({ db, config, renderer: await realRenderer(), transport, log, clock: systemClock });
      expect(await worker.runOnce()).toEqual({ sent: 10, retried: 0, failed: 0, suppressed: 0 });
      expect((await worker.runOnce()).sent).toBe(2);
    } finally {
      transport.close();
    }
    await sink.waitFor(12);
    expect(await db('incident_events').where({ incident_id: incident.incidentId, kind: 'email_out' })).toHaveLength(12);
  });

  it('takes over at once the rows an earlier run of the process had claimed, and only those', async () => {
    const config = testConfig({ smtpOut: { host: sink.host, port: sink.port }, outbox: { batchSize: 10 } });
    const incident = await createIncidentFixture(db);
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const q = await enqueueMail(
        db,
        { dedupeKey: `pglite-orphan:${i}`, template: 'journal-note', locale: 'fr', to: `o${i}@customer.example`, incidentId: incident.incidentId, autoSubmitted: 'auto-generated', data: { reference: incident.reference, title: 'Imprimante', author: 'Marc', at: '2026-03-02T09:00:00Z', note: 'Note' } },
        config.mail.domain,
      );
      ids.push(q.id);
    }
    const now = systemClock.now();
    // Claimed by a run that was killed (nobody holds its lock), and by a worker alive here.
    await claimDueRows(db, { owner: 'casemail-1:99999:dead', now, leaseMs: 600_000, limit: 2 });
    const alive = createOwnerLock({ db, owner: 'casemail-1:alive', log: silentLogger() });
    expect(await alive.ensure()).toBe(true);
    await claimDueRows(db, { owner: 'casemail-1:alive', now, leaseMs: 600_000, limit: 1 });
    const log = silentLogger();
    const transport = createTransport(config.smtpOut, log);
    const before = sink.mails.length;
    try {
      const worker = createOutboxWorker({ db, config, renderer: await realRenderer(), transport, log, clock: systemClock });
      expect(await worker.runOnce()).toEqual({ sent: 2, retried: 0, failed: 0, suppressed: 0 });
      await worker.stop();
    } finally {
      transport.close();
      await alive.release();
    }
    await sink.waitFor(before + 2);
    const rows = (await db('outbox').whereIn('id', ids).select('status', 'claimed_by')) as { status: string; claimed_by: string | null }[];
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(2);
    expect(rows.filter((r) => r.status === 'pending')).toEqual([{ status: 'pending', claimed_by: 'casemail-1:alive' }]);
  });
});
