/**
 * What happens to a message in its IMAP folder once its outcome is committed. The choice is a
 * pure function of the outcome and the config; carrying it out also checks that the message
 * really left the folder, because a MOVE can fail without an error (another reader already
 * moved it, or the server refused) and only the first case is safe to treat as done.
 */
import type { ImapFlow } from 'imapflow';
import type { IngestOutcome } from '../types.js';
import type { ImapMailboxConfig } from './types.js';

export type AckAction = { kind: 'move'; folder: string } | { kind: 'flag'; flag: '\\Seen' } | { kind: 'delete' };

export function ackActionFor(
  outcome: IngestOutcome,
  config: Pick<ImapMailboxConfig, 'afterProcessing' | 'processedFolder' | 'quarantineFolder'>,
): AckAction {
  switch (outcome.status) {
    case 'quarantined':
      // Quarantined mail stays visible to an operator in its own folder, never deleted.
      return { kind: 'move', folder: config.quarantineFolder };
    case 'processed':
    case 'ignored':
    case 'duplicate':
      switch (config.afterProcessing) {
        case 'move':
          return { kind: 'move', folder: config.processedFolder };
        case 'flag':
          return { kind: 'flag', flag: '\\Seen' };
        case 'delete':
          return { kind: 'delete' };
      }
  }
}

/**
 * Folder paths are configured with "/" between levels (casemail/processed); servers use
 * their own hierarchy delimiter (Dovecot's maildir default is "."), announced by NAMESPACE.
 */
export function withServerDelimiter<T extends Pick<ImapMailboxConfig, 'folder' | 'processedFolder' | 'quarantineFolder'>>(
  config: T,
  delimiter: string | undefined,
): T {
  if (!delimiter || delimiter === '/') return config;
  const convert = (path: string) => path.split('/').join(delimiter);
  return { ...config, folder: convert(config.folder), processedFolder: convert(config.processedFolder), quarantineFolder: convert(config.quarantineFolder) };
}

/** The folders an acknowledgement may move mail into, created at connect time if missing. */
export function ackFolders(config: ImapMailboxConfig): string[] {
  const folders = [config.quarantineFolder];
  if (config.afterProcessing === 'move') folders.push(config.processedFolder);
  return folders;
}

export class AcknowledgeError extends Error {
  readonly code = 'IMAP_ACK_FAILED';
  constructor(
    message: string,
    readonly uid: number,
  ) {
    super(message);
    this.name = 'AcknowledgeError';
  }
}

/** How the acknowledgement ended: 'done' by us, or 'gone' because another reader took it. */
export type AckResult = 'done' | 'gone';

/**
 * Carries out an acknowledgement on the selected folder. Throws AcknowledgeError when the
 * message is still in the folder afterwards, so the caller keeps its cursor where it is.
 */
export async function acknowledge(client: ImapFlow, uid: number, action: AckAction): Promise<AckResult> {
  const range = String(uid);
  // Whether the server confirmed that this very message was handled by us.
  let confirmed: boolean | null;
  switch (action.kind) {
    case 'move': {
      const result = await client.messageMove(range, action.folder, { uid: true });
      // With UIDPLUS (RFC 4315) the COPYUID map names the moved messages; a MOVE that found
      // nothing (another reader moved it first) answers a plain OK without one.
      const uidPlus = client.capabilities.has('UIDPLUS');
      confirmed = result ? (result.uidMap?.has(uid) ?? (uidPlus ? false : null)) : false;
      break;
    }
    case 'flag':
      // Flagging is idempotent and leaves the message in place: success needs no check.
      confirmed = await client.messageFlagsAdd(range, [action.flag], { uid: true });
      break;
    case 'delete':
      confirmed = (await client.messageDelete(range, { uid: true })) ? null : false;
      break;
  }
  if (confirmed === true) return 'done';
  const found = await client.search({ uid: range }, { uid: true });
  const present = Array.isArray(found) && found.includes(uid);
  if (present) throw new AcknowledgeError(`could not ${action.kind} UID ${uid}`, uid);
  return confirmed === null ? 'done' : 'gone';
}

/**
 * Acknowledges a set of messages that share one action in a single command (UID MOVE of a
 * set, RFC 6851), then checks that none is left behind. Returns the UIDs that another
 * reader had already taken; throws AcknowledgeError naming one still present.
 */
export async function acknowledgeMany(client: ImapFlow, uids: number[], action: AckAction): Promise<number[]> {
  if (uids.length === 0) return [];
  const range = uids.join(',');
  // UIDs the server confirmed as handled by this command; null when it cannot say.
  let confirmed: Set<number> | null = null;
  switch (action.kind) {
    case 'move': {
      const result = await client.messageMove(range, action.folder, { uid: true });
      if (client.capabilities.has('UIDPLUS')) confirmed = new Set(result ? (result.uidMap?.keys() ?? []) : []);
      break;
    }
    case 'flag':
      // Idempotent and the message stays: an OK means done.
      if (await client.messageFlagsAdd(range, [action.flag], { uid: true })) return [];
      confirmed = new Set();
      break;
    case 'delete':
      await client.messageDelete(range, { uid: true });
      break;
  }
  if (confirmed && uids.every((u) => confirmed.has(u))) return [];
  const found = await client.search({ uid: range }, { uid: true });
  const present = new Set(Array.isArray(found) ? found : []);
  const stuck = uids.find((u) => present.has(u) && !confirmed?.has(u));
  if (stuck !== undefined) throw new AcknowledgeError(`could not ${action.kind} UID ${stuck}`, stuck);
  // Not confirmed and no longer here: another reader took them first.
  return confirmed ? uids.filter((u) => !confirmed.has(u)) : [];
}
