/**
 * Facts written by hand for the pure decide step: the demo account (Doug's Dogs, QMS and
 * CFC active, EICC expired), its contacts, an engineer, and incidents the mail may name.
 */
import type { ScreenResult } from '../../../src/mail/screen.js';
import type { ContractFact, Facts, IncidentFact, ProductFact, SenderFacts, ThreadFacts } from '../../../src/rules/facts.js';
import { interpret } from '../../../src/rules/interpret.js';
import { resolveProduct } from '../../../src/rules/product.js';
import { evaluateSenderAuth, type SenderAuthPolicy } from '../../../src/rules/sender-auth.js';
import { coveredProducts } from '../../../src/rules/entitlement.js';

export const QMS: ProductFact = { id: 1, code: 'QMS', name: 'Quality Management Suite', formerNames: ['Telrex'] };
export const CFC: ProductFact = { id: 2, code: 'CFC', name: 'Console for Cisco', formerNames: ['Arc'] };
export const EICC: ProductFact = { id: 3, code: 'EICC', name: 'EI Communications Center', formerNames: ['Zeacom'] };
const CATALOGUE = [QMS, CFC, EICC];

const contract = (product: ProductFact, endsOn: string, active: boolean): ContractFact => ({ product, level: 'SWA Premium', startsOn: '2023-07-01', endsOn, active });
const DOUGS_CONTRACTS = [contract(QMS, '2028-12-31', true), contract(CFC, '2028-12-31', true), contract(EICC, '2026-06-30', false)];

export const DOUG: SenderFacts = {
  email: 'doug@dougsdogs.example', name: 'Doug Dawson',
  contact: { id: 11, contactId: '100234', name: 'Doug Dawson', email: 'doug@dougsdogs.example', locale: 'en', timeZone: 'America/Chicago', accountId: 1 },
  account: { id: 1, name: "Doug's Dogs" }, contracts: DOUGS_CONTRACTS, staff: null, supportContactOf: [],
};
export const MARTINE: SenderFacts = { ...DOUG, email: 'martine@dougsdogs.example', name: 'Martine', contact: { ...DOUG.contact!, id: 12, contactId: '100235', email: 'martine@dougsdogs.example', locale: 'fr' } };
export const OTHER_CUSTOMER: SenderFacts = {
  email: 'olga@cats.example', name: 'Olga', contact: { id: 31, contactId: '200001', name: 'Olga', email: 'olga@cats.example', locale: 'en', timeZone: 'UTC', accountId: 2 },
  account: { id: 2, name: 'Cats Inc' }, contracts: [contract(CFC, '2028-12-31', true)], staff: null, supportContactOf: [],
};
export const STRANGER: SenderFacts = { email: 'mallory@evil.example', name: 'Mallory', contact: null, account: null, contracts: [], staff: null, supportContactOf: [] };
export const IT_SUPPORT: SenderFacts = { ...STRANGER, email: 'it-support@dougsdogs.example', name: 'IT', supportContactOf: [1] };
export const ERIN: SenderFacts = { ...STRANGER, email: 'erin.engineer@support.example.com', name: 'Erin', staff: { id: 3, name: 'Erin Engineer', email: 'erin.engineer@support.example.com', role: 'engineer' } };
export const NOOBS: SenderFacts = { ...OTHER_CUSTOMER, email: 'ned@noobs.example', contact: { ...OTHER_CUSTOMER.contact!, id: 41, email: 'ned@noobs.example', accountId: 3 }, account: { id: 3, name: 'Noobs' }, contracts: [] };

export const OPEN_INC: IncidentFact = { id: 100, reference: 'INC-000100', accountId: 1, reporterContactId: 11, productId: 1, status: 'open', closedAt: null, subscriberEmails: ['doug@dougsdogs.example'] };
export const NOW = new Date('2026-11-21T10:00:00Z');
export const closedDaysAgo = (days: number): IncidentFact => ({ ...OPEN_INC, status: 'closed', closedAt: new Date(NOW.getTime() - days * 86_400_000) });

export const AR = {
  dmarcFail: 'mx.support.example.com; dmarc=fail header.from=dougsdogs.example; dkim=fail header.d=dougsdogs.example; spf=fail smtp.mailfrom=dougsdogs.example',
  dmarcPass: 'mx.support.example.com; dmarc=pass (p=reject) header.from=dougsdogs.example; dkim=pass header.d=dougsdogs.example; spf=pass smtp.mailfrom=dougsdogs.example',
  dkimAligned: 'mx.support.example.com 1; dkim=pass header.d=dougsdogs.example; spf=none',
  untrustedPass: 'evil.example; dmarc=pass header.from=dougsdogs.example; dkim=pass header.d=dougsdogs.example',
};

export interface Case {
  sender?: SenderFacts;
  subject?: string;
  text?: string;
  replyTo?: string[];
  screen?: ScreenResult;
  auth?: string[];
  policy?: SenderAuthPolicy;
  thread?: Partial<ThreadFacts>;
  mailboxProduct?: string;
  autoReplies?: number;
  closed?: Facts['closedIncident'];
  alreadyHandled?: number;
  conversation?: Facts['conversation'];
  /** Released from a sender-review hold by this staff user (the pipeline then waives the policy). */
  releasedBy?: string;
}

export function buildFacts(c: Case): Facts {
  const sender = c.sender ?? DOUG;
  const read = interpret(c.subject ?? '', c.text ?? '', /INC-\d{6}/i);
  const thread: ThreadFacts = { subjectReferences: read.references, subjectIncident: null, messageIdIncident: null, signed: null, ...c.thread };
  return {
    now: NOW, inboundId: 1, conversation: c.conversation ?? null, fastReplySeconds: 60, screen: c.screen ?? { kind: 'clean' }, alreadyHandledIncidentId: c.alreadyHandled ?? null,
    subject: c.subject ?? '', subjectBase: read.subjectBase, visibleText: read.visibleText, firstLine: read.firstLine, replyTo: c.replyTo ?? [],
    fields: read.fields, contactIdRequest: read.contactIdRequest, command: read.command, engineerCommand: read.engineerCommand, sender,
    auth: evaluateSenderAuth(c.auth ?? [], ['mx.support.example.com'], sender.email), authPolicy: c.releasedBy === undefined ? c.policy ?? 'prefer' : 'off', senderReleasedBy: c.releasedBy ?? null, thread,
    product: resolveProduct({ mailboxProduct: c.mailboxProduct ?? null, productLine: read.fields.product, subject: read.subjectBase, catalogue: CATALOGUE, covered: coveredProducts(sender) }),
    autoRepliesThisHour: c.autoReplies ?? 0, autoReplyLimit: 5, closedIncident: c.closed ?? { policy: 'new-after', days: 14 },
  };
}
