/**
 * The envelope sender (RFC 5321 MAIL FROM) of one outbox row. With `bounces.verp` each mail
 * goes out from its own signed return path, `<replyLocalPart>+b-<outbox id>-<mac>@<mail.domain>`,
 * so its bounce names the row (mail/verp.ts); without, from the support address. The MTA
 * must deliver those addresses back to casemail: the SMTP listener accepts any local part of
 * its accepted domains, and a mailbox read over IMAP needs subaddressing (`+` as the
 * recipient delimiter) so that they land in the support mailbox.
 */
import type { Config } from '../config/schema.js';
import { makeReturnPath } from '../mail/verp.js';

export function envelopeSender(outboxId: number, config: Readonly<Config>): string {
  if (!config.bounces.verp) return config.mail.supportAddress;
  return makeReturnPath(outboxId, { localPart: config.mail.replyLocalPart, domain: config.mail.domain, secret: config.security.linkSecret });
}
