/**
 * A bounce is never answered. Its failures are recorded by reason: a hard one (unknown user,
 * no such domain) stops mail to the address at once, soft ones (full mailbox, spam filter,
 * policy, size) only after `bounces.softLimit` within `bounces.softDays`, delay warnings
 * never. Which address failed is taken, in order of trust, from our signed return path
 * (VERP: the outbox row, so its recipient), from the returned original's Message-ID (an
 * outbox row too), or from what the notice says, believed then only for addresses we mailed
 * and, while VERP is on, only as a soft bounce: a forged notice cannot stop mail to anyone.
 * The incident whose mail bounced gets a `bounce` entry.
 */
import type { BounceFailure, BounceVerdict } from '../../mail/screen-bounce.js';
import { everMailed, outboxByMessageId, outboxRecipients, recordAddressFailure } from '../../store/bounces.js';
import { incidentRepository } from '../../store/incidents.js';
import { incidentBySentMessageIds } from '../../store/threading.js';
import type { ActContext } from './context.js';

type Row = NonNullable<Awaited<ReturnType<typeof outboxRecipients>>>;

/** The outbox row the bounce is about: named by our return path, else by the returned Message-ID. */
async function bouncedRow(ctx: ActContext, screen: BounceVerdict): Promise<Row | null> {
  if (screen.outboxId !== null) {
    const row = await outboxRecipients(ctx.trx, screen.outboxId);
    if (row !== null) return row;
  }
  const ids = [screen.returned?.messageId ?? null, screen.report?.originalMessageId ?? null].filter((x): x is string => x !== null && x !== '');
  for (const id of ids) {
    const found = await outboxByMessageId(ctx.trx, id);
    if (found !== null) return outboxRecipients(ctx.trx, found);
  }
  return null;
}

/** The failures to record: those of the row's recipients, or those of addresses we mailed. */
async function believed(ctx: ActContext, screen: BounceVerdict, row: Row | null): Promise<BounceFailure[]> {
  if (row !== null) {
    const recipients = new Set([row.to, ...row.cc].map((a) => a.toLowerCase()));
    const named = screen.failures.filter((f) => recipients.has(f.recipient));
    if (named.length > 0) return named;
    // The notice names no one we can match (mangled, or a forwarding address): the row's own
    // recipient failed, for the reason the notice gives.
    const first = screen.failures[0];
    return [{ recipient: row.to, severity: first?.severity ?? screen.severity, cause: first?.cause ?? screen.cause, status: first?.status ?? null, source: 'report' }];
  }
  const mailed = await everMailed(ctx.trx, screen.failures.map((f) => f.recipient));
  const named = screen.failures.filter((f) => mailed.has(f.recipient));
  // Our mail goes out with signed return paths, so a notice that names none of our rows is
  // unproven (mangled, about mail sent before, or forged): it counts, but never stops an
  // address on its own.
  return ctx.config.bounces.verp ? named.map((f) => (f.severity === 'hard' ? { ...f, severity: 'soft' as const } : f)) : named;
}

async function record(ctx: ActContext, f: BounceFailure, screen: BounceVerdict, row: Row | null): Promise<string> {
  const reason = `${f.cause}${f.status === null ? '' : ` (${f.status})`}: ${screen.reason}`;
  return recordAddressFailure(ctx.trx, {
    email: f.recipient, severity: f.severity, cause: f.cause, status: f.status, reason, outboxId: row?.id ?? null, inboundId: ctx.origin.inboundId, at: ctx.origin.at,
  }, { limit: ctx.config.bounces.softLimit, days: ctx.config.bounces.softDays });
}

export async function actBounce(ctx: ActContext, screen: BounceVerdict): Promise<number | null> {
  const row = await bouncedRow(ctx, screen);
  const failures = await believed(ctx, screen, row);
  const outcomes: string[] = [];
  for (const f of failures) outcomes.push(await record(ctx, f, screen, row));
  const ids = [screen.returned?.messageId ?? null, screen.report?.originalMessageId ?? null, ...ctx.message.inReplyTo, ...ctx.message.references].filter((x): x is string => x !== null);
  const incidentId = row?.incidentId ?? (await incidentBySentMessageIds(ctx.trx, ids))?.fact.id ?? null;
  ctx.log.info({ msg: 'bounce recorded', outbox: row?.id ?? null, incident: incidentId, outcomes });
  if (incidentId === null) return null;
  const named = screen.failures.map((f) => f.recipient).join(', ');
  await incidentRepository(ctx.trx).addEvent({
    incidentId, kind: 'bounce', visibility: 'internal', actor: { kind: 'system', name: 'casemail' },
    body: `Delivery failed (${screen.severity}) for ${outcomes.join('; ') || named || 'an unnamed recipient'}: ${screen.reason}`,
    inboundId: ctx.origin.inboundId, at: ctx.origin.at,
    data: { failures: failures.map((f) => ({ recipient: f.recipient, severity: f.severity, cause: f.cause, status: f.status })), severity: screen.severity, outboxId: row?.id ?? null, originalMessageId: screen.returned?.messageId ?? screen.report?.originalMessageId ?? null },
  });
  return incidentId;
}
