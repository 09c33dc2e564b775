/**
 * The daily digest for support contacts who asked for it (`support_contacts.digest`): one
 * mail per address listing the open incidents of every account it supports. The day (in
 * the desk's time zone) is part of the dedupe key, so however often the job runs and
 * however many instances run it, an address gets at most one digest a day. A contact whose
 * accounts have nothing open gets no mail.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { queueMail } from '../outbound/queue.js';
import type { DigestAccount } from '../outbound/templates/registry.js';
import { bouncingAmong } from '../store/auto-replies.js';
import { recipientFor } from '../store/incident-views.js';
import { calendarDate } from './dates.js';
import type { JobSummary, TransactionJob } from './job.js';

export interface DigestSubscription {
  email: string;
  accountId: number;
  accountName: string;
}

export interface OpenIncident {
  accountId: number;
  reference: string;
  title: string;
  status: string;
  product: string;
  openedAt: Date;
}

export interface PlannedDigest {
  email: string;
  accounts: DigestAccount[];
  total: number;
}

/** One digest per address (lower case), accounts by name, skipping addresses with nothing open. */
export function planDigests(subs: readonly DigestSubscription[], incidents: readonly OpenIncident[]): PlannedDigest[] {
  const byEmail = new Map<string, Map<number, string>>();
  for (const s of subs) {
    const email = s.email.toLowerCase();
    const accounts = byEmail.get(email) ?? new Map<number, string>();
    accounts.set(s.accountId, s.accountName);
    byEmail.set(email, accounts);
  }
  const digests: PlannedDigest[] = [];
  for (const [email, accounts] of [...byEmail].sort(([a], [b]) => a.localeCompare(b))) {
    const list: DigestAccount[] = [...accounts]
      .map(([id, accountName]) => ({
        accountName,
        incidents: incidents.filter((i) => i.accountId === id).map((i) => ({ reference: i.reference, title: i.title, status: i.status, product: i.product, openedAt: i.openedAt })),
      }))
      .filter((a) => a.incidents.length > 0)
      .sort((a, b) => a.accountName.localeCompare(b.accountName));
    const total = list.reduce((n, a) => n + a.incidents.length, 0);
    if (total > 0) digests.push({ email, accounts: list, total });
  }
  return digests;
}

async function loadSubscriptions(trx: Knex.Transaction): Promise<DigestSubscription[]> {
  const rows = (await trx('support_contacts as s')
    .join('accounts as a', 'a.id', 's.account_id')
    .where('s.digest', true)
    .select('s.email', 's.account_id', 'a.name')) as { email: string; account_id: number; name: string }[];
  return rows.map((r) => ({ email: r.email, accountId: r.account_id, accountName: r.name }));
}

async function loadOpenIncidents(trx: Knex.Transaction, accountIds: number[]): Promise<OpenIncident[]> {
  const rows = (await trx('incidents as i')
    .leftJoin('products as p', 'p.id', 'i.product_id')
    .whereIn('i.account_id', accountIds)
    .whereNot('i.status', 'closed')
    .orderBy('i.id')
    .select('i.account_id', 'i.reference', 'i.title', 'i.status', 'i.opened_at', 'p.name as product')) as {
    account_id: number; reference: string; title: string; status: string; opened_at: Date; product: string | null;
  }[];
  return rows.map((r) => ({ accountId: r.account_id, reference: r.reference, title: r.title, status: r.status, product: r.product ?? '', openedAt: r.opened_at }));
}

export async function runDigest(trx: Knex.Transaction, config: Readonly<Config>, now: Date): Promise<JobSummary> {
  const day = calendarDate(now, config.locale.timeZone);
  const subs = await loadSubscriptions(trx);
  const digests = planDigests(subs, await loadOpenIncidents(trx, [...new Set(subs.map((s) => s.accountId))]));
  const bouncing = await bouncingAmong(trx, digests.map((d) => d.email));
  let mails = 0;
  for (const d of digests.filter((x) => !bouncing.has(x.email))) {
    const to = await recipientFor(trx, d.email, { locale: config.locale.default, timeZone: config.locale.timeZone });
    const r = await queueMail(trx, config, {
      template: 'support-digest', data: { date: day, accounts: d.accounts, total: d.total }, to, incidentId: null,
      autoSubmitted: 'auto-generated', dedupeKey: `job:digest:${day}:${d.email}`,
    });
    if (r.created) mails += 1;
  }
  return { mails, recipients: digests.length };
}

export function digestJob(config: Readonly<Config>): TransactionJob {
  const c = config.jobs.digest;
  return {
    name: 'digest',
    kind: 'transaction',
    description: 'daily digest of open incidents to support contacts who opted in',
    cron: c.cron,
    enabled: c.enabled,
    run: (trx, now) => runDigest(trx, config, now),
  };
}
