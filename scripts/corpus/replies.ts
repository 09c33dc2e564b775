/**
 * Quote stripping measured on the reply collections of ../shared/corpus: crisp's
 * expected.json, and the github, zapier and willdurand fixtures with the expectations of
 * reply-expectations.ts (a willdurand fixture that is the same text as a crisp one takes
 * crisp's expectation). "Exact" means the visible text equals the expected one, whitespace
 * aside; an empty result for a body with text is counted on its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripQuoted } from '../../src/mail/quotes.js';
import { normaliseText, quoteCases } from './collect.js';
import { CRISP_OVERRIDES, REPLY_EXPECTATIONS, type LineRange, type ReplyExpectation } from './reply-expectations.js';

export const CRISP = 'crisp-email-reply-parser';

export interface ReplyCase {
  collection: string;
  /** Fixture path, with the substituted value when the case is one of several from it. */
  name: string;
  body: string;
  expected: string;
}

const lf = (text: string): string => text.replace(/\r\n?/g, '\n');

function pick(body: string, ranges: readonly LineRange[]): string {
  const lines = lf(body).split('\n');
  return ranges.map(([from, to]) => lines.slice(from - 1, to === -1 ? lines.length : to).join('\n')).join('\n\n');
}

function casesOf(collection: string, dir: string, expectation: ReplyExpectation): ReplyCase[] {
  const path = join(dir, expectation.fixture);
  if (!existsSync(path)) return [];
  const raw = readFileSync(path, 'utf8');
  const variants = expectation.substitute?.values.map((v) => ({ value: v, body: raw.split(expectation.substitute?.placeholder ?? '').join(v) })) ?? [{ value: null, body: raw }];
  return variants.map(({ value, body }) => ({
    collection,
    name: value === null ? expectation.fixture : `${expectation.fixture} [${value}]`,
    body,
    expected: pick(body, expectation.lines),
  }));
}

function crispCases(corpusDir: string): ReplyCase[] {
  const dir = join(corpusDir, CRISP);
  const overridden = new Map(CRISP_OVERRIDES.map((o) => [o.fixture, o]));
  const cases: ReplyCase[] = [];
  for (const c of quoteCases(corpusDir)) {
    const override = overridden.get(c.fixture);
    if (override === undefined) cases.push({ collection: CRISP, name: c.fixture, body: c.body, expected: c.expected });
    else cases.push(...casesOf(CRISP, dir, override));
  }
  return cases;
}

/** A fixture without an expectation of its own that is the same text as a crisp case takes crisp's. */
function sameAsCrisp(collection: string, dir: string, crisp: readonly ReplyCase[], listed: ReadonlySet<string>): ReplyCase[] {
  const byText = new Map(crisp.map((c) => [lf(c.body), c.expected]));
  const cases: ReplyCase[] = [];
  for (const fixture of crispDuplicates(collection)) {
    const path = join(dir, fixture);
    if (listed.has(fixture) || !existsSync(path)) continue;
    const body = readFileSync(path, 'utf8');
    const expected = byText.get(lf(body));
    if (expected !== undefined) cases.push({ collection, name: fixture, body, expected });
  }
  return cases;
}

/** willdurand's fixtures that crisp took over unchanged. */
function crispDuplicates(collection: string): string[] {
  if (collection !== 'willdurand-email-reply-parser') return [];
  const names = ['email_7', 'email_8', 'email_10', 'email_11', 'email_12', 'email_13', 'email_14', 'email_15', 'email_16', 'email_17', 'email_18', 'email_norwegian_gmail'];
  return names.map((n) => `tests/Fixtures/${n}.txt`);
}

export function replyCases(corpusDir: string): ReplyCase[] {
  const crisp = crispCases(corpusDir);
  const cases = [...crisp];
  for (const [collection, expectations] of Object.entries(REPLY_EXPECTATIONS)) {
    const dir = join(corpusDir, collection);
    if (!existsSync(dir)) continue;
    for (const e of expectations) cases.push(...casesOf(collection, dir, e));
    cases.push(...sameAsCrisp(collection, dir, crisp, new Set(expectations.map((e) => e.fixture))));
  }
  return cases;
}

export interface ReplyOutcome {
  case: ReplyCase;
  exact: boolean;
  /** The body had text and nothing visible was kept. */
  empty: boolean;
}

export function measureReplies(cases: readonly ReplyCase[]): ReplyOutcome[] {
  return cases.map((c) => {
    const visible = stripQuoted(c.body).visible;
    return { case: c, exact: normaliseText(visible) === normaliseText(c.expected), empty: visible.trim() === '' && c.body.trim() !== '' };
  });
}

const share = (n: number, of: number): string => `${n}/${of} (${of === 0 ? '0.0' : ((n / of) * 100).toFixed(1)}%)`;

/** The reply section of `npm run corpus`. */
export function reportReplies(corpusDir: string): void {
  const outcomes = measureReplies(replyCases(corpusDir));
  if (outcomes.length === 0) return;
  console.log('\nquote stripping, visible reply text kept exactly:');
  for (const collection of [...new Set(outcomes.map((o) => o.case.collection))]) {
    const mine = outcomes.filter((o) => o.case.collection === collection);
    console.log(`  ${collection}: ${share(mine.filter((o) => o.exact).length, mine.length)}`);
  }
  const exact = outcomes.filter((o) => o.exact).length;
  const empty = outcomes.filter((o) => o.empty).length;
  console.log(`  overall: ${share(exact, outcomes.length)}; empty although the body had text: ${empty}`);
  for (const o of outcomes.filter((x) => !x.exact)) console.log(`  differs: ${o.case.collection}/${o.case.name}`);
}
