/**
 * The identify stage: everything the rules need, read inside the message's transaction.
 * Pure interpretation (commands, fields, product, authentication) lives in rules/; this
 * file only fetches rows and hands them over.
 */
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { referencePattern } from '../domain/incidents/reference.js';
import { allHeaders } from '../mail/headers.js';
import { parseReplyAddress, verifyReplyTag } from '../mail/reply-address.js';
import type { ScreenResult } from '../mail/screen.js';
import type { ParsedMessage } from '../mail/types.js';
import { coveredProducts } from '../rules/entitlement.js';
import type { Facts, ThreadFacts } from '../rules/facts.js';
import { resolveProduct } from '../rules/product.js';
import { evaluateSenderAuth } from '../rules/sender-auth.js';
import { interpret, type Interpretation } from '../rules/interpret.js';
import { conversationFacts } from '../store/conversation.js';
import { loadIdentities, type Identity } from '../store/identity.js';
import { incidentByReference, incidentBySentMessageIds } from '../store/threading.js';

export interface FactsInput {
  message: ParsedMessage;
  screen: ScreenResult;
  /** What the sender wrote, when the text stages read it already (prepare.ts). */
  read?: Interpretation;
  inboundId: number;
  mailboxProduct: string | null;
  envelopeRecipients: string[];
  /** Who the sender is, when it was read already for a group of messages (identifyAll). */
  identity?: Identity;
  /** Staff released this mail from a sender-authentication hold: they vouch for the sender. */
  releasedBy?: string;
}

/** Today's calendar date where the support desk works: contract dates are days there. */
export function calendarDay(now: Date, timeZone: string): string {
  return dayFormat(timeZone).format(now);
}

// Building an Intl formatter costs far more than using one: keep one per time zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f;
}

async function loadThread(trx: Knex.Transaction, input: FactsInput, refs: string[], config: Readonly<Config>): Promise<ThreadFacts> {
  const msg = input.message;
  let subjectIncident = null;
  for (const ref of refs) {
    subjectIncident = (await incidentByReference(trx, ref))?.fact ?? null;
    if (subjectIncident !== null) break;
  }
  const messageIdIncident = (await incidentBySentMessageIds(trx, [...msg.inReplyTo, ...msg.references]))?.fact ?? null;
  const recipients = [...msg.to.map((a) => a.address), ...msg.cc.map((a) => a.address), ...input.envelopeRecipients];
  let signed: ThreadFacts['signed'] = null;
  for (const address of recipients) {
    const parsed = parseReplyAddress(address, config.mail.replyLocalPart, config.mail.domain);
    if (parsed === null) continue;
    const incident = await incidentByReference(trx, parsed.reference);
    if (incident === null) continue;
    const verified = msg.from !== null && verifyReplyTag({ reference: incident.fact.reference, tag: parsed.tag, recipient: msg.from.address, secret: incident.replySecret });
    signed = { incident: incident.fact, verified, address: address.toLowerCase() };
    if (verified) break;
  }
  return { subjectReferences: refs, subjectIncident, messageIdIncident, signed };
}

/** The identify stage for several messages at once: one statement, answers in order. */
export function identifyAll(trx: Knex.Transaction, inputs: readonly FactsInput[], config: Readonly<Config>, now: Date): Promise<Identity[]> {
  const qs = inputs.map((input) => ({ email: input.message.from?.address.toLowerCase() ?? null, name: input.message.from?.name ?? '', inboundId: input.inboundId }));
  return loadIdentities(trx, qs, { today: calendarDay(now, config.locale.timeZone), now });
}

export async function gatherFacts(trx: Knex.Transaction, input: FactsInput, config: Readonly<Config>, now: Date): Promise<Facts> {
  const msg = input.message;
  const read = input.read ?? interpret(msg.subject, msg.text, referencePattern(config.reference));
  const email = msg.from?.address.toLowerCase() ?? null;
  const identity = input.identity ?? (await identifyAll(trx, [input], config, now))[0];
  if (identity === undefined) throw new Error('identify returned nothing');
  const sender = identity.sender;
  return {
    now,
    inboundId: input.inboundId,
    screen: input.screen,
    alreadyHandledIncidentId: identity.alreadyHandledIncidentId,
    subject: msg.subject,
    subjectBase: read.subjectBase,
    visibleText: read.visibleText,
    firstLine: read.firstLine,
    replyTo: msg.replyTo.map((a) => a.address),
    fields: read.fields,
    contactIdRequest: read.contactIdRequest,
    command: read.command,
    engineerCommand: read.engineerCommand,
    sender,
    auth: evaluateSenderAuth(allHeaders(msg.headers, 'authentication-results'), config.security.trustedAuthservIds, email),
    // A mail staff released after review passes every sender check: they vouched for it.
    authPolicy: input.releasedBy === undefined ? config.security.senderAuth : 'off',
    senderReleasedBy: input.releasedBy ?? null,
    thread: await loadThread(trx, input, read.references, config),
    product: resolveProduct({ mailboxProduct: input.mailboxProduct, productLine: read.fields.product, subject: read.subjectBase, catalogue: identity.catalogue, covered: coveredProducts(sender) }),
    autoRepliesThisHour: identity.autoRepliesThisHour,
    autoReplyLimit: config.limits.autoRepliesPerAddressPerHour,
    conversation: input.screen.kind === 'clean' ? await conversationFacts(trx, email, [...msg.inReplyTo, ...msg.references], now, config.limits.fastReplySeconds) : null,
    fastReplySeconds: config.limits.fastReplySeconds,
    closedIncident: config.rules.closedIncident,
  };
}
