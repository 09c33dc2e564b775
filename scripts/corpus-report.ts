/**
 * Checks casemail's mail knowledge against real-world mail collected by other projects:
 * parse failures, screening verdicts by folder (bounces must be caught, ordinary mail must
 * stay clean) and how often quote stripping keeps exactly the reply (scripts/corpus/replies.ts);
 * then, corpus or not, how the text stages cope with long runs of whitespace, of one
 * character and of tokens in every place of a message, up to the size limit.
 * Usage: npx tsx scripts/corpus-report.ts [corpusDir]   (default ../shared/corpus)
 */
import { resolve } from 'node:path';
import { DEFAULT_PARSE_LIMITS, MailParseError, parseMessage } from '../src/mail/parse.js';
import { screenMessage } from '../src/mail/screen.js';
import {
  DEFAULT_CORPUS_DIR,
  corpusAvailable,
  corpusFolders,
  expectedScreen,
  folderMessages,
  meetsExpectation,
} from './corpus/collect.js';
import { CORPUS_SCREEN_CONTEXT } from './corpus/context.js';
import { reportNotices } from './corpus/bounce-report.js';
import { reportReplies } from './corpus/replies.js';
import { reportRuns } from './corpus/runs-report.js';

interface FolderStats {
  total: number;
  failures: string[];
  kinds: Map<string, number>;
  mismatches: string[];
}

async function screenFolder(corpusDir: string, folder: string): Promise<FolderStats> {
  const stats: FolderStats = { total: 0, failures: [], kinds: new Map(), mismatches: [] };
  for (const message of folderMessages(corpusDir, folder)) {
    stats.total += 1;
    try {
      const parsed = await parseMessage(message.raw, DEFAULT_PARSE_LIMITS);
      const verdict = screenMessage(parsed, CORPUS_SCREEN_CONTEXT);
      stats.kinds.set(verdict.kind, (stats.kinds.get(verdict.kind) ?? 0) + 1);
      const expected = expectedScreen(folder, message.name);
      const ok = meetsExpectation(expected, verdict.kind);
      const why = verdict.kind === 'clean' ? '' : ` (${verdict.reason})`;
      if (!ok) stats.mismatches.push(`${message.name}: expected ${expected}, got ${verdict.kind}${why}`);
    } catch (err) {
      const code = err instanceof MailParseError ? err.code : 'exception';
      stats.failures.push(`${message.name}: ${code} ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return stats;
}

async function main(): Promise<void> {
  const corpusDir = resolve(process.argv[2] ?? DEFAULT_CORPUS_DIR);
  if (!corpusAvailable(corpusDir)) {
    console.log(`corpus folder ${corpusDir} not found; nothing to report`);
    return;
  }
  let failures = 0;
  for (const folder of corpusFolders(corpusDir)) {
    const stats = await screenFolder(corpusDir, folder);
    if (stats.total === 0) continue;
    failures += stats.failures.length;
    const kinds = [...stats.kinds].map(([k, n]) => `${k}=${n}`).join(' ');
    console.log(`${folder}: ${stats.total} messages, ${stats.failures.length} parse failures; ${kinds}`);
    for (const line of [...stats.failures, ...stats.mismatches]) console.log(`  ${line}`);
  }
  console.log(`\nparse failures overall: ${failures}`);
  reportReplies(corpusDir);
  await reportNotices(corpusDir);
}

await main();
console.log('');
await reportRuns();
