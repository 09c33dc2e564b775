/**
 * Counters of automatic answers per address and hour (`auto_reply_counters`), and the
 * addresses known to bounce. Both keep casemail from mailing someone who does not want
 * or cannot take our mail.
 */
import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/** The counting window an instant falls in: its clock hour. */
export const autoReplyWindow = (now: Date): Date => new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);

export async function countAutoReply(db: Db, email: string, now: Date): Promise<void> {
  await db('auto_reply_counters')
    .insert({ email: email.toLowerCase(), window_start: autoReplyWindow(now), count: 1 })
    .onConflict(['email', 'window_start'])
    .merge({ count: db.raw('auto_reply_counters.count + 1') });
}

export async function bouncingAmong(db: Db, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = (await db('bouncing_addresses').whereIn('email', emails.map((e) => e.toLowerCase())).select('email')) as { email: string }[];
  return new Set(rows.map((r) => r.email));
}

export async function recordBounce(db: Db, rawEmail: string, rawReason: string, now: Date): Promise<void> {
  // A delivery report's text can carry NUL, which PostgreSQL text refuses.
  const reason = rawReason.replace(/\u0000/g, '');
  const email = rawEmail.replace(/\u0000/g, '');
  if (email === '') return;
  await db('bouncing_addresses')
    .insert({ email: email.toLowerCase(), reason: reason.slice(0, 500), count: 1, first_bounced_at: now, last_bounced_at: now })
    .onConflict('email')
    .merge({ reason: reason.slice(0, 500), last_bounced_at: now, count: db.raw('bouncing_addresses.count + 1') });
}
