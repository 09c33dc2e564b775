// Every mail speaks its reader's language throughout. The catalogue of a locale is every
// literal sentence of its templates and partials plus its labels; each template is rendered
// with every sample (and variant) in every locale, the sample data removed from the result,
// and no string of another locale's catalogue (that is not also this locale's) may remain:
// English system text in a French mail ("RÉSOLUTION Closed at your request.") fails here.
// Every value the domain stores (statuses, priority and urgency levels) has a label too.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES } from '../../../src/domain/incidents/types.js';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES, type Locale } from '../../../src/outbound/templates/registry.js';
import { samplesOf } from '../../../src/outbound/templates/samples.js';
import { realRenderer, TEMPLATES_DIR } from '../../support/templates.js';

const LEVELS = ['low', 'normal', 'high', 'critical'];

type Labels = Record<string, Record<string, string>>;
const labelsOf = (locale: Locale): Labels => JSON.parse(readFileSync(join(TEMPLATES_DIR, locale, '_labels.json'), 'utf8')) as Labels;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#39;': "'", '&nbsp;': ' ', '&#x3D;': '=', '&#x60;': '`' };
const decode = (s: string): string => s.replace(/&(?:amp|lt|gt|quot|nbsp|#x27|#39|#x3D|#x60);/g, (e) => ENTITIES[e] ?? e);

/** `text` with every span from `open` to the next `close` replaced by a line break (a scan, no backtracking). */
function cut(text: string, open: string, close: string): string {
  let out = '';
  let at = 0;
  for (let start = text.indexOf(open); start !== -1; start = text.indexOf(open, at)) {
    const end = text.indexOf(close, start + open.length);
    if (end === -1) break;
    out += `${text.slice(at, start)}\n`;
    at = end + close.length;
  }
  return out + text.slice(at);
}

/** The visible text of an HTML part (or of a template source): tags and placeholders become line breaks. */
function visible(html: string): string {
  const noHead = cut(cut(html, '<style', '</style>'), '<title', '</title>');
  return decode(cut(cut(noHead, '{{', '}}'), '<', '>'));
}

const PUNCT = new Set([...'-–:;,.()[] \t']);

/** `line` without punctuation and spaces at either end (a loop: no backtracking). */
function trimPunct(line: string): string {
  let start = 0;
  let end = line.length;
  while (start < end && PUNCT.has(line.charAt(start))) start += 1;
  while (end > start && PUNCT.has(line.charAt(end - 1))) end -= 1;
  return line.slice(start, end);
}

/** Literal sentences of a template source: what the locale itself writes. */
function segments(source: string): string[] {
  return visible(source).split('\n').map(trimPunct).filter((l) => l.length >= 4 && /\p{L}{3}/u.test(l));
}

function catalogue(locale: Locale): Set<string> {
  const out = new Set<string>();
  const dir = join(TEMPLATES_DIR, locale);
  const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, '_partials')).map((f) => join(dir, '_partials', f))];
  for (const file of files.filter((f) => /\.(mjml|hbs)$/.test(f))) for (const s of segments(readFileSync(file, 'utf8'))) out.add(s);
  for (const group of Object.values(labelsOf(locale))) for (const v of Object.values(group)) if (v.length >= 4) out.add(v);
  return out;
}

/** Every string leaf of the data: customer text the template shows as given. */
function dataStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.length >= 3) out.push(...value.split('\n').filter((l) => l.length >= 3));
  else if (Array.isArray(value)) for (const v of value) dataStrings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) dataStrings(v, out);
  return out;
}

/** Product terms both locales write as they are (French quotes "Contact ID" beside its translation). */
const SHARED_TERMS = new Set(['Contact ID']);

const isLetter = (c: string): boolean => /\p{L}/u.test(c);

/** Whether `phrase` occurs in `line` as whole words (a letter on neither side). */
function hasPhrase(line: string, phrase: string): boolean {
  for (let i = line.indexOf(phrase); i !== -1; i = line.indexOf(phrase, i + 1)) {
    if (!isLetter(line.charAt(i - 1)) && !isLetter(line.charAt(i + phrase.length))) return true;
  }
  return false;
}

let renderer: Renderer;
const catalogues = new Map<Locale, Set<string>>();

beforeAll(async () => {
  renderer = await realRenderer();
  for (const l of LOCALES) catalogues.set(l, catalogue(l));
});

describe('locale catalogue', () => {
  it.each(LOCALES)('%s labels every status, priority and urgency the domain stores', (locale) => {
    const labels = labelsOf(locale);
    expect(Object.keys(labels.status ?? {}).sort()).toEqual([...INCIDENT_STATUSES].sort());
    expect(Object.keys(labels.priority ?? {}).sort()).toEqual([...LEVELS].sort());
    expect(Object.keys(labels.urgency ?? {}).sort()).toEqual([...LEVELS].sort());
  });

  it('both locales label the same groups and keys', () => {
    const [en, fr] = [labelsOf('en'), labelsOf('fr')];
    expect(Object.fromEntries(Object.entries(fr).map(([g, v]) => [g, Object.keys(v).sort()]))).toEqual(Object.fromEntries(Object.entries(en).map(([g, v]) => [g, Object.keys(v).sort()])));
  });

  for (const locale of LOCALES) {
    for (const other of LOCALES.filter((l) => l !== locale)) {
      it.each(TEMPLATE_NAMES)(`%s in ${locale} has no ${other} text`, (name) => {
        const own = catalogues.get(locale) ?? new Set<string>();
        const foreign = [...(catalogues.get(other) ?? [])].filter((s) => !own.has(s) && !SHARED_TERMS.has(s));
        expect(foreign.length).toBeGreaterThan(20);
        for (const data of samplesOf(name)) {
          const mail = renderer.render(name, locale, data);
          let shown = [mail.subject, mail.text, visible(mail.html)].join('\n');
          for (const s of dataStrings(data).sort((a, b) => b.length - a.length)) shown = shown.split(s).join('\n');
          const lines = shown.split('\n').map((l) => l.trim());
          // A one-word string only counts as a whole line (a label); a phrase anywhere, as words.
          const found = foreign.filter((f) => lines.some((l) => l === f || (f.includes(' ') && hasPhrase(l, f))));
          expect(found, `${name} (${locale})`).toEqual([]);
        }
      });
    }
  }
});
