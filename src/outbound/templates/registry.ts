/**
 * The typed registry of outgoing mail templates. Each template name maps to the
 * exact data its MJML, subject and text files read, so a caller cannot forget a
 * field and a template rename is a compile error rather than a blank mail.
 */
import type { Excerpt } from '../../domain/kb/port.js';

/** An instant (ISO 8601 string as stored in the outbox, or a Date); shown in the recipient's time zone. */
export type Instant = Date | string;
/** A calendar date `YYYY-MM-DD` (contract end dates): shown as-is, never shifted by a time zone. */
export type CalendarDate = string;

/** Data every mail receives, whatever its template. */
export interface CommonData {
  /** Greeting name; the templates fall back to a neutral greeting without it. */
  recipientName?: string;
  /** IANA time zone of the recipient, e.g. `Europe/Paris`. */
  timeZone: string;
  /** The address customers write to. */
  supportAddress: string;
  /** Brand shown in the header, e.g. `casemail support`. */
  brand: string;
}

export interface Person {
  name: string;
  email: string;
  phone?: string;
}

export type { Excerpt, ExcerptRun } from '../../domain/kb/port.js';

export interface KbSnippet {
  id: string;
  title: string;
  /** Shown with `{{excerpt snippet}}`: matched words in bold in HTML, plain in text. */
  snippet: Excerpt | string;
  url?: string;
}

export interface FileInfo {
  name: string;
  /** Size in bytes. */
  size: number;
}

export interface IncidentLine {
  reference: string;
  title: string;
  status: string;
  openedAt: Instant;
}

/** A customer-visible entry of an incident's history. */
export interface HistoryEntry {
  kind: 'note' | 'email';
  author: string;
  at: Instant;
  text: string;
}

export interface IncidentDetails {
  reference: string;
  title: string;
  product: string;
  status: string;
  openedAt: Instant;
  closedAt?: Instant;
  /** Whether the customer reported a service outage. */
  outage: boolean;
  engineer?: string;
  priority: string;
  urgency: string;
  customerTicket?: string;
  category?: string;
  version?: string;
  build?: string;
}

interface IncidentBase {
  reference: string;
  title: string;
}

/** One account's open incidents in a support contact's daily digest. */
export interface DigestAccount {
  accountName: string;
  incidents: (IncidentLine & { product: string })[];
}

/** Why an incident closed and what a reply does afterwards, in the policy in force. */
export interface ClosingFacts {
  closedBy: 'staff' | 'customer-request' | 'no-answer';
  /** With `no-answer`: the days the reminder waited. */
  noAnswerDays?: number;
  /** `reopen`: a reply always reopens. `new-after`: until `reopenUntil`, then a reply opens a linked incident. */
  replyPolicy: 'reopen' | 'new-after';
  reopenUntil?: Instant;
}

/** A closed incident a new one is linked to, and the policy that made it new. */
export interface LinkedIncident {
  reference: string;
  title: string;
  closedAt: Instant;
  /** Days after closing during which a reply reopens. */
  reopenDays: number;
}

export type NotifyLevel = 'all' | 'updates' | 'closure' | 'none';

export interface TemplateData {
  'incident-created': IncidentBase & {
    product: string;
    /** The closed incident a late reply was about: this new one is linked to it (closed-incident policy). */
    linkedIncident?: LinkedIncident;
    /** At most three suggestions; the planner trims the list. */
    suggestions: KbSnippet[];
  };
  'update-received': IncidentBase & { receivedAt: Instant; attachmentNames: string[] };
  'incident-updated': IncidentBase & { status: string; updatedBy: string; at: Instant; message: string };
  /**
   * The customer-facing escalation notice. It never carries the internal reason: only the
   * template's own words and `customerMessage`, which staff write for the customer on purpose.
   */
  'incident-escalated': IncidentBase & {
    product: string;
    version?: string;
    at: Instant;
    customerMessage?: string;
  };
  'workaround-provided': IncidentBase & { engineer: string; workaround: string };
  'incident-closed': IncidentBase & ClosingFacts & {
    closedAt: Instant;
    /** Staff's (or the customer's) own resolution text; empty when none was written. */
    resolution: string;
  };
  /**
   * An incident open again. `cause` says who reopened it; `yourReply` when the recipient's own
   * reply did (the answer to that reply), `message` the reply others are told of.
   */
  'incident-reopened': IncidentBase & {
    reopenedBy: string;
    at: Instant;
    cause: 'staff' | 'customer-reply';
    reason?: string;
    yourReply?: boolean;
    message?: string;
    attachmentNames?: string[];
  };
  'journal-note': IncidentBase & { author: string; at: Instant; note: string };
  'contact-id': { contactId: string; contactName: string; accountName: string };
  'contact-id-unknown': { senderAddress: string; tscPhone: string };
  'unknown-sender': { senderAddress: string; tscPhone: string };
  'contract-expired': {
    product: string;
    endDate: CalendarDate;
    accountName: string;
    supportContacts: Person[];
  };
  'product-not-covered': { requestedProduct?: string; accountName: string; coveredProducts: string[] };
  'product-ambiguous': { originalSubject: string; candidates: string[] };
  'attachment-too-large': {
    reference?: string;
    files: FileInfo[];
    limitBytes: number;
    /** Plain text from the config, shown with its line breaks. */
    ftpInstructions: string;
  };
  'command-help': Record<never, never>;
  'command-list': { accountName: string; groups: { product: string; incidents: IncidentLine[] }[] };
  'command-status': { incident: IncidentDetails; entries: HistoryEntry[] };
  'command-profile': {
    accountName: string;
    contactName: string;
    contracts: { product: string; active: boolean; endDate: CalendarDate }[];
    hardware: { model: string; serial: string; location?: string }[];
    openIncidents: IncidentLine[];
  };
  'subscription-changed': IncidentBase & { level: NotifyLevel };
  'kb-results': { query: string; results: KbSnippet[] };
  'kb-article': { id: string; title: string; category: string; updatedAt: Instant; body: string; url?: string };
  'kb-index': {
    categories: { name: string; mostViewed: KbSnippet[]; recent: KbSnippet[] }[];
  };
  'problem-report': {
    incident: IncidentDetails;
    accountName: string;
    reporter: Person;
    description: string;
    attachments: FileInfo[];
  };
  'command-refused': { command: string; reason: string };
  /** A mail in the recipient's name failed its domain's DMARC check and waits for staff review. */
  'sender-held': { receivedAt: Instant };
  /** The incident waits on the customer; without an answer it closes at `closesAt`. */
  'incident-reminder': IncidentBase & { pendingSince: Instant; closesAt: Instant };
  'contract-expiring': { product: string; level: string; endDate: CalendarDate; daysLeft: number; accountName: string };
  /** `date` is the digest's calendar day; `total` counts the incidents of every account. */
  'support-digest': { date: CalendarDate; total: number; accounts: DigestAccount[] };
}

export type TemplateName = keyof TemplateData;

/** What `render` receives for one template: its own data plus the common data. */
export type RenderData<N extends TemplateName> = CommonData & TemplateData[N];

/**
 * The runtime list of templates. Typed as a record first so that adding a name to
 * `TemplateData` without listing it here fails to compile.
 */
const NAMES: Record<TemplateName, true> = {
  'incident-created': true,
  'update-received': true,
  'incident-updated': true,
  'incident-escalated': true,
  'workaround-provided': true,
  'incident-closed': true,
  'incident-reopened': true,
  'journal-note': true,
  'contact-id': true,
  'contact-id-unknown': true,
  'unknown-sender': true,
  'contract-expired': true,
  'product-not-covered': true,
  'product-ambiguous': true,
  'attachment-too-large': true,
  'command-help': true,
  'command-list': true,
  'command-status': true,
  'command-profile': true,
  'subscription-changed': true,
  'kb-results': true,
  'kb-article': true,
  'kb-index': true,
  'problem-report': true,
  'command-refused': true,
  'sender-held': true,
  'incident-reminder': true,
  'contract-expiring': true,
  'support-digest': true,
};

export const TEMPLATE_NAMES = Object.freeze(Object.keys(NAMES) as TemplateName[]);

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
