/**
 * The language a mail is written in, for answering a sender we know nothing about (no
 * contact, so no stored locale): the first tag of `Content-Language` (RFC 3282) when it
 * names a language we answer in, else a light count of common function words of each
 * language in the subject and the start of the text. No answer when neither is clear:
 * the caller falls back to the default locale.
 */
import type { ParsedMessage } from './types.js';

export type MailLanguage = 'en' | 'fr';
const LANGUAGES: readonly MailLanguage[] = ['en', 'fr'];

/** Bounds the work on a long body: the first lines say the language as well as the rest. */
const SAMPLE_CHARS = 4000;
/** Fewer hits than this is too little text to judge. */
const MIN_HITS = 3;

const STOPWORDS: Record<MailLanguage, ReadonlySet<string>> = {
  en: new Set(['the', 'and', 'is', 'are', 'was', 'to', 'of', 'you', 'your', 'my', 'not', 'with', 'this', 'that', 'have', 'has', 'please', 'it', 'for', 'on', 'we', 'in', 'can', 'does', 'do', 'from', 'hello', 'thanks', 'thank', 'our', 'be', 'since', 'when', 'would', 'could', 'regards']),
  fr: new Set(['le', 'la', 'les', 'de', 'des', 'du', 'et', 'est', 'une', 'un', 'je', 'nous', 'vous', 'ne', 'pas', 'pour', 'avec', 'sur', 'dans', 'mon', 'ma', 'mes', 'votre', 'vos', 'notre', 'bonjour', 'merci', 'que', 'qui', 'il', 'elle', 'ce', 'cette', 'depuis', 'plus', 'au', 'aux', 'cordialement', 'avons', 'sont', 'fonctionne']),
};

function fromContentLanguage(message: Pick<ParsedMessage, 'headers'>): MailLanguage | null {
  const value = message.headers.get('content-language')?.[0];
  if (value === undefined) return null;
  const first = (value.split(',')[0] ?? '').trim().toLowerCase().split('-')[0] ?? '';
  return LANGUAGES.find((l) => l === first) ?? null;
}

/** The counts of each language's function words in `text` (words as runs of letters and apostrophes). */
export function stopwordCounts(text: string): Record<MailLanguage, number> {
  const counts: Record<MailLanguage, number> = { en: 0, fr: 0 };
  for (const match of text.slice(0, SAMPLE_CHARS).toLowerCase().matchAll(/\p{L}+/gu)) {
    const word = match[0];
    for (const l of LANGUAGES) if (STOPWORDS[l].has(word)) counts[l] += 1;
  }
  return counts;
}

/** The language to answer `message` in when its sender is unknown, or null to use the default. */
export function mailLanguage(message: Pick<ParsedMessage, 'headers' | 'subject' | 'text'>): MailLanguage | null {
  const declared = fromContentLanguage(message);
  if (declared !== null) return declared;
  const counts = stopwordCounts(`${message.subject}\n${message.text}`);
  const [best, other] = counts.fr > counts.en ? (['fr', 'en'] as const) : (['en', 'fr'] as const);
  // A clear majority only: mixed or quoted text keeps the default.
  return counts[best] >= MIN_HITS && counts[best] >= 2 * counts[other] ? best : null;
}
