// Every command a mail suggests does what its line promises, end to end on PostgreSQL: the
// mails casemail queues (confirmation with knowledge-base suggestions, help, kb results and
// index, incident list, subscription change) are rendered as the customer receives them, and
// each suggested command is sent back, in English and in French, through the whole handling
// of a message. The answer queued must be the one the line promises. Regressions: `kb article
// KB-1042` and `kb index` were answered with searches for "article KB-1042" and "index", and
// every confirmation suggested `notify closure`, which was answered with help.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/outbound/render.js';
import type { TemplateName } from '../../../src/outbound/templates/registry.js';
import { parseCustomerCommand } from '../../../src/rules/text/commands.js';
import { createKnowledgeBase } from '../../../src/store/kb.js';
import { seedDemo } from '../../../src/store/seed.js';
import { createTestDb, type TestDb } from '../../support/db.js';
import { handle, lastOutboxId, makeMessage, outboxSince, type OutboxRow } from '../../support/rules.js';
import { realRenderer } from '../../support/templates.js';

let t: TestDb;
let db: Knex;
let renderer: Renderer;
const kb = createKnowledgeBase();

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await seedDemo(db);
  renderer = await realRenderer();
});
afterAll(async () => t.drop());

interface Incident { reference: string; confirmationId: string }

/** Handles one mail and returns what was queued for its sender. */
async function send(from: string, subject: string, text = '', inReplyTo: string[] = []): Promise<OutboxRow[]> {
  const before = await lastOutboxId(db);
  await handle(db, makeMessage({ from, subject, text, inReplyTo }), { kb });
  return (await outboxSince(db, before)).filter((r) => r.to_address === from);
}

/** The commands a queued mail suggests, from its HTML part as the recipient gets it. */
async function suggestedIn(row: OutboxRow): Promise<string[]> {
  const { locale } = (await db('outbox').where({ id: row.id }).first('locale')) as { locale: string };
  const mail = renderer.render(row.template as TemplateName, locale, row.data as never);
  const commands = [...mail.html.matchAll(/<span class="cmd">([^<]*)<\/span>/g)].map((m) => (m[1] ?? '').replace(/&#x27;/g, "'"));
  for (const c of commands) expect(mail.text).toContain(c);
  return [...new Set(commands)];
}

/** What the answer to a command must be: its template and the data that shows it is the promised one. */
function promise(command: string): { template: string; data?: Record<string, unknown> } {
  const parsed = parseCustomerCommand(command, '', '', /INC-\d{6}/i);
  if (parsed === null) return { template: /contact|identifiant/i.test(command) ? 'contact-id' : `nothing for "${command}"` };
  switch (parsed.name) {
    case 'help': return { template: 'command-help' };
    case 'list': return { template: 'command-list' };
    case 'profile': return { template: 'command-profile' };
    case 'status': return { template: 'command-status' };
    case 'close': return { template: 'incident-closed' };
    case 'unknown': return { template: `unknown command "${parsed.word}"` };
    case 'notify': {
      const o = parsed.options;
      const on = [o.updated, o.escalated, o.workaround, o.closed].filter(Boolean).length;
      const level = on === 0 ? 'none' : on === 4 ? 'all' : on === 1 && o.closed ? 'closure' : 'updates';
      return { template: 'subscription-changed', data: { level } };
    }
    case 'kb': {
      const q = parsed.query;
      if (q.kind === 'index') return { template: 'kb-index' };
      if (q.kind === 'article') return { template: 'kb-article', data: { id: String(Number(q.idOrSlug)) } };
      return { template: 'kb-results', data: { query: q.text } };
    }
  }
}

async function expectPromised(rows: OutboxRow[], command: string): Promise<OutboxRow> {
  const p = promise(command);
  expect(rows.map((r) => r.template), command).toEqual([p.template]);
  const [row] = rows;
  if (p.data !== undefined) expect(row?.data, command).toMatchObject(p.data);
  return row as OutboxRow;
}

describe.each([
  ['en', 'doug@dougsdogs.example', 'help', 'notify updated closed'],
  ['fr', 'martine@dougsdogs.example', 'aide', 'notifier mis à jour fermé'],
])('suggested commands in %s', (_locale, from, help, readmeNotify) => {
  let incident: Incident;

  beforeAll(async () => {
    const rows = await send(from, 'Arc: operator directory is empty', 'Since this morning the attendant console shows no colleagues in the directory.');
    const confirmation = rows.find((r) => r.template === 'incident-created');
    expect(confirmation?.data.suggestions).not.toEqual([]);
    incident = { reference: String(confirmation?.data.reference), confirmationId: confirmation?.message_id ?? '' };
  });

  /** Sends a command as the customer would: a reply to the incident for notify, a new mail otherwise. */
  async function answerTo(command: string): Promise<OutboxRow[]> {
    if (/^notif/i.test(command)) return send(from, `Re: [${incident.reference}] Incident`, command, [incident.confirmationId]);
    return send(from, command);
  }

  it('the confirmation: each notify choice and each article command (as a reply)', async () => {
    const confirmation = (await db('outbox').where({ to_address: from, template: 'incident-created' }).orderBy('id', 'desc').first('*')) as OutboxRow;
    const commands = await suggestedIn(confirmation);
    expect(commands.filter((c) => / article /.test(c)).length).toBe((confirmation.data.suggestions as unknown[]).length);
    for (const command of commands) {
      await expectPromised(await send(from, `Re: [${incident.reference}] Incident`, command, [incident.confirmationId]), command);
    }
  });

  it('help, and every command it lists; then the commands of the answers to those', async () => {
    const [helpMail] = await send(from, help);
    const commands = await suggestedIn(helpMail as OutboxRow);
    // The help mail's `status INC-000123` and `kb article KB-1042` are examples of the form,
    // pinned by tests/unit/outbound/suggested-commands.test.ts; the rest is sent as written.
    const runnable = commands.filter((c) => !/INC-000123|KB-1042/.test(c));
    expect(runnable.length).toBeGreaterThanOrEqual(commands.length - 2);
    const answers: OutboxRow[] = [];
    for (const command of runnable) answers.push(await expectPromised(await answerTo(command), command));
    // The kb index and the incident list suggest commands of their own: they too do what they say.
    for (const answer of answers.filter((a) => a.template === 'kb-index' || a.template === 'command-list')) {
      const more = await suggestedIn(answer);
      expect(more.some((c) => / article | INC-/.test(c))).toBe(true);
      for (const command of more) await expectPromised(await answerTo(command), command);
    }
  });

  it("README's subject form, the command then the reference, changes the subscription", async () => {
    const rows = await send(from, `${readmeNotify} [${incident.reference}]`);
    expect(rows.map((r) => r.template)).toEqual(['subscription-changed']);
    expect(rows[0]?.data).toMatchObject({ reference: incident.reference, level: 'updates' });
    const sub = (await db('subscriptions').join('incidents', 'incidents.id', 'subscriptions.incident_id').where({ 'incidents.reference': incident.reference, email: from }).first('on_updated', 'on_escalated', 'on_workaround', 'on_closed')) as Record<string, boolean>;
    expect(sub).toEqual({ on_updated: true, on_escalated: false, on_workaround: false, on_closed: true });
  });

  it('kb search results each end with the command that fetches the whole article', async () => {
    const [results] = await send(from, 'kb operator directory');
    expect(results?.template).toBe('kb-results');
    const commands = (await suggestedIn(results as OutboxRow)).filter((c) => / article /.test(c));
    expect(commands.length).toBe((results?.data.results as unknown[]).length);
    for (const command of commands) await expectPromised(await answerTo(command), command);
  });
});
