/**
 * Refusals explained: the sender learns why nothing was opened and what to do (call the
 * TSC, renew the contract, name the product). Rate-limited per address; screening has
 * already kept auto-replies and bounces from getting here.
 */
import type { Refusal } from '../../rules/decision.js';
import { coveredProducts } from '../../rules/entitlement.js';
import { supportContactsOf } from '../../store/incident-views.js';
import { answer, type ActContext } from './context.js';

type CommandRefusal = Extract<Refusal, { reason: 'not-entitled' | 'auth-required' | 'unknown-incident' | 'unknown-command' }>;

function commandRefusedReason(r: CommandRefusal): string {
  switch (r.reason) {
    case 'not-entitled': return `You are not entitled to ${r.what}.`;
    case 'auth-required': return `We could not verify that this mail comes from you, so we did not carry out the ${r.what}. Please reply to one of our notifications instead.`;
    case 'unknown-incident': return r.reference === null ? 'No incident reference was found in your mail.' : `We do not know the incident ${r.reference}.`;
    case 'unknown-command': return `Unknown command ${r.word}.`;
  }
}

export async function actRefusal(ctx: ActContext, refusal: Refusal): Promise<void> {
  const s = ctx.facts.sender;
  const accountName = s.account?.name ?? '';
  const limited = { limited: true };
  switch (refusal.reason) {
    case 'rate-limited':
      ctx.log.info({ msg: 'automatic answer suppressed by the hourly limit', inbound: ctx.origin.inboundId, wouldHave: refusal.wouldHave });
      return;
    case 'unknown-sender':
      await answer(ctx, 'unknown-sender', { senderAddress: s.email ?? '', tscPhone: ctx.config.tsc.phone }, limited);
      return;
    case 'contract-expired': {
      const supportContacts = s.account === null ? [] : await supportContactsOf(ctx.trx, s.account.id);
      await answer(ctx, 'contract-expired', { product: refusal.product.name, endDate: refusal.endsOn, accountName, supportContacts }, limited);
      return;
    }
    case 'product-not-covered': {
      const data = { accountName, coveredProducts: coveredProducts(s).map((p) => p.name), ...(refusal.requested === null ? {} : { requestedProduct: refusal.requested }) };
      await answer(ctx, 'product-not-covered', data, limited);
      return;
    }
    case 'product-ambiguous':
      await answer(ctx, 'product-ambiguous', { originalSubject: ctx.facts.subject, candidates: refusal.candidates.map((p) => p.name) }, limited);
      return;
    case 'not-entitled':
    case 'auth-required':
    case 'unknown-incident':
    case 'unknown-command':
      await answer(ctx, 'command-refused', { command: ctx.facts.firstLine.slice(0, 80) || ctx.facts.subjectBase.slice(0, 80), reason: commandRefusedReason(refusal) }, limited);
      return;
  }
}

export async function actContactId(ctx: ActContext, known: boolean): Promise<void> {
  const c = ctx.facts.sender.contact;
  if (known && c !== null) {
    await answer(ctx, 'contact-id', { contactId: c.contactId, contactName: c.name, accountName: ctx.facts.sender.account?.name ?? '' }, { limited: true });
    return;
  }
  await answer(ctx, 'contact-id-unknown', { senderAddress: ctx.facts.sender.email ?? '', tscPhone: ctx.config.tsc.phone }, { limited: true });
}
