/**
 * The one type of casemail's configuration. Parsed once at boot by the loader;
 * everything downstream receives the frozen result and never reads process.env.
 */
import { z } from 'zod';

/** Env values arrive as strings: accept "true"/"false"/"1"/"0" but never coerce "false" to true. */
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return v;
}, z.boolean());

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const port = int(0, 65535);
const email = z.string().trim().toLowerCase().email();
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}$/, 'expected a domain name');
const locale = z.enum(['en', 'fr']);
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Europe/Paris');
const cron = z.string().regex(/^(\S+\s+){4,5}\S+$/, 'expected a cron expression with 5 or 6 fields');

/**
 * OAuth2 refresh-token credentials for one IMAP or SMTP account: Microsoft 365 and Google no
 * longer accept passwords over IMAP and SMTP. Secrets come from *_FILE variables as usual.
 */
export const oauth2Schema = z.object({
  /** The token endpoint, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token. */
  tokenUrl: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  /** Space-separated scopes sent with the refresh (Microsoft wants the IMAP/SMTP scope). */
  scope: z.string().min(1).optional(),
  /** The identity the token belongs to, when it differs from the account's `user`. */
  user: z.string().min(1).optional(),
  /** SASL mechanism; SMTP uses XOAUTH2 unless told otherwise. */
  method: z.enum(['XOAUTH2', 'OAUTHBEARER']).optional(),
});

const isObjectPayload = (payload: { value: unknown }): boolean => typeof payload.value === 'object' && payload.value !== null;

export const imapMailboxSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'letters, digits, - and _ only'),
  host: z.string().min(1),
  port: port.default(993),
  secure: bool.default(true),
  user: z.string().min(1),
  /** Either a password or oauth2 credentials, never both. */
  password: z.string().min(1).optional(),
  oauth2: oauth2Schema.optional(),
  folder: z.string().default('INBOX'),
  processedFolder: z.string().default('casemail/processed'),
  quarantineFolder: z.string().default('casemail/quarantine'),
  afterProcessing: z.enum(['move', 'flag', 'delete']).default('move'),
  /** The product (code) or queue this mailbox feeds; a mail to it needs no product line. */
  product: z.string().optional(),
  queue: z.string().optional(),
  idle: bool.default(true),
  resyncCron: cron.default('*/5 * * * *'),
  batchSize: int(1, 10_000).default(200),
  /** Bytes of mail fetched at once at most (RFC822.SIZE); a larger message is read alone. */
  batchBytes: int(65_536).default(16 * 1024 * 1024),
  /** Messages in the pipeline at once (parsed, or committing in a shared transaction); mail of one sender stays in order. */
  concurrency: int(1, 256).default(32),
})
  // Checked even when other keys of the mailbox are wrong, so one start-up message lists all.
  .refine((m) => m.password !== undefined || m.oauth2 !== undefined, {
    path: ['password'],
    message: 'either password or oauth2 is required',
    when: isObjectPayload,
  })
  .refine((m) => m.password === undefined || m.oauth2 === undefined, {
    path: ['oauth2'],
    message: 'give either password or oauth2, not both',
    when: isObjectPayload,
  });

/** A scheduled job: when it runs (cron, in `locale.timeZone`) and whether it runs at all. */
const jobSchedule = (cronDefault: string, enabledDefault: boolean) => ({
  enabled: bool.default(enabledDefault),
  cron: cron.default(cronDefault),
});
const days = (d: number) => int(1, 3650).default(d);

export const jobsSchema = z
  .object({
    retention: z.object({ ...jobSchedule('30 3 * * *', true), rawDays: days(90) }).prefault({}),
    reminders: z
      .object({
        ...jobSchedule('15 * * * *', false),
        remindAfterDays: days(7),
        closeAfterDays: days(7),
        /** Per product code: other delays, or `enabled: false` to never remind for it. */
        products: z
          .record(z.string(), z.object({ enabled: bool.optional(), remindAfterDays: int(1, 3650).optional(), closeAfterDays: int(1, 3650).optional() }))
          .default({}),
      })
      .prefault({}),
    contractExpiry: z.object({ ...jobSchedule('0 7 * * *', true), warnDays: days(30) }).prefault({}),
    digest: z.object(jobSchedule('0 7 * * *', true)).prefault({}),
    outboxSweep: z.object(jobSchedule('*/5 * * * *', true)).prefault({}),
    mailboxResync: z.object(jobSchedule('*/15 * * * *', true)).prefault({}),
  })
  .prefault({});

export const configSchema = z.object({
  instance: z
    .object({ id: z.string().min(1).default('casemail-1') })
    .default({ id: 'casemail-1' }),
  database: z
    .object({
      /** postgres://… ; when absent, an embedded PGlite database in dataDir is used. */
      url: z.string().url().optional(),
      dataDir: z.string().default('data/pglite'),
      poolMax: int(1, 100).default(8),
      /** How long a process waits for the owner of dataDir to answer (or, for the service, to let go). */
      ownerWaitMs: int(0, 600_000).default(10_000),
    })
    .prefault({}),
  mail: z.object({
    /** Our mail domain: Message-IDs and signed reply addresses live here. */
    domain,
    supportAddress: email,
    supportName: z.string().default('Support'),
    replyLocalPart: z.string().regex(/^[a-z0-9._-]+$/i).default('support'),
    loopHeader: z.string().regex(/^X-[A-Za-z0-9-]+$/).default('X-Casemail-Loop'),
  }),
  reference: z
    .object({
      prefix: z.string().regex(/^[A-Z]{2,8}$/, 'two to eight capital letters').default('INC'),
      digits: int(3, 12).default(6),
    })
    .prefault({}),
  tsc: z.object({ phone: z.string().min(3) }),
  largeFiles: z
    .object({
      ftpInstructions: z
        .string()
        .default('Upload large files to our FTP server and mention their names in a reply.'),
    })
    .prefault({}),
  locale: z
    .object({ default: locale.default('en'), timeZone: timeZone.default('Europe/Paris') })
    .prefault({}),
  limits: z
    .object({
      attachmentBytes: int(1).default(10 * 1024 * 1024),
      maxMessageBytes: int(1024).default(40 * 1024 * 1024),
      parseTimeMs: int(100).default(5000),
      /** Every automatic answer to one sender (receipts, confirmations, command answers, refusals). */
      autoRepliesPerAddressPerHour: int(0).default(10),
      /** A reply to our automatic answer within this many seconds is a machine's, not a person's. */
      fastReplySeconds: int(1, 3600).default(60),
    })
    .prefault({}),
  bounces: z
    .object({
      /** Send each mail with its own signed return path (`support+b-<outbox id>-<mac>@domain`). */
      verp: bool.default(true),
      /** Soft bounces (full mailbox, spam filter, policy, size) in softDays before an address is stopped. */
      softLimit: int(1, 1000).default(3),
      softDays: int(1, 365).default(7),
    })
    .prefault({}),
  ingest: z
    .object({
      /** Transactions committing inbound mail at once; each holds a database connection. */
      transactions: int(1, 32).default(4),
      /** Mail waiting for a transaction shares one, this many at most; each still commits or fails alone. */
      groupSize: int(1, 64).default(8),
    })
    .prefault({}),
  imap: z.object({ mailboxes: z.array(imapMailboxSchema).default([]) }).prefault({}),
  smtpListener: z
    .object({
      enabled: bool.default(false),
      host: z.string().default('127.0.0.1'),
      port: port.default(2525),
      acceptedDomains: z.array(domain).default([]),
      maxSize: int(1024).default(25 * 1024 * 1024),
    })
    .prefault({}),
  smtpOut: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: port.default(25),
      secure: bool.default(false),
      user: z.string().optional(),
      password: z.string().optional(),
      /** OAuth2 instead of a password; `user` names the account unless oauth2.user does. */
      oauth2: oauth2Schema.optional(),
      pool: bool.default(true),
      maxConnections: int(1, 50).default(4),
      /** MAIL FROM, RCPT TO and DATA in one write when the relay offers PIPELINING (RFC 2920). */
      pipelining: bool.default(true),
      dkim: z
        .object({ domainName: domain, keySelector: z.string().min(1), privateKey: z.string().min(1) })
        .optional(),
    })
    .refine((smtp) => !smtp.oauth2 || smtp.password === undefined, {
      path: ['oauth2'],
      message: 'give either password or oauth2, not both',
    })
    .refine((smtp) => !smtp.oauth2 || Boolean(smtp.user ?? smtp.oauth2.user), {
      path: ['user'],
      message: 'oauth2 needs the account address here or in oauth2.user',
    })
    .prefault({}),
  outbox: z
    .object({
      enabled: bool.default(true),
      pollMs: int(10).default(1000),
      batchSize: int(1, 1000).default(50),
      maxAttempts: int(1, 100).default(12),
      backoffBaseMs: int(10).default(30_000),
      backoffMaxMs: int(1000).default(6 * 3600_000),
    })
    .prefault({}),
  http: z
    .object({
      enabled: bool.default(true),
      host: z.string().default('127.0.0.1'),
      port: port.default(8080),
      publicUrl: z.string().url().default('http://127.0.0.1:8080'),
    })
    .prefault({}),
  security: z
    .object({
      /** Signs one-click unsubscribe links; must be long and random in production. */
      linkSecret: z.string().min(16),
      /** How sender authentication (RFC 8601 Authentication-Results) is used. */
      senderAuth: z.enum(['require', 'prefer', 'off']).default('prefer'),
      trustedAuthservIds: z.array(z.string()).default([]),
    }),
  rules: z
    .object({
      closedIncident: z
        .object({ policy: z.enum(['reopen', 'new-after']).default('new-after'), days: int(0).default(14) })
        .prefault({}),
      typeOfIssueKeywords: z.record(z.string(), z.array(z.string())).default({}),
      priorityHints: z.record(z.string(), z.array(z.string())).default({}),
    })
    .prefault({}),
  jobs: jobsSchema,
  log: z
    .object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      pretty: z.enum(['auto', 'always', 'never']).default('auto'),
    })
    .prefault({}),
})
  // The pool also serves the outbox worker, the HTTP API, the jobs and the mailbox cursors.
  // PGlite has one connection and ingest uses one slot there, so the check is PostgreSQL's.
  .refine((c) => c.database.url === undefined || c.ingest.transactions < c.database.poolMax, {
    path: ['ingest', 'transactions'],
    message: 'must be below database.poolMax, whose connections the outbox, the HTTP API and the mailbox cursors need too',
  });

export type Config = z.infer<typeof configSchema>;
export type JobsConfig = z.infer<typeof jobsSchema>;
export type ImapMailboxConfig = z.infer<typeof imapMailboxSchema>;
export type OAuth2Config = z.infer<typeof oauth2Schema>;
export type SmtpOutConfig = Config['smtpOut'];
