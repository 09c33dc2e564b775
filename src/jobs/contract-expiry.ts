/**
 * Contract expiry warnings. Without a valid SWA contract a customer's next problem report
 * is refused, so the account's contacts and its support contacts hear `warnDays` before
 * the end, once per contract (`expiry_warned_at`), unless the contract was already
 * renewed (a later contract of the same account and product).
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { queueMail } from '../outbound/queue.js';
import { bouncingAmong } from '../store/auto-replies.js';
import { accountName, recipientFor } from '../store/incident-views.js';
import { calendarDate, daysBetween } from './dates.js';
import type { JobSummary, TransactionJob } from './job.js';

export interface ContractRow {
  id: number;
  accountId: number;
  productId: number;
  /** Calendar date `YYYY-MM-DD`. */
  endsOn: string;
  warnedAt: Date | null;
}

export interface ExpiryWarning {
  contractId: number;
  daysLeft: number;
}

/** Contracts ending within `warnDays` of `today`, not warned yet and not renewed. */
export function dueExpiryWarnings(contracts: readonly ContractRow[], today: string, warnDays: number): ExpiryWarning[] {
  const renewed = (c: ContractRow) => contracts.some((o) => o.id !== c.id && o.accountId === c.accountId && o.productId === c.productId && o.endsOn > c.endsOn);
  return contracts
    .filter((c) => c.warnedAt === null)
    .map((c) => ({ c, daysLeft: daysBetween(today, c.endsOn) }))
    .filter(({ c, daysLeft }) => daysLeft >= 0 && daysLeft <= warnDays && !renewed(c))
    .map(({ c, daysLeft }) => ({ contractId: c.id, daysLeft }));
}

interface Row {
  id: number;
  account_id: number;
  product_id: number;
  ends_on: string;
  expiry_warned_at: Date | null;
  level: string;
  product: string;
}

/** Everyone who should hear about the account's contracts: active contacts and support contacts. */
async function accountAudience(trx: Knex.Transaction, accountId: number): Promise<string[]> {
  const contacts = (await trx('contacts').where({ account_id: accountId, active: true }).orderBy('id').pluck('email')) as string[];
  const support = (await trx('support_contacts').where({ account_id: accountId }).orderBy('id').pluck('email')) as string[];
  const all = [...new Set([...contacts, ...support].map((e) => e.toLowerCase()))];
  const bouncing = await bouncingAmong(trx, all);
  return all.filter((e) => !bouncing.has(e));
}

async function warn(trx: Knex.Transaction, config: Readonly<Config>, row: Row, daysLeft: number, now: Date): Promise<number> {
  const data = { product: row.product, level: row.level, endDate: row.ends_on, daysLeft, accountName: await accountName(trx, row.account_id) };
  let queued = 0;
  for (const email of await accountAudience(trx, row.account_id)) {
    const to = await recipientFor(trx, email, { locale: config.locale.default, timeZone: config.locale.timeZone });
    const r = await queueMail(trx, config, {
      template: 'contract-expiring', data, to, incidentId: null, autoSubmitted: 'auto-generated', dedupeKey: `job:contract-expiring:${row.id}:${email}`,
    });
    if (r.created) queued += 1;
  }
  await trx('contracts').where({ id: row.id }).update({ expiry_warned_at: now });
  return queued;
}

export async function runContractExpiry(trx: Knex.Transaction, config: Readonly<Config>, now: Date): Promise<JobSummary> {
  const today = calendarDate(now, config.locale.timeZone);
  const rows = (await trx('contracts as c')
    .join('products as p', 'p.id', 'c.product_id')
    .where('c.ends_on', '>=', today)
    .select('c.id', 'c.account_id', 'c.product_id', 'c.ends_on', 'c.expiry_warned_at', 'c.level', 'p.name as product')) as Row[];
  const contracts = rows.map((r) => ({ id: r.id, accountId: r.account_id, productId: r.product_id, endsOn: r.ends_on, warnedAt: r.expiry_warned_at }));
  const summary = { warned: 0, mails: 0 };
  for (const w of dueExpiryWarnings(contracts, today, config.jobs.contractExpiry.warnDays)) {
    const row = rows.find((r) => r.id === w.contractId);
    if (row === undefined) continue;
    summary.mails += await warn(trx, config, row, w.daysLeft, now);
    summary.warned += 1;
  }
  return summary;
}

export function contractExpiryJob(config: Readonly<Config>): TransactionJob {
  const c = config.jobs.contractExpiry;
  return {
    name: 'contractExpiry',
    kind: 'transaction',
    description: `warn account contacts and support contacts ${c.warnDays} days before an SWA contract ends`,
    cron: c.cron,
    enabled: c.enabled,
    run: (trx, now) => runContractExpiry(trx, config, now),
  };
}
