/**
 * One outbox row as the message its recipient gets: the template rendered with the row's
 * data, then composed with our headers, threading, Reply-To and unsubscribe offer. The
 * worker sends exactly this; `casemail outbox show --render` prints it, so what an operator
 * looks at is what went, or will go, out.
 */
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { Config } from '../config/schema.js';
import { composeMail } from './compose.js';
import { subscriptionKey, type BatchFacts, type OutboxRow } from './outbox-store.js';
import type { RenderedMail, Renderer } from './render.js';
import { TEMPLATE_NAMES, type RenderData, type TemplateName } from './templates/registry.js';

const TEMPLATES = new Set<string>(TEMPLATE_NAMES);

export function renderRow(ctx: { config: Readonly<Config>; renderer: Renderer }, row: OutboxRow): RenderedMail {
  const { config } = ctx;
  if (!TEMPLATES.has(row.template)) throw new Error(`unknown template ${row.template}`);
  // Rows written by older code may lack the common data; the config supplies it.
  const data = {
    timeZone: config.locale.timeZone,
    supportAddress: config.mail.supportAddress,
    brand: config.mail.supportName,
    ...row.data,
  } as unknown as RenderData<TemplateName>;
  return ctx.renderer.render(row.template as TemplateName, row.locale, data);
}

export function messageForRow(config: Readonly<Config>, row: OutboxRow, facts: BatchFacts, rendered: RenderedMail, now: Date): Mail.Options {
  const incident = row.incident_id === null ? null : (facts.incidents.get(row.incident_id) ?? null);
  const offerUnsubscribe =
    incident !== null && row.auto_submitted === 'auto-generated' && facts.subscribed.has(subscriptionKey(incident.id, row.to_address));
  const cc = row.cc.filter((a) => !facts.bouncing.has(a.toLowerCase()));
  return composeMail({ row, incident, rendered, cc, offerUnsubscribe, config, now });
}
