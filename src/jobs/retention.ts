/**
 * Retention of inbound raw bytes. The full source of every message is kept so that a
 * quarantined mail can be retried and a processed one explained; after `rawDays` a
 * processed or ignored message needs only its log row (decision, trace, incident), so its
 * bytes are dropped. Quarantined messages keep theirs until an operator drops them.
 */
import type { Knex } from 'knex';
import type { JobsConfig } from '../config/schema.js';
import { DAY_MS } from './dates.js';
import type { TransactionJob } from './job.js';

const BATCH = 1000;

/** Messages received before this instant lose their raw bytes. */
export function retentionCutoff(now: Date, rawDays: number): Date {
  return new Date(now.getTime() - rawDays * DAY_MS);
}

/** Nulls the raw bytes of old processed and ignored messages, in batches; returns how many. */
export async function dropOldRawBytes(trx: Knex.Transaction, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = trx('inbound_messages')
      .select('id')
      .whereIn('status', ['processed', 'ignored'])
      .whereNotNull('raw')
      .where('received_at', '<', cutoff)
      .limit(BATCH);
    const n = await trx('inbound_messages').whereIn('id', ids).update({ raw: null });
    total += n;
    if (n < BATCH) return total;
  }
}

export function retentionJob(config: JobsConfig['retention']): TransactionJob {
  return {
    name: 'retention',
    kind: 'transaction',
    description: `drop the raw bytes of processed and ignored inbound mail older than ${config.rawDays} days`,
    cron: config.cron,
    enabled: config.enabled,
    run: async (trx, now) => ({ rawDropped: await dropOldRawBytes(trx, retentionCutoff(now, config.rawDays)) }),
  };
}
