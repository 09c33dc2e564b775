/**
 * Reads the shared collections of real-world mail (../shared/corpus from the project
 * root) for the corpus report and the opt-in corpus test. The collections are never
 * copied into the project, and everything here copes with the folder being absent.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_CORPUS_DIR = resolve(PROJECT_ROOT, '..', 'shared', 'corpus');

export interface CorpusMessage {
  folder: string;
  /** Path inside the folder; `file#n` for the n-th message of an mbox. */
  name: string;
  raw: Buffer;
}

export function corpusAvailable(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

/** Splits an mbox (RFC 4155): messages start at "From " lines; ">From " escapes are undone. */
export function splitMbox(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  const starts = [...text.matchAll(/^From [^\n]*\n/gm)].map((m) => ({ at: m.index, len: m[0].length }));
  return starts.map((s, i) => {
    const end = starts[i + 1]?.at ?? text.length;
    const body = text.slice(s.at + s.len, end).replace(/^>(>*From )/gm, '$1');
    return Buffer.from(body, 'latin1');
  });
}

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (/\.(?:eml|msg)$/i.test(entry.name)) out.push(path);
  }
  return out;
}

function listed(folderDir: string): string[] | null {
  const list = join(folderDir, '_messages.txt');
  if (!existsSync(list)) return null;
  return readFileSync(list, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Every raw message of one collection folder. */
export function folderMessages(corpusDir: string, folder: string): CorpusMessage[] {
  const folderDir = join(corpusDir, folder);
  const entries = listed(folderDir) ?? walk(folderDir, []).map((p) => relative(folderDir, p));
  const messages: CorpusMessage[] = [];
  for (const entry of entries) {
    if (entry.startsWith('mbox:')) {
      const file = entry.slice(5).trim();
      splitMbox(readFileSync(join(folderDir, file))).forEach((raw, i) => {
        messages.push({ folder, name: `${file}#${i + 1}`, raw });
      });
    } else if (existsSync(join(folderDir, entry))) {
      messages.push({ folder, name: entry, raw: readFileSync(join(folderDir, entry)) });
    }
  }
  return messages;
}

export function corpusFolders(corpusDir: string): string[] {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * What screening should say, where the collection tells us. bounce-email-py's non_bounces
 * only promises "not a bounce": one of them is a Latvian out-of-office with Precedence: bulk.
 */
export type ScreenExpectation = 'clean' | 'automated' | 'not-bounce';

export function expectedScreen(folder: string, name: string): ScreenExpectation | null {
  const file = name.split('/').pop() ?? name;
  if (folder === 'bounce-email-py') {
    if (name.includes('non_bounces/')) return 'not-bounce';
    if (name.includes('bounces/')) return 'automated';
  }
  if (folder === 'mailbouncedetector') return file.startsWith('non_bounce') ? 'clean' : 'automated';
  if (folder === 'php-bounce-handler') return file === 'unsubscribe.txt' ? null : 'automated';
  return null;
}

export interface QuoteCase {
  fixture: string;
  body: string;
  expected: string;
}

interface ExpectedFile {
  expected: Record<string, { tests: { first_fragment?: string; first_fragment_trimmed?: string; visible_text?: string }[] }>;
}

export function meetsExpectation(expected: ScreenExpectation | null, kind: string): boolean {
  if (expected === null) return true;
  if (expected === 'not-bounce') return kind !== 'bounce';
  return (expected === 'clean') === (kind === 'clean');
}

/** Cases from crisp-email-reply-parser's expected.json that state the visible reply text. */
export function quoteCases(corpusDir: string): QuoteCase[] {
  const base = join(corpusDir, 'crisp-email-reply-parser');
  const file = join(base, 'expected.json');
  if (!existsSync(file)) return [];
  const data = JSON.parse(readFileSync(file, 'utf8')) as ExpectedFile;
  const cases: QuoteCase[] = [];
  for (const [fixture, entry] of Object.entries(data.expected)) {
    for (const test of entry.tests) {
      const expected = test.first_fragment ?? test.first_fragment_trimmed ?? test.visible_text;
      if (expected === undefined || !existsSync(join(base, fixture))) continue;
      cases.push({ fixture, body: readFileSync(join(base, fixture), 'utf8'), expected });
    }
  }
  return cases;
}

/**
 * Whitespace-insensitive form for comparison. The expectations were derived from JavaScript
 * sources in which some line breaks survive as a literal backslash-n; those count as whitespace.
 */
export function normaliseText(text: string): string {
  return text.replace(/\\n/g, ' ').replace(/\s+/g, ' ').trim();
}
