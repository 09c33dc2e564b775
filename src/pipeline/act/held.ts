/**
 * A mail held for review because a trusted server says its From domain failed DMARC:
 * the owner of the address on file is told, once, that a mail in their name waits for
 * staff review. The notice goes to the stored address (never Reply-To, never an address
 * the mail names), counts against the hourly limit of automatic answers, and is keyed on
 * the mail itself, so a retry or a second copy of the same mail tells no one again.
 */
import { queueMail } from '../../outbound/queue.js';
import { answerRow, type ActContext } from './context.js';

export async function actHeldForReview(ctx: ActContext): Promise<void> {
  const f = ctx.facts;
  if (f.autoRepliesThisHour >= f.autoReplyLimit) {
    ctx.log.info({ msg: 'held-mail notice suppressed by the hourly limit', inbound: ctx.origin.inboundId });
    return;
  }
  const row = await answerRow(ctx, 'sender-held', { receivedAt: ctx.origin.at }, { limited: true });
  if (row === null) return;
  const mailKey = ctx.message.messageId === null ? `sha256:${ctx.message.checksum}` : `mid:${ctx.message.messageId}`;
  // answerRow took the answer from the sender's hourly budget.
  await queueMail(ctx.trx, ctx.config, { ...row, threading: {}, dedupeKey: `held:${mailKey}:${row.to.email}` });
}
