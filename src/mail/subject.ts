/**
 * Subject-line knowledge: which prefixes mean "reply" or "forward" in the mail clients
 * our customers use, which bracketed tags are ours and which belong to other help desks.
 * Treating any subject containing "re:" as a reply (a known help-desk failure) threads
 * strangers' mail onto incidents; stripping a forward's "Fwd:" as if it were a reply
 * hides that a colleague forwarded someone else's problem. Everything here is data.
 */

export interface StrippedSubject {
  /** The subject without leading reply/forward prefixes and security banners. */
  base: string;
  /** The prefixes and banners removed, in the order they appeared, as written. */
  prefixes: string[];
  /** True when the first reply/forward prefix is a forward (banners do not count). */
  isForward: boolean;
}

/** Reply prefixes by language (RFC 5322 §3.6.5 only names "Re:"; clients localise it). */
const REPLY_PREFIXES = [
  're', 'aw', 'antw', 'antwort', 'sv', 'vs', 'odp', 'ynt', 'réf', 'rif', 'res', 'vá',
  'atb', 'απ', 'σχετ', 'отв', 'ответ', 'השב', 'رد', '回复', '答复', '回覆', '答覆', '返信',
];
/** Forward prefixes by language. */
const FORWARD_PREFIXES = [
  'fwd', 'fw', 'wg', 'tr', 'rv', 'enc', 'vb', 'vl', 'pd', 'doorst', 'ilt', 'İlt', 'προώθ',
  'пересл', '转发', '轉寄', '轉發', '転送',
];
/** Banners that gateways prepend to outside mail; they are neither reply nor forward. */
const BANNER_PATTERNS: readonly RegExp[] = [
  /^\[\s*(?:external|ext|extern|externe?|external sender|caution|warning|suspicious|spam)\s*\]/iu,
  /^\*{1,3}\s*(?:external|ext|caution|spam)\s*\*{1,3}/iu,
  /^\(\s*(?:external|ext)\s*\)/iu,
  /^(?:external|extern)\s*[:：]/iu,
];

const byLength = (a: string, b: string): number => b.length - a.length;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (list: readonly string[]): string => [...list].sort(byLength).map(escape).join('|');

/**
 * token, optional counter (`Re[3]:`, `Re(2):`, `Re^2:`), optional space (French `RE :`),
 * ASCII or full-width colon (CJK clients). The colon is required: "Rechnung" is no reply.
 */
const PREFIX = new RegExp(
  `^(?:(${alternation(REPLY_PREFIXES)})|(${alternation(FORWARD_PREFIXES)}))` +
    `(?:\\s?\\[\\d{1,4}\\]|\\s?\\(\\d{1,4}\\)|\\^\\d{1,4})?\\s{0,2}[:：]`,
  'iu',
);

function stripBanner(rest: string): string | null {
  for (const banner of BANNER_PATTERNS) {
    const match = banner.exec(rest);
    if (match !== null) return match[0];
  }
  return null;
}

export function stripPrefixes(subject: string): StrippedSubject {
  const prefixes: string[] = [];
  let isForward: boolean | null = null;
  let rest = subject.replace(/[\r\n]+/g, ' ').trim();
  for (let guard = 0; guard < 50 && rest !== ''; guard += 1) {
    const banner = stripBanner(rest);
    if (banner !== null) {
      prefixes.push(banner.trim());
      rest = rest.slice(banner.length).trimStart();
      continue;
    }
    const match = PREFIX.exec(rest);
    if (match === null) break;
    // The match ends in its one-character colon; trimEnd drops the same whitespace as \s.
    prefixes.push(match[0].slice(0, -1).trimEnd());
    isForward ??= match[2] !== undefined;
    rest = rest.slice(match[0].length).trimStart();
  }
  return { base: rest, prefixes, isForward: isForward ?? false };
}

function globalCopy(pattern: RegExp): RegExp {
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  return new RegExp(pattern.source, flags);
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/**
 * Our incident references (e.g. `INC-000123`), with or without brackets, in order, once
 * each. A match glued to letters or digits (`XINC-0001`, `INC-00012345` for a 6-digit
 * pattern) is not a reference: only whole tokens count.
 */
export function findIncidentReferences(subject: string, pattern: RegExp): string[] {
  const found: string[] = [];
  for (const match of subject.matchAll(globalCopy(pattern))) {
    const before = subject[match.index - 1];
    const after = subject[match.index + match[0].length];
    if (isWordChar(before) || isWordChar(after) || match[0] === '') continue;
    if (!found.includes(match[0])) found.push(match[0]);
  }
  return found;
}

/** Other help desks' ticket tags; kept verbatim so replies to them keep threading there. */
const FOREIGN_TICKET_PATTERNS: readonly RegExp[] = [
  /\[(?:ticket|case|request|req|issue|incident|ref)?\s?#\s?[\p{L}\p{N}-]{1,40}\]/giu,
  /\[[A-Z][A-Z0-9_]{1,15}-\d{1,10}\]/g,
  /\b(?:case|ticket)\s?(?:#|no\.?|number|nr\.?)?\s?\d{5,12}\b/gi,
  /\bref:[\w.]{6,80}:ref\b/g,
];

export function findForeignTicketRefs(subject: string, ownPattern?: RegExp): string[] {
  const hits: { index: number; text: string }[] = [];
  for (const pattern of FOREIGN_TICKET_PATTERNS) {
    for (const match of subject.matchAll(pattern)) {
      if (ownPattern !== undefined && new RegExp(ownPattern.source, ownPattern.flags.replace('g', '')).test(match[0])) {
        continue;
      }
      const overlaps = hits.some((h) => match.index < h.index + h.text.length && h.index < match.index + match[0].length);
      if (!overlaps) hits.push({ index: match.index, text: match[0] });
    }
  }
  return hits.sort((a, b) => a.index - b.index).map((h) => h.text);
}

/** Beyond this many ids a References field is abuse; RFC 5322 §3.6.4 lets us keep the root and the newest. */
const MAX_IDS = 100;

/** Message ids from In-Reply-To or References, without angle brackets, in order, once each. */
export function parseMessageIdList(header: string): string[] {
  const bracketed = [...header.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] ?? '');
  // Some clients omit the brackets (RFC 822 era); accept bare tokens that look like ids.
  const ids = bracketed.length > 0 ? bracketed : header.split(/[\s,]+/).filter((t) => t.includes('@'));
  const unique = [...new Set(ids.filter((id) => id !== ''))];
  if (unique.length <= MAX_IDS) return unique;
  return [unique[0] ?? '', ...unique.slice(unique.length - (MAX_IDS - 1))];
}
