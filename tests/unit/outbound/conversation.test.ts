// Outlook keeps one conversation per incident: every mail about it carries the same
// Thread-Topic (the incident's title, whatever the template's subject) and a Thread-Index
// that extends the incident's first index: the customer's own, when their client sent one.
import { describe, expect, it } from 'vitest';
import { composeMail } from '../../../src/outbound/compose.js';
import type { IncidentFacts, OutboxRow } from '../../../src/outbound/outbox-store.js';
import type { RenderedMail } from '../../../src/outbound/render.js';
import { buildThreadIndex, headerTime, parseThreadIndex, threadIndexChild, threadIndexHeader, toFiletime } from '../../../src/outbound/thread-index.js';
import { testConfig } from '../../support/config.js';

const config = testConfig();
const opened = new Date('2026-03-02T08:15:00Z');
/** An index as Outlook writes it for the customer's first mail, sent a minute before the incident opened: header block only. */
const OUTLOOK_FIRST = threadIndexHeader('<outlook-conversation-guid>', new Date(opened.getTime() - 60_000)).toString('base64');

const incident = (threadIndex: string | null): IncidentFacts => ({
  id: 1, reference: 'INC-000123', title: 'Nouveau problème sur l’enregistreur', threadIndex, replySecret: 's3cret-0123456789', rootMessageId: '<first@customer.example>', openedAt: opened, status: 'open',
});

function row(id: number, template: string): OutboxRow {
  return {
    id, dedupe_key: `k${id}`, template, locale: 'fr', to_address: 'claire@customer.example', cc: [], incident_id: 1, auto_submitted: 'auto-generated', data: {},
    threading: { inReplyTo: '<first@customer.example>', references: ['<first@customer.example>'] }, message_id: `<m${id}@support.example.com>`,
    status: 'pending', attempts: 0, next_attempt_at: opened, last_error: null, claimed_by: null, created_at: opened, sent_at: null,
  };
}

const rendered = (subject: string): RenderedMail => ({ subject, html: '<p>x</p>', text: 'x\n', locale: 'fr' });

function headersOf(i: IncidentFacts, n: number, subject: string, now: Date): Record<string, unknown> {
  return composeMail({ row: row(n, 't'), incident: i, rendered: rendered(subject), cc: [], offerUnsubscribe: false, config, now }).headers as Record<string, unknown>;
}

describe('one conversation per incident', () => {
  it('Thread-Topic is the title on every mail, whatever the subject says', () => {
    const i = incident(null);
    const topics = [
      headersOf(i, 1, '[INC-000123] Incident créé : Nouveau problème', opened),
      headersOf(i, 2, '[INC-000123] Transmis à nos développeurs : Nouveau problème', opened),
      headersOf(i, 3, '[INC-000123] Incident clos : Nouveau problème', opened),
    ].map((h) => JSON.stringify(h['Thread-Topic']));
    expect(new Set(topics).size).toBe(1);
    expect(topics[0]).toContain('Nouveau_probl=C3=A8me');
  });

  it('Thread-Index extends the customer\'s first index: same header block, one child more, later mails sort later', () => {
    const i = incident(OUTLOOK_FIRST);
    const first = parseThreadIndex(OUTLOOK_FIRST) as Buffer;
    const a = Buffer.from(String(headersOf(i, 1, 's', new Date(opened.getTime() + 60_000))['Thread-Index']), 'base64');
    const b = Buffer.from(String(headersOf(i, 2, 't', new Date(opened.getTime() + 3_600_000))['Thread-Index']), 'base64');
    for (const x of [a, b]) {
      expect(x.subarray(0, 22).equals(first.subarray(0, 22))).toBe(true);
      expect(x.length).toBe(27);
    }
    expect(Buffer.compare(a.subarray(22, 26), b.subarray(22, 26))).toBeLessThan(0);
  });

  it('without a customer index, every mail shares the header block derived from the incident', () => {
    const i = incident(null);
    const a = Buffer.from(String(headersOf(i, 1, 's', opened)['Thread-Index']), 'base64');
    const b = Buffer.from(String(headersOf(i, 2, 't', new Date(opened.getTime() + 86_400_000))['Thread-Index']), 'base64');
    expect(a.subarray(0, 22).equals(b.subarray(0, 22))).toBe(true);
  });

  it('reads a header block\'s time back and ignores what is not a Thread-Index', () => {
    const header = parseThreadIndex(buildThreadIndex({ rootMessageId: '<r@x>', threadStartedAt: opened, sentAt: opened, depth: 0 })) as Buffer;
    // The header keeps the 40 high bits of the FILETIME: about 1.7 s of resolution.
    expect(Math.abs(headerTime(header).getTime() - opened.getTime())).toBeLessThan(2000);
    expect(toFiletime(opened)).toBeGreaterThan(0n);
    for (const bad of ['', 'not base64!', Buffer.alloc(21, 1).toString('base64'), Buffer.concat([Buffer.alloc(22, 2)]).toString('base64'), 'A'.repeat(2000)]) {
      expect(parseThreadIndex(bad)).toBeNull();
    }
    expect(threadIndexChild(0n, 1)).toHaveLength(5);
  });
});
