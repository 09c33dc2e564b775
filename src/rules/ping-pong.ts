/**
 * Recognises a ping-pong with a machine: a mail that replies to one of our automatic
 * answers within seconds of it, again, or with the same text as the sender's last one.
 * Many ticket systems, CRMs and home-made scripts answer every mail with "Re: <subject>",
 * In-Reply-To set and no RFC 3834 header, and each of our receipts then drew another
 * answer, for ever. A person who replies at once to a receipt once is not stopped; the
 * second fast or repeated reply is. The text is still recorded: only the answers stop.
 * Pure: facts in, a reason (or null) out.
 */
import type { Facts } from './facts.js';

/** Text compared without case, digits, punctuation and spacing: counters and dates change, the text does not. */
export function textShape(text: string): string {
  return text.toLowerCase().replace(/[\p{N}\p{P}\p{S}\s]+/gu, ' ').trim();
}

export function machineConversation(facts: Facts): string | null {
  const c = facts.conversation;
  if (c === null) return null;
  const seconds = (facts.now.getTime() - c.repliesToAutoAnswer.sentAt.getTime()) / 1000;
  const fast = seconds >= 0 && seconds <= facts.fastReplySeconds;
  const same = c.lastUpdateText !== null && textShape(c.lastUpdateText) !== '' && textShape(c.lastUpdateText) === textShape(facts.visibleText);
  if (fast && c.earlierFastReplies >= 1) {
    return `a reply ${seconds.toFixed(0)} s after our automatic answer (outbox row ${c.repliesToAutoAnswer.outboxId}), the ${c.earlierFastReplies + 1}th this hour within ${facts.fastReplySeconds} s`;
  }
  if (same) return `a reply to our automatic answer (outbox row ${c.repliesToAutoAnswer.outboxId}) repeating the sender's last text`;
  return null;
}
