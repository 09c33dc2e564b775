/**
 * The window of the counters of automatic answers per address and hour
 * (`auto_reply_counters`, taken in act/context.ts), and the addresses known to bounce
 * (written by store/bounces.ts). Both keep casemail from mailing someone who does not want
 * or cannot take our mail.
 */
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** The counting window an instant falls in: its clock hour. */
export const autoReplyWindow = (now: Date): Date => new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);

export async function bouncingAmong(db: Db, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = (await db('bouncing_addresses').whereIn('email', emails.map((e) => e.toLowerCase())).select('email')) as { email: string }[];
  return new Set(rows.map((r) => r.email));
}
