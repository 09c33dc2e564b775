/**
 * Mail commands customers and engineers type in the subject or on the first line of the
 * body, in English and French. Only a whole subject or a whole first line counts as a
 * command: "Close to the limit, the server…" is a problem report, not `close`.
 */

export interface NotifyOptions {
  updated: boolean;
  escalated: boolean;
  workaround: boolean;
  closed: boolean;
}

export type KbQuery = { kind: 'index' } | { kind: 'article'; idOrSlug: string } | { kind: 'search'; text: string };

export type CustomerCommandRequest = { source: 'subject' | 'body' } & (
  | { name: 'help' }
  | { name: 'unknown'; word: string }
  | { name: 'list' }
  | { name: 'status'; reference: string | null }
  | { name: 'close' }
  | { name: 'notify'; options: NotifyOptions }
  | { name: 'profile' }
  | { name: 'kb'; query: KbQuery }
);

export type Priority = 'low' | 'normal' | 'high' | 'critical';

export type EngineerCommandRequest =
  | { name: 'note' }
  | { name: 'escalate' }
  | { name: 'workaround'; text: string }
  | { name: 'close' }
  | { name: 'assign-me' }
  | { name: 'priority'; level: Priority }
  | { name: 'unknown'; word: string };

const NOTIFY_WORDS: Record<string, keyof NotifyOptions | 'none' | 'all'> = {
  updated: 'updated', update: 'updated', updates: 'updated', 'mis-à-jour': 'updated', 'mise-à-jour': 'updated', maj: 'updated', 'modifié': 'updated',
  escalated: 'escalated', 'escaladé': 'escalated', escalade: 'escalated',
  workaround: 'workaround', contournement: 'workaround',
  closed: 'closed', 'fermé': 'closed', ferme: 'closed', clos: 'closed',
  none: 'none', aucun: 'none', rien: 'none',
  all: 'all', tous: 'all', tout: 'all',
};

function parseNotify(args: string): NotifyOptions | null {
  const words = args.toLowerCase().replace(/mis(e)? à jour/g, 'mis-à-jour').split(/[\s,;]+/).filter((w) => w !== '');
  const options: NotifyOptions = { updated: false, escalated: false, workaround: false, closed: false };
  for (const word of words) {
    const meaning = NOTIFY_WORDS[word];
    if (meaning === undefined) return null;
    if (meaning === 'none') continue;
    if (meaning === 'all') return { updated: true, escalated: true, workaround: true, closed: true };
    options[meaning] = true;
  }
  return words.length > 0 ? options : null;
}

function parseKb(args: string): KbQuery {
  const text = args.trim();
  if (text === '') return { kind: 'index' };
  if (/^#?\d+$/.test(text) || /^[a-z0-9]+(?:-[a-z0-9]+){2,}$/.test(text)) return { kind: 'article', idOrSlug: text.replace(/^#/, '') };
  return { kind: 'search', text };
}

type Parsed = CustomerCommandRequest extends infer C ? (C extends { source: unknown } ? Omit<C, 'source'> : never) : never;

/** One line (a subject without prefixes, or a body's first line) as a customer command. */
function parseLine(line: string, refPattern: RegExp): Parsed | null {
  // Lookbehind: only the start of a run of dots is tried, so a long run costs its length once.
  const text = line.trim().replace(/(?<![.!])[.!]+$/, '').trim();
  // The arguments start at a non-space, so the spaces before them are read one way only.
  const m = /^([\p{L}?]+)(?:\s+(\S.*)?)?$/u.exec(text);
  if (m === null) return null;
  const word = (m[1] ?? '').toLowerCase();
  const args = (m[2] ?? '').trim();
  switch (word) {
    case 'help': case 'aide': case '?': case 'commands': case 'commandes':
      return args === '' ? { name: 'help' } : null;
    case 'list': case 'liste':
      return args === '' ? { name: 'list' } : null;
    case 'profile': case 'profil':
      return args === '' ? { name: 'profile' } : null;
    case 'close': case 'fermer': case 'clore':
      return args === '' || new RegExp(`^\\[?${refPattern.source}\\]?$`, 'i').test(args) ? { name: 'close' } : null;
    case 'status': case 'statut': {
      if (args === '') return { name: 'status', reference: null };
      const ref = new RegExp(`^\\[?(${refPattern.source})\\]?$`, 'i').exec(args);
      return ref === null ? null : { name: 'status', reference: (ref[1] ?? '').toUpperCase() };
    }
    case 'notify': case 'notifier': {
      const options = parseNotify(args);
      return options === null ? { name: 'unknown', word: `${word} ${args}`.trim() } : { name: 'notify', options };
    }
    case 'kb': case 'base':
      return { name: 'kb', query: parseKb(args) };
    default:
      return null;
  }
}

/**
 * The command in the subject (our references removed) or on the body's first line. A
 * lone word as the whole subject of an otherwise empty mail is an unknown command:
 * it gets help rather than silence.
 */
export function parseCustomerCommand(subjectBase: string, firstLine: string, visibleText: string, refPattern: RegExp): CustomerCommandRequest | null {
  const withoutRefs = subjectBase.replace(new RegExp(`\\[?${refPattern.source}\\]?`, 'gi'), ' ').replace(/\s+/g, ' ').trim();
  const fromSubject = parseLine(subjectBase, refPattern) ?? parseLine(withoutRefs, refPattern);
  if (fromSubject !== null) return { ...fromSubject, source: 'subject' };
  const fromBody = parseLine(firstLine, refPattern);
  if (fromBody !== null) return { ...fromBody, source: 'body' };
  if (/^\p{L}{2,15}$/u.test(withoutRefs) && visibleText.trim() === '') return { name: 'unknown', word: withoutRefs, source: 'subject' };
  return null;
}

/** An engineer's `#command` on the first line; null means a plain reply to the customer. */
export function parseEngineerCommand(firstLine: string): EngineerCommandRequest | null {
  const m = /^#([a-z-]+)(?:\s+(\S.*)?)?$/i.exec(firstLine.trim());
  if (m === null) return null;
  const word = (m[1] ?? '').toLowerCase();
  const args = (m[2] ?? '').trim();
  switch (word) {
    case 'note': return { name: 'note' };
    case 'escalate': return { name: 'escalate' };
    case 'workaround': return { name: 'workaround', text: args };
    case 'close': return { name: 'close' };
    case 'assign': return args.toLowerCase() === 'me' ? { name: 'assign-me' } : { name: 'unknown', word: `assign ${args}` };
    case 'priority': {
      const level = args.toLowerCase();
      if (level === 'low' || level === 'normal' || level === 'high' || level === 'critical') return { name: 'priority', level };
      return { name: 'unknown', word: `priority ${args}` };
    }
    default: return { name: 'unknown', word };
  }
}

const CONTACT_ID_REQUEST = new RegExp(
  '^(?:(?:hi|hello|bonjour|hallo)[,!]?\\s+)?' +
    "(?:what(?:'s|’s| is) my |request(?:ing)? (?:for )?(?:my |a |an )?|(?:please )?send (?:me )?my |i need my |(?:quel|quelle) est mon |mon |demande (?:d'|d’|de (?:mon )?)?)?" +
    '(?:contact[\\s-]?id|request[\\s-]?id|identifiant(?: de)? contact|num[ée]ro de contact|id de contact|contact number)' +
    '(?:\\s+please|\\s+svp|\\s+s\\.v\\.p\\.)?\\s*[?.!]*$',
  'iu',
);

/** "Contact ID?", "What is my Contact ID", "Request ID", "identifiant de contact"… */
export function isContactIdRequest(subjectBase: string, firstLine: string): boolean {
  return CONTACT_ID_REQUEST.test(subjectBase.trim()) || CONTACT_ID_REQUEST.test(firstLine.trim());
}
