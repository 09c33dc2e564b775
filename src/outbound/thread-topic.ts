/**
 * Outlook's `Thread-Topic`: one value for every mail of an incident (its title, without
 * our "[INC-…] Incident closed:" wording, which changes per mail and would split the
 * conversation). Encoded here rather than by nodemailer, whose RFC 2047 encoded-words break
 * anywhere ("…Nouveau problème s" + "ur l'enregistreur"): readers that keep only the first
 * encoded-word or the first line then show a word cut in two. Each encoded-word here holds
 * whole words (a word longer than one encoded-word is split between characters, never
 * inside one), and the folded lines stay under 78 characters (RFC 5322 §2.1.1).
 */
import { toHeaderValue } from './sanitize.js';

/** Longer titles are cut, at a word boundary. */
export const MAX_TOPIC_CHARS = 160;
const LINE = 76;
const PREFIX = '=?UTF-8?Q?';
const SUFFIX = '?=';
/** RFC 2047 §5(3): characters an encoded-word in a header may carry as themselves. */
const PLAIN = /[A-Za-z0-9!*+\-/]/;

/** `text` cut to `max` code points at the last space before (or exactly at) the limit. */
export function cutAtWord(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max + 1);
  const space = head.lastIndexOf(' ');
  return (space > 0 ? head.slice(0, space) : chars.slice(0, max)).join('').trimEnd();
}

function qChar(ch: string): string {
  if (ch === ' ') return '_';
  if (PLAIN.test(ch)) return ch;
  return [...Buffer.from(ch, 'utf8')].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

const isAscii = (s: string): boolean => [...s].every((c) => c >= ' ' && c <= '~');

/** Units that may not be split: whole words with their following space, long words per character. */
function units(text: string, budget: number): string[] {
  const out: string[] = [];
  const words = text.split(' ');
  words.forEach((word, i) => {
    const unit = i < words.length - 1 ? `${word} ` : word;
    const encoded = [...unit].map(qChar).join('');
    if (encoded.length <= budget) out.push(encoded);
    else out.push(...[...unit].map(qChar));
  });
  return out;
}

/** Encoded-words of at most LINE - 1 characters, each made of whole units. */
function encodedWords(text: string): string[] {
  // Sized for the first line, after "Thread-Topic: ", so that every line fits.
  const budget = LINE - 1 - 'Thread-Topic: '.length - PREFIX.length - SUFFIX.length;
  const words: string[] = [];
  let current = '';
  for (const unit of units(text, budget)) {
    if (current !== '' && current.length + unit.length > budget) {
      words.push(`${PREFIX}${current}${SUFFIX}`);
      current = '';
    }
    current += unit;
  }
  if (current !== '') words.push(`${PREFIX}${current}${SUFFIX}`);
  return words;
}

/** Plain words folded at spaces: the space that starts each continuation line is the word separator. */
function foldAscii(text: string, firstLineRoom: number): string {
  const lines: string[] = [];
  let line = '';
  let room = firstLineRoom;
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = LINE - 1;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join('\r\n ');
}

/**
 * The header value, folded and encoded, ready to be written after `Thread-Topic: `.
 * Empty input gives an empty string (the caller then sends no Thread-Topic).
 */
export function threadTopicValue(title: string): string {
  const topic = cutAtWord(toHeaderValue(title), MAX_TOPIC_CHARS);
  if (topic === '') return '';
  // "=?" in plain text would be read as the start of an encoded-word: encode it too.
  if (isAscii(topic) && !topic.includes('=?')) return foldAscii(topic, LINE - 'Thread-Topic: '.length);
  return encodedWords(topic).join('\r\n ');
}
