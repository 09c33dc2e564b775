// Visible text meets WCAG 2.1 AA contrast (4.5:1) in every rendered template: every text
// colour of the HTML (the hidden preheader has none) against every background of the mail
// on its side of the scale (dark text against the light backgrounds, light text against the
// dark ones). The footer's grey on its tinted band once reached only 4.1:1.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES } from '../../../src/outbound/templates/registry.js';
import { samplesOf } from '../../../src/outbound/templates/samples.js';
import { realRenderer } from '../../support/templates.js';

const AA = 4.5;

function luminance(hex: string): number {
  const full = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join('') : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

const contrast = (a: string, b: string): number => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return ((x ?? 0) + 0.05) / ((y ?? 0) + 0.05);
};

const colours = (html: string, pattern: RegExp): Set<string> => new Set([...html.matchAll(pattern)].map((m) => (m[1] ?? '').toLowerCase()));

let renderer: Renderer;
beforeAll(async () => {
  renderer = await realRenderer();
});

describe('text contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 0);
    expect(contrast('#6b7280', '#eef1f5')).toBeLessThan(AA);
  });

  it.each(LOCALES)('every text colour of every %s template reaches 4.5:1 on the backgrounds of its side', (locale) => {
    for (const name of TEMPLATE_NAMES) {
      const html = renderer.render(name, locale, samplesOf(name)[0] as never).html;
      const texts = colours(html, /(?<![-\w])color:\s*(#[0-9a-f]{3,6})\b/gi);
      const backgrounds = colours(html, /background(?:-color)?:\s*(#[0-9a-f]{3,6})\b/gi);
      backgrounds.add('#ffffff');
      for (const text of texts) {
        const light = luminance(text) > 0.5;
        for (const bg of [...backgrounds].filter((b) => (luminance(b) > 0.5) !== light)) {
          expect(contrast(text, bg), `${locale}/${name}: ${text} on ${bg}`).toBeGreaterThanOrEqual(AA);
        }
      }
    }
  });
});
