/**
 * `casemail outbox show N --render`: one outbox row as its recipient gets it, built by the
 * same code the outbox worker sends with. The headers and the text part go to standard
 * output; the HTML part (`--html FILE`) and the whole MIME message (`--eml FILE`) to files.
 */
import { writeFile } from 'node:fs/promises';
import type { Knex } from 'knex';
import type Mail from 'nodemailer/lib/mailer/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Config } from '../config/schema.js';
import { loadBatchFacts, type OutboxRow } from '../outbound/outbox-store.js';
import { createRenderer } from '../outbound/render.js';
import { messageForRow, renderRow } from '../outbound/row-message.js';
import { defaultTemplatesDir } from '../outbound/templates-location.js';

export interface RenderOptions {
  html?: string;
  eml?: string;
}

const address = (a: Mail.Options['from']): string => {
  if (a === undefined) return '';
  if (typeof a === 'string') return a;
  if (Array.isArray(a)) return a.map((x) => address(x)).join(', ');
  return a.name ? `"${a.name}" <${a.address}>` : a.address;
};

/** A header as nodemailer takes it: a string, a list, or a value it must write as prepared (unfolded here). */
function headerText(v: unknown): string {
  if (Array.isArray(v)) return v.map(headerText).join(' ');
  if (typeof v === 'object' && v !== null && 'value' in v) return String((v as { value: unknown }).value).replace(/\r?\n[ \t]/g, ' ');
  return String(v);
}

function headerLines(m: Mail.Options): string[] {
  const lines = [`From: ${address(m.from)}`, `To: ${address(m.to as Mail.Options['from'])}`];
  if (m.cc !== undefined) lines.push(`Cc: ${address(m.cc as Mail.Options['from'])}`);
  if (m.replyTo !== undefined) lines.push(`Reply-To: ${address(m.replyTo as Mail.Options['from'])}`);
  lines.push(`Subject: ${m.subject ?? ''}`, `Message-ID: ${m.messageId ?? ''}`);
  if (m.date instanceof Date) lines.push(`Date: ${m.date.toUTCString()}`);
  for (const [k, v] of Object.entries((m.headers ?? {}) as Record<string, unknown>)) lines.push(`${k}: ${headerText(v)}`);
  return lines;
}

/** The lines to print; writes the HTML and MIME files asked for. */
export async function renderOutboxRow(db: Knex, config: Readonly<Config>, row: OutboxRow, opts: RenderOptions): Promise<string[]> {
  const renderer = await createRenderer({ templatesDir: defaultTemplatesDir(), defaultLocale: config.locale.default });
  const rendered = renderRow({ config, renderer }, row);
  const facts = await loadBatchFacts(db, [row]);
  const message = messageForRow(config, row, facts, rendered, row.sent_at ?? new Date());
  if (opts.html !== undefined) await writeFile(opts.html, rendered.html, 'utf8');
  if (opts.eml !== undefined) await writeFile(opts.eml, await new MailComposer(message).compile().build());
  const notes = [opts.html === undefined ? null : `(HTML part written to ${opts.html})`, opts.eml === undefined ? null : `(whole message written to ${opts.eml})`];
  return [...headerLines(message), '', rendered.text, ...notes.filter((n): n is string => n !== null)];
}
