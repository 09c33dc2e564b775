// Knowledge-base excerpts in customer mail: the words the search matched are bold in the
// HTML part and plain in the text part; no search marker (« », or the store's private marks)
// ever reaches a mail, and excerpt text is escaped like any other.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES, type Excerpt } from '../../../src/outbound/templates/registry.js';
import { sampleData } from '../../../src/outbound/templates/samples.js';
import { excerptOf, MATCH_START, MATCH_STOP } from '../../../src/domain/kb/text.js';
import { realRenderer } from '../../support/templates.js';

let renderer: Renderer;
beforeAll(async () => {
  renderer = await realRenderer();
});

const EXCERPT: Excerpt = [
  { text: 'the attendant ' }, { text: 'console', match: true }, { text: ' starts but the Operator ' }, { text: 'Directory', match: true },
  { text: ' pane stays ' }, { text: 'empty', match: true }, { text: ' <img src=x onerror=alert(1)> & ' }, { text: '<b>', match: true },
];
const PLAIN = 'the attendant console starts but the Operator Directory pane stays empty <img src=x onerror=alert(1)> & <b>';

describe('excerptOf (the store’s headline)', () => {
  it('turns marked words into runs and keeps French quotes of the article as text', () => {
    const raw = `Cliquez sur « Réseau » puis ${MATCH_START}transfert${MATCH_STOP}  d'appel\n…`;
    expect(excerptOf(raw)).toEqual([{ text: 'Cliquez sur « Réseau » puis ' }, { text: 'transfert', match: true }, { text: " d'appel …" }]);
  });
});

describe.each(LOCALES)('excerpts in %s', (locale) => {
  it('the confirmation shows matches in bold in HTML and plain in text', () => {
    const data = { ...sampleData('incident-created'), suggestions: [{ id: '7', title: 'No Operator Directory', snippet: EXCERPT }] };
    const mail = renderer.render('incident-created', locale, data);
    expect(mail.text).toContain(PLAIN);
    expect(mail.text).not.toMatch(/<strong>/);
    expect(mail.html).toContain('the attendant <strong>console</strong> starts but the Operator <strong>Directory</strong> pane stays <strong>empty</strong>');
    expect(mail.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; <strong>&lt;b&gt;</strong>');
    expect(mail.html).not.toContain('<img src=x');
  });

  it('kb-results shows matches the same way', () => {
    const mail = renderer.render('kb-results', locale, { ...sampleData('kb-results'), results: [{ id: '7', title: 'No Operator Directory', snippet: EXCERPT }] });
    expect(mail.text).toContain(PLAIN);
    expect(mail.html).toContain('<strong>console</strong>');
  });

  it('a plain string excerpt (queued before excerpts had runs) is shown as text', () => {
    const mail = renderer.render('kb-results', locale, { ...sampleData('kb-results'), results: [{ id: '7', title: 'T', snippet: 'plain <words>' }] });
    expect(mail.text).toContain('plain <words>');
    expect(mail.html).toContain('plain &lt;words&gt;');
  });

  it.each(TEMPLATE_NAMES)('%s carries no search marker', (name) => {
    const mail = renderer.render(name, locale, sampleData(name));
    expect(mail.text).not.toMatch(/[\uE000\uE001]|«\S|\S»/);
    expect(mail.html).not.toMatch(/[\uE000\uE001]/);
    if (name === 'incident-created' || name === 'kb-results') {
      expect(mail.html).toMatch(/<strong>(firmware|printer)<\/strong>/);
      expect(mail.text).toMatch(/ (firmware|printer) /);
    }
  });
});
