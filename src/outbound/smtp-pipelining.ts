/**
 * Command pipelining (RFC 2920) for nodemailer's SMTP connection. nodemailer sends MAIL FROM,
 * waits for its reply, sends the RCPT TOs, waits, sends DATA and waits again: three round
 * trips before the message, each a socket write and a wake-up on both sides, which on a
 * small machine cost more of the outbox's CPU than anything else of a send. When the server
 * offers PIPELINING, MAIL FROM, every RCPT TO and DATA go out in one write, as RFC 2920
 * §3.1 allows (DATA ends the group), and the replies are read in order.
 *
 * Only the envelope step changes; the connection, TLS, authentication, timeouts, the message
 * itself and every error nodemailer reports stay nodemailer's own. The replies are judged as
 * nodemailer judges them, with the same errors: a refused MAIL FROM fails the send
 * ("Mail command failed"), refused recipients are listed in `rejected` / `rejectedErrors`,
 * and a send whose recipients were all refused fails ("all recipients were rejected"). Every
 * reply of the group is read before the send is answered, and a DATA a server accepted for a
 * failed envelope is ended with an empty message, so the connection is never left mid-dialogue.
 * An envelope using an extension of MAIL FROM (SMTPUTF8, 8BITMIME, SIZE, DSN, REQUIRETLS) is
 * left to nodemailer's own sequence.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

type Reply = (str: string) => void;
type Callback = (err: Error | null, info?: EnvelopeInfo) => void;

interface EnvelopeInfo {
  accepted: string[];
  rejected: string[];
  rejectedErrors?: Error[];
  ehlo?: string[];
}

interface Envelope {
  from?: unknown;
  to?: unknown;
  dsn?: unknown;
  size?: unknown;
  use8BitMime?: unknown;
  requireTLSExtensionEnabled?: unknown;
  rcptQueue?: string[];
  accepted?: string[];
  rejected?: string[];
  rejectedErrors?: Error[];
}

/** The parts of nodemailer's connection the envelope step uses (nodemailer 7; private). */
interface Connection {
  _envelope: Envelope & { from: string; to: string[] };
  _supportedExtensions: string[];
  _responseActions: Reply[];
  _recipientQueue: string[];
  _ehloLines?: string[];
  _destroyed: boolean;
  _socket: { destroyed: boolean; write(data: Buffer): boolean };
  _formatError(message: string, type: string, response: string | false, command: string): Error & { recipient?: string; rejected?: string[]; rejectedErrors?: Error[] };
  _setEnvelope(envelope: Envelope, callback: Callback): void;
  close(): void;
  options?: Record<string, unknown>;
}

/** The transport option that asks its connections to pipeline (nodemailer passes options through). */
export const PIPELINING_OPTION = 'casemailPipelining';

const ok = (str: string): boolean => str.charAt(0) === '2';
const plain = (address: string): boolean => !/[\r\n<>\x80-\uFFFF]/.test(address);
const addressOf = (a: unknown): string => String((a && typeof a === 'object' && 'address' in a ? (a as { address: unknown }).address : a) ?? '').trim();

/** Whether this envelope can go out pipelined: the server offers it and MAIL FROM needs no extension. */
function pipelinable(conn: Connection, envelope: Envelope): boolean {
  if (!conn._supportedExtensions.includes('PIPELINING')) return false;
  if (envelope.dsn || envelope.size || envelope.use8BitMime || envelope.requireTLSExtensionEnabled) return false;
  const to = ([] as unknown[]).concat(envelope.to ?? []).map(addressOf);
  return to.length > 0 && to.every((a) => a !== '' && plain(a)) && plain(addressOf(envelope.from));
}

function pipelinedEnvelope(conn: Connection, envelope: Envelope, callback: Callback): void {
  const from = addressOf(envelope.from);
  const to = ([] as unknown[]).concat(envelope.to ?? []).map(addressOf);
  const accepted: string[] = [];
  const rejected: string[] = [];
  const rejectedErrors: Error[] = [];
  conn._envelope = Object.assign(envelope, { from, to, rcptQueue: [], accepted, rejected, rejectedErrors });
  conn._recipientQueue = [...to];
  let failure: Error | null = null;
  let lastRcptReply = '';

  conn._responseActions.push((str) => {
    if (!ok(str)) failure = conn._formatError('Mail command failed', 'EENVELOPE', str, 'MAIL FROM');
  });
  for (let i = 0; i < to.length; i += 1) {
    conn._responseActions.push((str) => {
      const recipient = conn._recipientQueue.shift() ?? '';
      lastRcptReply = str;
      if (failure !== null) return;
      if (ok(str)) {
        accepted.push(recipient);
        return;
      }
      rejected.push(recipient);
      const err = conn._formatError('Recipient command failed', 'EENVELOPE', str, 'RCPT TO');
      err.recipient = recipient;
      rejectedErrors.push(err);
    });
  }
  conn._responseActions.push((str) => {
    if (failure === null && accepted.length === 0) {
      const err = conn._formatError("Can't send mail - all recipients were rejected", 'EENVELOPE', lastRcptReply, 'RCPT TO');
      err.rejected = rejected;
      err.rejectedErrors = rejectedErrors;
      failure = err;
    }
    const dataAccepted = /^[23]/.test(str);
    if (failure !== null) {
      // A server that took DATA for a failed envelope waits for a message: end it empty.
      if (dataAccepted && !conn._destroyed && !conn._socket.destroyed) {
        conn._responseActions.push(() => undefined);
        conn._socket.write(Buffer.from('.\r\n'));
      }
      callback(failure);
      return;
    }
    if (!dataAccepted) {
      callback(conn._formatError('Data command failed', 'EENVELOPE', str, 'DATA'));
      return;
    }
    const info: EnvelopeInfo = { accepted, rejected };
    if (conn._ehloLines && conn._ehloLines.length > 0) info.ehlo = conn._ehloLines;
    if (rejectedErrors.length > 0) info.rejectedErrors = rejectedErrors;
    callback(null, info);
  });

  if (conn._destroyed) return;
  if (conn._socket.destroyed) {
    conn.close();
    return;
  }
  const commands = [`MAIL FROM:<${from}>`, ...to.map((r) => `RCPT TO:<${r}>`), 'DATA'];
  conn._socket.write(Buffer.from(`${commands.join('\r\n')}\r\n`, 'latin1'));
}

let installed = false;

/**
 * Makes nodemailer's SMTP connections pipeline their envelopes where they can. Installed once
 * per process, on the class; a connection pipelines when the transport that made it asked
 * for it (`smtpOut.pipelining`, marked on its options).
 */
export function installPipelining(): void {
  if (installed) return;
  installed = true;
  const proto = SMTPConnection.prototype as unknown as Connection;
  const sequential = proto._setEnvelope;
  if (typeof sequential !== 'function') throw new Error('nodemailer SMTPConnection has no _setEnvelope: SMTP pipelining needs updating for this nodemailer version');
  proto._setEnvelope = function setEnvelope(this: Connection, envelope: Envelope, callback: Callback): void {
    if (envelope && this.options?.[PIPELINING_OPTION] === true && pipelinable(this, envelope)) {
      pipelinedEnvelope(this, envelope, callback);
      return;
    }
    sequential.call(this, envelope, callback);
  };
}
