/**
 * Opt-in check against real-world mail collected by other projects (../shared/corpus).
 * Skipped where the collections are absent; the thresholds sit just below what was
 * measured so a regression in parsing, screening or quote stripping shows up here.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CORPUS_DIR,
  corpusAvailable,
  corpusFolders,
  expectedScreen,
  folderMessages,
  meetsExpectation,
  normaliseText,
  quoteCases,
} from '../../../scripts/corpus/collect.js';
import { CORPUS_SCREEN_CONTEXT } from '../../../scripts/corpus/context.js';
import { DEFAULT_PARSE_LIMITS, parseMessage } from '../../../src/mail/parse.js';
import { stripQuoted } from '../../../src/mail/quotes.js';
import { screenMessage } from '../../../src/mail/screen.js';

const available = corpusAvailable(DEFAULT_CORPUS_DIR);

describe.skipIf(!available)('real-world corpus', () => {
  it('parses every message without an error', async () => {
    const failures: string[] = [];
    for (const folder of corpusFolders(DEFAULT_CORPUS_DIR)) {
      for (const message of folderMessages(DEFAULT_CORPUS_DIR, folder)) {
        await parseMessage(message.raw, DEFAULT_PARSE_LIMITS).catch((err: unknown) => {
          failures.push(`${folder}/${message.name}: ${String(err)}`);
        });
      }
    }
    expect(failures).toEqual([]);
  });

  it.each(['bounce-email-py', 'mailbouncedetector', 'php-bounce-handler'])(
    'screens %s as its file layout says (no ordinary mail taken for a bounce)',
    async (folder) => {
      const wrong: string[] = [];
      for (const message of folderMessages(DEFAULT_CORPUS_DIR, folder)) {
        const verdict = screenMessage(await parseMessage(message.raw, DEFAULT_PARSE_LIMITS), CORPUS_SCREEN_CONTEXT);
        if (!meetsExpectation(expectedScreen(folder, message.name), verdict.kind)) wrong.push(`${message.name}: ${verdict.kind}`);
      }
      expect(wrong).toEqual([]);
    },
  );

  it('agrees with crisp-email-reply-parser on the visible reply text in at least 95% of cases', () => {
    const cases = quoteCases(DEFAULT_CORPUS_DIR);
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const agreeing = cases.filter((c) => normaliseText(stripQuoted(c.body).visible) === normaliseText(c.expected));
    expect(agreeing.length / cases.length).toBeGreaterThanOrEqual(0.95);
  });
});
