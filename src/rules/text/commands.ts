/**
 * Mail commands customers and engineers type in the subject or on the first line of the
 * body, in English and French. Only a whole subject or a whole first line counts as a
 * command: "Close to the limit, the server…" is a problem report, not `close`.
 */
import { foldWord, KB_VERB_OF, LONGEST_NOTIFY_PHRASE, NOTIFY_OF, VERB_OF, type CommandVerb, type NotifyChoice } from './vocabulary.js';

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

/** Words that join notify choices without meaning anything ("updates and closure"). */
const JOINERS = new Set(['and', 'et', '&', '+', '|']);

function notifyChoices(args: string): NotifyChoice[] | null {
  const words = foldWord(args).split(/[\s,;]+/).filter((w) => w !== '' && !JOINERS.has(w));
  const choices: NotifyChoice[] = [];
  let i = 0;
  while (i < words.length) {
    let matched = 0;
    for (let n = Math.min(LONGEST_NOTIFY_PHRASE, words.length - i); n > 0 && matched === 0; n -= 1) {
      const choice = NOTIFY_OF.get(words.slice(i, i + n).join(' '));
      if (choice !== undefined) {
        choices.push(choice);
        matched = n;
      }
    }
    if (matched === 0) return null;
    i += matched;
  }
  return choices.length > 0 ? choices : null;
}

const FLAG_OF: Record<Exclude<NotifyChoice, 'all' | 'none'>, keyof NotifyOptions> = {
  updates: 'updated', escalations: 'escalated', workarounds: 'workaround', closure: 'closed',
};

function parseNotify(args: string): NotifyOptions | null {
  const choices = notifyChoices(args);
  if (choices === null) return null;
  const all = choices.includes('all');
  const options: NotifyOptions = { updated: all, escalated: all, workaround: all, closed: all };
  for (const choice of choices) if (choice !== 'all' && choice !== 'none') options[FLAG_OF[choice]] = true;
  return options;
}

/** `17`, `#17`, `KB-17`, `kb17` are article 17. */
const ARTICLE_NUMBER = /^(?:#|kb-?)?(\d{1,9})$/i;
/** A slug written without `article` needs three parts, so that "kb printer-offline" stays a search. */
const BARE_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+){2,}$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function articleId(text: string, explicit: boolean): string | null {
  const n = ARTICLE_NUMBER.exec(text);
  if (n !== null) return n[1] ?? null;
  const slug = text.toLowerCase();
  return (explicit ? SLUG : BARE_SLUG).test(slug) ? slug : null;
}

/**
 * Verbs after which any words are a search. The French `base` needs `recherche`: a subject
 * such as "Base de données inaccessible" is a problem report, not a search.
 */
const FREE_SEARCH_VERBS = new Set(['kb']);

/** `kb`, `kb index`, `kb article 17`, `kb search words`, `kb 17`, `kb words`; undefined: malformed. */
function parseKb(verbWord: string, args: string): KbQuery | null | undefined {
  const text = args.trim();
  if (text === '') return { kind: 'index' };
  const [head = '', ...tail] = text.split(/\s+/);
  const rest = tail.join(' ');
  switch (KB_VERB_OF.get(foldWord(head))) {
    case 'index':
      return rest === '' ? { kind: 'index' } : undefined;
    case 'article': {
      const id = tail.length === 1 ? articleId(rest, true) : null;
      return id === null ? undefined : { kind: 'article', idOrSlug: id };
    }
    case 'search':
      return rest === '' ? { kind: 'index' } : { kind: 'search', text: rest };
    case undefined: {
      const id = tail.length === 0 ? articleId(text, false) : null;
      if (id !== null) return { kind: 'article', idOrSlug: id };
      return FREE_SEARCH_VERBS.has(verbWord) ? { kind: 'search', text } : null;
    }
  }
}

type Parsed = CustomerCommandRequest extends infer C ? (C extends { source: unknown } ? Omit<C, 'source'> : never) : never;

function parseVerb(verb: CommandVerb, word: string, args: string, refPattern: RegExp): Parsed | null {
  const unknown: Parsed = { name: 'unknown', word: `${word} ${args}`.trim() };
  switch (verb) {
    case 'help': case 'list': case 'profile':
      return args === '' ? { name: verb } : null;
    case 'close':
      return args === '' || new RegExp(`^\\[?${refPattern.source}\\]?$`, 'i').test(args) ? { name: 'close' } : null;
    case 'status': {
      if (args === '') return { name: 'status', reference: null };
      const ref = new RegExp(`^\\[?(${refPattern.source})\\]?$`, 'i').exec(args);
      return ref === null ? null : { name: 'status', reference: (ref[1] ?? '').toUpperCase() };
    }
    case 'notify': {
      const options = parseNotify(args);
      return options === null ? unknown : { name: 'notify', options };
    }
    case 'kb': {
      const query = parseKb(foldWord(word), args);
      if (query === undefined) return unknown;
      return query === null ? null : { name: 'kb', query };
    }
  }
}

/** One line (a subject without prefixes, or a body's first line) as a customer command. */
function parseLine(line: string, refPattern: RegExp): Parsed | null {
  // Lookbehind: only the start of a run of dots is tried, so a long run costs its length once.
  const text = line.trim().replace(/(?<![.!])[.!]+$/, '').trim();
  const m = /^([\p{L}?]+)(?:\s(.*))?$/u.exec(text);
  if (m === null) return null;
  const word = m[1] ?? '';
  const verb = VERB_OF.get(foldWord(word));
  return verb === undefined ? null : parseVerb(verb, word.toLowerCase(), (m[2] ?? '').trim(), refPattern);
}

/**
 * The command in the subject or on the body's first line, each read as written and with our
 * references removed ("notify updated closed [INC-000001]"); a known command wins over an
 * unknown one. A lone word as the whole subject of an otherwise empty mail is an unknown
 * command: it gets help rather than silence.
 */
export function parseCustomerCommand(subjectBase: string, firstLine: string, visibleText: string, refPattern: RegExp): CustomerCommandRequest | null {
  const refs = new RegExp(`\\[?${refPattern.source}\\]?`, 'gi');
  const withoutRefs = (line: string) => line.replace(refs, ' ').replace(/\s+/g, ' ').trim();
  const readings: [CustomerCommandRequest['source'], string][] = [
    ['subject', subjectBase], ['subject', withoutRefs(subjectBase)], ['body', firstLine], ['body', withoutRefs(firstLine)],
  ];
  const parsed = readings.map(([source, line]) => ({ source, command: parseLine(line, refPattern) }));
  const found = parsed.find((p) => p.command !== null && p.command.name !== 'unknown') ?? parsed.find((p) => p.command !== null);
  if (found?.command) return { ...found.command, source: found.source };
  const subjectWord = withoutRefs(subjectBase);
  if (/^\p{L}{2,15}$/u.test(subjectWord) && visibleText.trim() === '') return { name: 'unknown', word: subjectWord, source: 'subject' };
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
