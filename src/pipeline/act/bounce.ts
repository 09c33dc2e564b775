/**
 * A bounce is never answered: its permanently failed recipients are marked as bouncing
 * (the planner stops mailing them) and the incident whose mail bounced gets a `bounce`
 * entry, found through the original Message-ID in the delivery report.
 */
import type { ScreenResult } from '../../mail/screen.js';
import { recordBounce } from '../../store/auto-replies.js';
import { incidentRepository } from '../../store/incidents.js';
import { incidentBySentMessageIds } from '../../store/threading.js';
import type { ActContext } from './context.js';

export async function actBounce(ctx: ActContext, screen: Extract<ScreenResult, { kind: 'bounce' }>): Promise<number | null> {
  if (screen.permanent) {
    for (const email of screen.failedRecipients) await recordBounce(ctx.trx, email, screen.reason, ctx.origin.at);
  }
  const original = screen.report?.originalMessageId ?? null;
  const ids = [original, ...ctx.message.inReplyTo, ...ctx.message.references].filter((x): x is string => x !== null);
  const incident = await incidentBySentMessageIds(ctx.trx, ids);
  if (incident === null) return null;
  await incidentRepository(ctx.trx).addEvent({
    incidentId: incident.fact.id, kind: 'bounce', visibility: 'internal', actor: { kind: 'system', name: 'casemail' },
    body: `Delivery failed${screen.permanent ? ' permanently' : ''} for ${screen.failedRecipients.join(', ') || 'an unnamed recipient'}: ${screen.reason}`,
    inboundId: ctx.origin.inboundId, at: ctx.origin.at, data: { failedRecipients: screen.failedRecipients, permanent: screen.permanent, originalMessageId: original },
  });
  return incident.fact.id;
}
