/**
 * Opt-in check against real-world mail collected by other projects (../shared/corpus).
 * Skipped where the collections are absent; the thresholds sit below what was
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
} from '../../../scripts/corpus/collect.js';
import { CORPUS_SCREEN_CONTEXT } from '../../../scripts/corpus/context.js';
import { measureReplies, replyCases } from '../../../scripts/corpus/replies.js';
import { DEFAULT_PARSE_LIMITS, parseMessage } from '../../../src/mail/parse.js';
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

  it('keeps exactly the reply in at least 95% of the reply collections, and never nothing of a body with text', () => {
    const cases = replyCases(DEFAULT_CORPUS_DIR);
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const outcomes = measureReplies(cases);
    expect(outcomes.filter((o) => o.empty).map((o) => o.case.name)).toEqual([]);
    expect(outcomes.filter((o) => o.exact).length / outcomes.length).toBeGreaterThanOrEqual(0.95);
  });

  it.each(['crisp-email-reply-parser', 'github-email-reply-parser', 'zapier-email-reply-parser', 'willdurand-email-reply-parser'])(
    'keeps exactly the reply in at least 90%% of %s',
    (collection) => {
      const outcomes = measureReplies(replyCases(DEFAULT_CORPUS_DIR).filter((c) => c.collection === collection));
      expect(outcomes.length).toBeGreaterThan(10);
      expect(outcomes.filter((o) => o.exact).length / outcomes.length).toBeGreaterThanOrEqual(0.9);
    },
  );
});
