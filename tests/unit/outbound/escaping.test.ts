// Untrusted text stays text: customer-supplied strings reach every template, so
// each one is fed hostile values in every string field.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES, type TemplateName } from '../../../src/outbound/templates/registry.js';
import { sampleData } from '../../../src/outbound/templates/samples.js';
import { realRenderer } from '../../support/templates.js';

const SCRIPT = '<script>alert(1)</script>';
const ATTRIBUTE = '"><img src=x onerror=alert(1)>';
// Fields that are configuration, not customer text: left as they are so the mail still renders.
const KEEP = new Set(['timeZone', 'brand']);

function poison(value: unknown, payload: string, key = ''): unknown {
  if (typeof value === 'string') return KEEP.has(key) ? value : payload;
  if (Array.isArray(value)) return value.map((item) => poison(item, payload));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, payload, k)]));
  }
  return value;
}

function renderPoisoned(renderer: Renderer, name: TemplateName, locale: string, payload: string) {
  const data = poison(sampleData(name), payload) as ReturnType<typeof sampleData>;
  return renderer.render(name, locale, data);
}

let renderer: Renderer;
beforeAll(async () => {
  renderer = await realRenderer();
});

describe.each(LOCALES)('hostile customer text in %s', (locale) => {
  it.each(TEMPLATE_NAMES)('%s escapes a script tag in its HTML', (name) => {
    const { html } = renderPoisoned(renderer, name, locale, SCRIPT);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it.each(TEMPLATE_NAMES)('%s cannot break out of an attribute in its HTML', (name) => {
    const { html } = renderPoisoned(renderer, name, locale, ATTRIBUTE);
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/onerror=/i);
    expect(html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it.each(TEMPLATE_NAMES)('%s keeps customer text as one line of text in its subject', (name) => {
    const { subject } = renderPoisoned(renderer, name, locale, `${SCRIPT}\r\nBcc: victim@example.com\n`);
    expect(subject).not.toMatch(/[\r\n\u0000-\u001f\u007f]/);
    // Plain text, not HTML: the subject shows the characters, not entities.
    expect(subject).not.toContain('&lt;');
  });

  it.each(TEMPLATE_NAMES)('%s shows customer text verbatim, without controls, in its text part', (name) => {
    const { text } = renderPoisoned(renderer, name, locale, `${SCRIPT}\u0007\u001b[2J`);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).not.toContain('&lt;');
  });
});

describe('subject header injection', () => {
  it('turns CR/LF in a title into a space', () => {
    const data = { ...sampleData('incident-created'), title: 'Printer down\r\nBcc: victim@example.com' };
    const { subject } = renderer.render('incident-created', 'en', data);
    expect(subject).toBe('[INC-000123] Incident created: Printer down Bcc: victim@example.com');
  });
});

describe('multi-line customer text', () => {
  it('keeps its line breaks as <br> while escaping every line', () => {
    const data = { ...sampleData('journal-note'), note: 'first <b>line</b>\r\nsecond & last' };
    const { html } = renderer.render('journal-note', 'en', data);
    expect(html).toContain('first &lt;b&gt;line&lt;/b&gt;<br>\nsecond &amp; last');
  });

  it('refuses javascript: links', () => {
    const data = { ...sampleData('kb-article'), url: 'javascript:alert(1)' };
    const { html } = renderer.render('kb-article', 'en', data);
    expect(html).not.toContain('javascript:');
    expect(html).toContain('href="#"');
  });
});
