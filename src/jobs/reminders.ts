/**
 * Reminders for incidents waiting on the customer. An incident left in `pending_customer`
 * for `remindAfterDays` gets one reminder mail; if the customer still has not answered
 * `closeAfterDays` after it, the incident is closed through the domain's `close` use case,
 * which announces it with the usual `incident-closed` mail. `reminded_at` compared with
 * `status_changed_at` tells whether this waiting period was already reminded, so each
 * period gets at most one reminder and one closure, whichever instance runs the job.
 */
import type { Knex } from 'knex';
import type { Config, JobsConfig } from '../config/schema.js';
import { close } from '../domain/incidents/work.js';
import type { Logger } from '../platform/logger.js';
import { planNotifications } from '../outbound/planner.js';
import { queueMail } from '../outbound/queue.js';
import { bouncingAmong } from '../store/auto-replies.js';
import { recipientFor, subscribersOf } from '../store/incident-views.js';
import { incidentRepository } from '../store/incidents.js';
import type { JobSummary, TransactionJob } from './job.js';
import { DAY_MS } from './dates.js';

export type ReminderPolicy = Pick<JobsConfig['reminders'], 'remindAfterDays' | 'closeAfterDays' | 'products'>;

export interface PendingIncident {
  id: number;
  productCode: string | null;
  statusChangedAt: Date;
  remindedAt: Date | null;
}

export type ReminderAction =
  | { kind: 'remind'; incidentId: number; closesAt: Date }
  | { kind: 'close'; incidentId: number; closeAfterDays: number };

/** The delays for one product, or null when reminders are off for it. */
export function delaysFor(policy: ReminderPolicy, productCode: string | null): { remindAfterDays: number; closeAfterDays: number } | null {
  const o = productCode === null ? undefined : policy.products[productCode];
  if (o?.enabled === false) return null;
  return { remindAfterDays: o?.remindAfterDays ?? policy.remindAfterDays, closeAfterDays: o?.closeAfterDays ?? policy.closeAfterDays };
}

/** What is due for one incident waiting on the customer, given the clock. */
export function reminderActionFor(row: PendingIncident, now: Date, policy: ReminderPolicy): ReminderAction | null {
  const d = delaysFor(policy, row.productCode);
  if (d === null) return null;
  const remindedThisPeriod = row.remindedAt !== null && row.remindedAt.getTime() >= row.statusChangedAt.getTime();
  if (!remindedThisPeriod) {
    if (now.getTime() - row.statusChangedAt.getTime() < d.remindAfterDays * DAY_MS) return null;
    return { kind: 'remind', incidentId: row.id, closesAt: new Date(now.getTime() + d.closeAfterDays * DAY_MS) };
  }
  const remindedAt = row.remindedAt as Date;
  if (now.getTime() - remindedAt.getTime() < d.closeAfterDays * DAY_MS) return null;
  return { kind: 'close', incidentId: row.id, closeAfterDays: d.closeAfterDays };
}

export function dueReminderActions(rows: readonly PendingIncident[], now: Date, policy: ReminderPolicy): ReminderAction[] {
  return rows.flatMap((r) => reminderActionFor(r, now, policy) ?? []);
}

interface PendingRow {
  id: number;
  code: string | null;
  status_changed_at: Date;
  reminded_at: Date | null;
}

const toPending = (r: PendingRow): PendingIncident => ({ id: r.id, productCode: r.code, statusChangedAt: r.status_changed_at, remindedAt: r.reminded_at });

function pendingQuery(db: Knex.Transaction): Knex.QueryBuilder {
  return db('incidents as i')
    .leftJoin('products as p', 'p.id', 'i.product_id')
    .where('i.status', 'pending_customer')
    .select('i.id', 'p.code', 'i.status_changed_at', 'i.reminded_at');
}

async function sendReminder(trx: Knex.Transaction, config: Readonly<Config>, row: PendingIncident, action: Extract<ReminderAction, { kind: 'remind' }>, now: Date): Promise<number> {
  const repo = incidentRepository(trx);
  const incident = await repo.get(row.id);
  if (incident === null) return 0;
  const emails = [...new Set((await subscribersOf(trx, row.id)).filter((s) => s.on_updated).map((s) => s.email.toLowerCase()))];
  const bouncing = await bouncingAmong(trx, emails);
  const threading = incident.rootMessageId === null ? {} : { inReplyTo: incident.rootMessageId, references: [incident.rootMessageId] };
  let queued = 0;
  for (const email of emails.filter((e) => !bouncing.has(e))) {
    const to = await recipientFor(trx, email, { locale: config.locale.default, timeZone: config.locale.timeZone });
    const r = await queueMail(trx, config, {
      template: 'incident-reminder', to, incidentId: row.id, autoSubmitted: 'auto-generated', threading,
      data: { reference: incident.reference, title: incident.title, pendingSince: row.statusChangedAt, closesAt: action.closesAt },
      // The waiting period is part of the key: a later period may be reminded again, this one never twice.
      dedupeKey: `job:reminder:${row.id}:${row.statusChangedAt.toISOString()}:${email}`,
    });
    if (r.created) queued += 1;
  }
  await trx('incidents').where({ id: row.id }).update({ reminded_at: now });
  await repo.addEvent({
    incidentId: row.id, kind: 'note', visibility: 'internal', actor: { kind: 'system', name: 'casemail' }, at: now,
    body: `Reminder sent to ${queued} recipient(s); closes automatically on ${action.closesAt.toISOString()} without an answer.`, data: { reminder: true },
  });
  return queued;
}

async function autoClose(trx: Knex.Transaction, config: Readonly<Config>, action: Extract<ReminderAction, { kind: 'close' }>, now: Date): Promise<number> {
  // The mail explains the closure in the recipient's language from the cause; no resolution text.
  const { events } = await close(incidentRepository(trx), action.incidentId, '', { kind: 'system', name: 'casemail' }, { at: now, inboundId: null, messageId: null }, { kind: 'no-answer', days: action.closeAfterDays });
  return planNotifications(trx, config, events);
}

/**
 * Carries out each due action in a savepoint of its own, on the row locked and re-checked
 * (a customer's reply may have just moved it on): one failing incident is logged and skipped.
 */
export async function runReminders(trx: Knex.Transaction, config: Readonly<Config>, now: Date, log: Logger): Promise<JobSummary> {
  const policy = config.jobs.reminders;
  const summary = { reminded: 0, closed: 0, mails: 0, failed: 0 };
  const candidates = dueReminderActions(((await pendingQuery(trx)) as PendingRow[]).map(toPending), now, policy);
  for (const candidate of candidates) {
    try {
      await trx.transaction(async (sp) => {
        // NO KEY UPDATE, not FOR UPDATE: it still serialises with other actions on the
        // incident but does not wait for a mail about it that is being sent (see incident-work).
        const fresh = (await pendingQuery(sp).where('i.id', candidate.incidentId).forNoKeyUpdate('i').first()) as PendingRow | undefined;
        const action = fresh === undefined ? null : reminderActionFor(toPending(fresh), now, policy);
        if (fresh === undefined || action === null) return;
        if (action.kind === 'remind') {
          summary.mails += await sendReminder(sp, config, toPending(fresh), action, now);
          summary.reminded += 1;
        } else {
          summary.mails += await autoClose(sp, config, action, now);
          summary.closed += 1;
        }
      });
    } catch (err) {
      summary.failed += 1;
      log.error({ msg: 'reminder failed', incident: candidate.incidentId, err });
    }
  }
  return summary;
}

export function remindersJob(config: Readonly<Config>, log: Logger): TransactionJob {
  const c = config.jobs.reminders;
  return {
    name: 'reminders',
    kind: 'transaction',
    description: `remind customers after ${c.remindAfterDays} days in pending_customer, close ${c.closeAfterDays} days later`,
    cron: c.cron,
    enabled: c.enabled,
    run: (trx, now) => runReminders(trx, config, now, log),
  };
}
