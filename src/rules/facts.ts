/**
 * Everything the rules may look at, gathered before deciding. Loading happens in the
 * store (identity, contracts, incidents the mail points at); deciding is a pure
 * function of this value, so every decision can be tested with facts written by hand
 * and replayed from the inbound log.
 */
import type { ScreenResult } from '../mail/screen.js';
import type { CustomerCommandRequest, EngineerCommandRequest } from './text/commands.js';
import type { PortalFields } from './text/fields.js';
import type { ProductResolution } from './product.js';
import type { SenderAuth, SenderAuthPolicy } from './sender-auth.js';

export interface ProductFact {
  id: number;
  code: string;
  name: string;
  formerNames: string[];
}

export interface ContractFact {
  product: ProductFact;
  level: string;
  /** Calendar dates `YYYY-MM-DD`. */
  startsOn: string;
  endsOn: string;
  /** Today is between startsOn and endsOn, both included. */
  active: boolean;
}

export interface ContactFact {
  id: number;
  contactId: string;
  name: string;
  email: string;
  locale: string;
  timeZone: string;
  accountId: number;
}

export interface AccountFact {
  id: number;
  name: string;
}

export interface StaffFact {
  id: number;
  name: string;
  email: string;
  role: 'engineer' | 'admin' | 'partner';
}

/** Who the From address is. Several can hold at once (a partner user who is a support contact). */
export interface SenderFacts {
  /** Lower-cased From address; null when the mail has none. */
  email: string | null;
  name: string;
  contact: ContactFact | null;
  account: AccountFact | null;
  contracts: ContractFact[];
  staff: StaffFact | null;
  /** Accounts for which the address is a support contact. */
  supportContactOf: number[];
}

export interface IncidentFact {
  id: number;
  reference: string;
  accountId: number;
  reporterContactId: number | null;
  productId: number | null;
  status: string;
  closedAt: Date | null;
  subscriberEmails: string[];
}

export interface ThreadFacts {
  /** Our references found in the subject, behind any prefix chain. */
  subjectReferences: string[];
  /** The incident of the first subject reference that exists. */
  subjectIncident: IncidentFact | null;
  /** An incident whose mail we sent is in In-Reply-To/References: proves the incident. */
  messageIdIncident: IncidentFact | null;
  /** A signed reply address of ours among the recipients, and whether its tag verifies for the From address. */
  signed: { incident: IncidentFact; verified: boolean; address: string } | null;
}

/** The sender's exchange with our automatic answers, when this mail replies to one of them. */
export interface ConversationFacts {
  /** Our automatic answer (auto-replied, to this sender) that the mail's In-Reply-To/References names. */
  repliesToAutoAnswer: { outboxId: number; sentAt: Date; incidentId: number | null };
  /** The sender's mail in the last hour that came within the fast-reply window of one of our automatic answers. */
  earlierFastReplies: number;
  /** The text of the sender's last update in the last hour. */
  lastUpdateText: string | null;
  /** A loop stop was already recorded for this sender on that incident in the last hour. */
  alreadyStopped: boolean;
}

export interface Facts {
  now: Date;
  inboundId: number;
  screen: ScreenResult;
  /** The incident this inbound message already produced, if it was handled before. */
  alreadyHandledIncidentId: number | null;
  subject: string;
  /** Subject without reply/forward prefixes. */
  subjectBase: string;
  /** Text the sender wrote (quotes and signature removed). */
  visibleText: string;
  firstLine: string;
  replyTo: string[];
  fields: PortalFields;
  contactIdRequest: boolean;
  command: CustomerCommandRequest | null;
  engineerCommand: EngineerCommandRequest | null;
  sender: SenderFacts;
  auth: SenderAuth;
  authPolicy: SenderAuthPolicy;
  /** The staff user who released this mail from a sender-authentication hold, if any. */
  senderReleasedBy: string | null;
  thread: ThreadFacts;
  product: ProductResolution;
  autoRepliesThisHour: number;
  autoReplyLimit: number;
  conversation: ConversationFacts | null;
  fastReplySeconds: number;
  closedIncident: { policy: 'reopen' | 'new-after'; days: number };
}
