/**
 * The delivery-notice figures of the corpus report: of the notices a person labelled
 * (bounce-labels.ts), how many screening recognises, names the failed address of, and
 * classifies hard or soft as their reason says; how many other messages it takes for
 * bounces; and how many machine-written messages it would answer (a verdict other than
 * clean is never answered, architecture invariant 4).
 */
import { parseMessage } from '../../src/mail/parse.js';
import { screenMessage, type ScreenResult } from '../../src/mail/screen.js';
import { NOTICE_LABELS, type NoticeLabel } from './bounce-labels.js';
import { corpusFolders, folderMessages } from './collect.js';
import { CORPUS_SCREEN_CONTEXT } from './context.js';

export interface NoticeFigures {
  notices: number;
  recognised: number;
  withAddress: number;
  addressNamed: number;
  withSeverity: number;
  severityAgrees: number;
  otherMessages: number;
  takenForBounce: number;
  machines: number;
  answered: number;
  misses: string[];
}

function severityFor(verdict: Extract<ScreenResult, { kind: 'bounce' }>, label: NoticeLabel): string {
  const failure = verdict.failures.find((f) => f.recipient === label.recipient) ?? verdict.failures[0];
  return failure?.severity ?? verdict.severity;
}

function count(f: NoticeFigures, name: string, label: NoticeLabel | undefined, verdict: ScreenResult): void {
  if (label === undefined) {
    f.otherMessages += 1;
    if (verdict.kind === 'bounce') {
      f.takenForBounce += 1;
      f.misses.push(`${name}: ordinary mail taken for a bounce (${verdict.reason})`);
    }
    return;
  }
  f.machines += 1;
  if (verdict.kind === 'clean') {
    f.answered += 1;
    f.misses.push(`${name}: a machine's mail would be answered`);
  }
  if (label.kind === 'machine') return;
  f.notices += 1;
  if (verdict.kind !== 'bounce') {
    f.misses.push(`${name}: delivery notice not recognised (${verdict.kind})`);
    return;
  }
  f.recognised += 1;
  if (label.recipient !== null) {
    f.withAddress += 1;
    if (verdict.failures.some((x) => x.recipient === label.recipient)) f.addressNamed += 1;
    else f.misses.push(`${name}: named ${verdict.failures.map((x) => x.recipient).join(', ') || 'no one'}, not ${label.recipient}`);
  }
  if (label.severity !== null) {
    f.withSeverity += 1;
    const got = severityFor(verdict, label);
    if (got === label.severity) f.severityAgrees += 1;
    else f.misses.push(`${name}: ${got}, the reason says ${label.severity}`);
  }
}

export async function noticeFigures(corpusDir: string): Promise<NoticeFigures> {
  const f: NoticeFigures = { notices: 0, recognised: 0, withAddress: 0, addressNamed: 0, withSeverity: 0, severityAgrees: 0, otherMessages: 0, takenForBounce: 0, machines: 0, answered: 0, misses: [] };
  for (const folder of corpusFolders(corpusDir)) {
    for (const message of folderMessages(corpusDir, folder)) {
      const name = `${folder}/${message.name}`;
      let verdict: ScreenResult;
      try {
        verdict = screenMessage(await parseMessage(message.raw), CORPUS_SCREEN_CONTEXT);
      } catch {
        continue; // parse failures are reported by the folder lines
      }
      count(f, name, NOTICE_LABELS[name], verdict);
    }
  }
  return f;
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((n / d) * 100).toFixed(1)}%`);

/** Prints the delivery-notice section of the corpus report. */
export async function reportNotices(corpusDir: string): Promise<void> {
  const f = await noticeFigures(corpusDir);
  if (f.notices === 0) return;
  console.log('\ndelivery notices (labels: scripts/corpus/bounce-labels.ts)');
  console.log(`  delivery failures recognised: ${f.recognised}/${f.notices} (${pct(f.recognised, f.notices)})`);
  console.log(`  failed address named: ${f.addressNamed}/${f.withAddress} (${pct(f.addressNamed, f.withAddress)})`);
  console.log(`  hard/soft agreeing with the reason: ${f.severityAgrees}/${f.withSeverity} (${pct(f.severityAgrees, f.withSeverity)})`);
  console.log(`  ordinary mail taken for a bounce: ${f.takenForBounce} of ${f.otherMessages}`);
  console.log(`  automatic answers to machines: ${f.answered} of ${f.machines}`);
  for (const miss of f.misses) console.log(`  ${miss}`);
}
