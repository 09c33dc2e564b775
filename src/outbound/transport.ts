/**
 * The outbound SMTP transport, built once from the config. Pooled by default: a new
 * connection per mail costs the receiving server's greeting delay every time (about
 * 90 mails/s instead of several hundred). DKIM signing happens here when configured,
 * so every mail leaves signed whatever code sent it.
 */
import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type MimeNode from 'nodemailer/lib/mime-node/index.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../platform/logger.js';
import type { AccessTokenSource } from '../platform/oauth2.js';
import { smtpAuthOptions } from './smtp-auth.js';
import { installPipelining, PIPELINING_OPTION } from './smtp-pipelining.js';

/** What a send reports back: the envelope recipients the server accepted and refused. */
export interface SendResult {
  accepted: (string | Mail.Address)[];
  rejected: (string | Mail.Address)[];
  rejectedErrors?: { response?: string; recipient?: string }[];
  response: string;
}

/**
 * How long nodemailer waits for the relay: to connect, for its greeting, and for any reply
 * once connected (an idle socket). The outbox worker derives from them how long a send may
 * keep its database transaction open.
 */
export const SMTP_TIMEOUTS = { connectionMs: 30_000, greetingMs: 30_000, socketMs: 120_000 } as const;

/** The part of a nodemailer transporter the outbox worker uses; tests may hand in their own. */
export interface OutboundTransport {
  sendMail(message: Mail.Options): Promise<SendResult>;
  /** Opens a connection, reads the greeting, says EHLO (and logs in when configured), quits. */
  verify(): Promise<void>;
  close(): void;
}

/**
 * Opens the TCP connection for nodemailer with Nagle's algorithm off. nodemailer writes a
 * message's end (`.` line) and the next command as small separate writes; with Nagle on,
 * each waits for the server's delayed ACK (~40 ms), capping one pooled connection at about
 * 20 mails/s. TLS, if any, is still negotiated by nodemailer on top of this socket.
 *
 * The socket is handed over while it is still connecting, never as an error: nodemailer's
 * pool only frees a connection slot on the connection's own `error` or `close` event, and
 * an error passed back from `getSocket` bypasses both. Each refused connection then held a
 * slot for ever, and after `maxConnections` refusals every later send waited in the pool's
 * queue without end (the outbox stalled for good after a relay outage). A socket that fails
 * to connect reaches nodemailer's own error handling, which frees the slot and fails the
 * send; a relay that never answers is bounded by the greeting timeout.
 */
function connectWithoutDelay(host: string, port: number): Socket {
  const socket = connect({ host, port, noDelay: true });
  socket.setKeepAlive(true);
  return socket;
}

/**
 * The whole message as one buffer, before the relay is contacted. Streamed by nodemailer's
 * MIME builder, a mail leaves as dozens of small socket writes (a header line, a body line
 * each), and those writes were the largest CPU cost of sending in a profile of the outbox at
 * full speed; as one buffer it is one write. Text parts are quoted-printable, chosen here so
 * that nodemailer does not scan every body with two regular expressions to decide.
 */
export async function buildMessage(message: Mail.Options): Promise<{ envelope: NonNullable<Mail.Options['envelope']>; raw: Buffer }> {
  const node = new MailComposer({ textEncoding: 'quoted-printable', ...message }).compile();
  const raw = assembled(node) ?? (await node.build());
  return { envelope: message.envelope ?? node.getEnvelope(), raw };
}

/** The MimeNode internals `assembled` reads (nodemailer 7; its types do not declare them). */
interface NodeInternals {
  boundary: string | false;
  newline?: unknown;
  _raw: unknown;
  _transforms: unknown[];
  _processFuncs: unknown[];
  childNodes: NodeInternals[];
}

/**
 * A multipart message whose parts are all written by us already (compose.ts: the text and
 * HTML parts), joined at once: the headers nodemailer builds (addresses, encoded words,
 * Date, Message-ID), then each part between the boundaries, byte for byte what its stream
 * would write. The stream passes every part through PassThrough streams and timer hops,
 * which cost more than the encoding. Anything else (attachments, nodemailer's own parts,
 * transforms): null, and nodemailer builds it.
 */
export function assembled(node: MimeNode): Buffer | null {
  const n = node as unknown as NodeInternals;
  const multipart = /^multipart\//i.test(String(node.getHeader('Content-Type') ?? ''));
  if (!multipart || n.newline || n._transforms.length > 0 || n._processFuncs.length > 0) return null;
  const parts = n.childNodes.map((c) => (typeof c._raw === 'string' && c.childNodes.length === 0 ? c._raw : null));
  if (parts.length === 0 || parts.includes(null)) return null;
  // buildHeaders settles the boundary (in Content-Type) before it is read.
  const head = node.buildHeaders();
  const boundary = n.boundary;
  if (!boundary) return null;
  return Buffer.from(`${head}\r\n\r\n${parts.map((p) => `--${boundary}\r\n${p}`).join('\r\n')}\r\n--${boundary}--\r\n`, 'utf8');
}

/** `tokens` is the OAuth2 access-token source when `smtpOut.oauth2` is set (Microsoft 365, Google). */
export function createTransport(smtp: Readonly<Config['smtpOut']>, log: Logger, tokens: AccessTokenSource | null = null): OutboundTransport {
  const auth = smtpAuthOptions(smtp, tokens);
  const dkim = smtp.dkim ? { dkim: { ...smtp.dkim } } : {};
  const common = {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...auth,
    ...dkim,
    // nodemailer logs through a bunyan-like logger; ours keeps its output at debug.
    logger: false as const,
    getSocket(_options: unknown, callback: (err: Error | null, socketOptions: { connection: Socket }) => void) {
      callback(null, { connection: connectWithoutDelay(smtp.host, smtp.port) });
    },
    connectionTimeout: SMTP_TIMEOUTS.connectionMs,
    greetingTimeout: SMTP_TIMEOUTS.greetingMs,
    socketTimeout: SMTP_TIMEOUTS.socketMs,
  };
  // nodemailer's pool puts a message back in its queue every time a connection closes under
  // it, without limit by default: a relay that accepts and drops connections (crashed behind
  // a balancer, shutting down) would keep the send pending for ever, stalling the outbox
  // worker's batch and its graceful stop. A few requeues cover a pooled connection the
  // server closed while idle; after that the send fails and the outbox retries with backoff.
  const requeues: { maxRequeues: number } = { maxRequeues: 2 };
  installPipelining();
  // Read by every connection the transport opens (smtp-pipelining.ts): nodemailer hands its
  // options on to each connection unchanged.
  const pipelining = { [PIPELINING_OPTION]: smtp.pipelining } as object;
  const transporter = smtp.pool
    ? nodemailer.createTransport({ ...pipelining, ...({ ...common, ...requeues, pool: true, maxConnections: smtp.maxConnections, maxMessages: 500 } satisfies SMTPPool.Options) })
    : nodemailer.createTransport({ ...pipelining, ...(common satisfies SMTPTransport.Options) });
  transporter.on('error', (err: unknown) => log.warn({ msg: 'smtp transport error', err }));
  return {
    sendMail: async (message) => {
      const { envelope, raw } = await buildMessage(message);
      return transporter.sendMail({ envelope, raw }) as Promise<SendResult>;
    },
    verify: async () => {
      await transporter.verify();
    },
    close: () => transporter.close(),
  };
}
