// Every template, in both languages, as a phone and a desktop mail client would
// show it: screenshots for a person to look at, and a check that nothing is wider
// than the screen (horizontal scrolling is how mail looks broken on a phone).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePreviews } from '../../../src/outbound/preview.js';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES } from '../../../src/outbound/templates/registry.js';
import { sampleData } from '../../../src/outbound/templates/samples.js';
import { CHROMIUM_FLAGS, ensureChromium, freshProfileDir } from '../../support/chromium.js';
import { realRenderer } from '../../support/templates.js';

const ROOT = join(process.cwd(), 'tmp');
const PREVIEWS = join(ROOT, 'previews');
const SHOTS = join(ROOT, 'screenshots');
const WIDTHS = { phone: 375, desktop: 1280 } as const;

let renderer: Renderer;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  const executablePath = ensureChromium();
  renderer = await realRenderer();
  await rm(SHOTS, { recursive: true, force: true });
  await mkdir(SHOTS, { recursive: true });
  profile = await freshProfileDir();
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  // A mail must be complete on its own: nothing is fetched from the network.
  await context.route('**/*', (route) =>
    route.request().url().startsWith('file:') ? route.continue() : route.abort(),
  );
}, 20 * 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

interface Overflow {
  file: string;
  width: number;
  scrollWidth: number;
}

/** Screenshots one HTML file at every width; returns the widths it overflows. */
async function shoot(file: string, shotName: string): Promise<Overflow[]> {
  const page = await context.newPage();
  const overflows: Overflow[] = [];
  try {
    for (const [device, width] of Object.entries(WIDTHS)) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(pathToFileURL(file).href);
      // A string expression: the test project has no DOM types.
      const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      if (scrollWidth > width) overflows.push({ file, width, scrollWidth });
      await page.screenshot({ path: join(SHOTS, `${shotName}-${device}.png`), fullPage: true });
    }
  } finally {
    await page.close();
  }
  return overflows;
}

describe('rendered mail in Chromium', () => {
  it('fits phone and desktop widths for every template and locale', async () => {
    const files = (await writePreviews(renderer, PREVIEWS)).filter((f) => f.endsWith('.html'));
    expect(files).toHaveLength(TEMPLATE_NAMES.length * LOCALES.length);
    const overflows: Overflow[] = [];
    for (const file of files) {
      const [locale, name] = file.slice(PREVIEWS.length + 1, -'.html'.length).split('/');
      overflows.push(...(await shoot(file, `${locale ?? ''}-${name ?? ''}`)));
    }
    expect(overflows).toEqual([]);
  }, 10 * 60_000);

  it('detects a page wider than the phone (the check itself works)', async () => {
    const file = join(PREVIEWS, 'control-too-wide.html');
    await writeFile(file, '<!doctype html><html><body style="margin:0"><div style="width:600px">wide</div></body></html>');
    const overflows = await shoot(file, 'control-too-wide');
    expect(overflows.map((o) => o.width)).toEqual([WIDTHS.phone]);
  }, 60_000);

  it('wraps long unbroken customer text instead of widening the mail', async () => {
    const long = `https://files.example/${'a1b2c3'.repeat(40)}`;
    const data = { ...sampleData('command-status'), entries: [{ kind: 'email' as const, author: long, at: '2026-03-02T08:15:00Z', text: long }] };
    data.incident = { ...data.incident, title: `Error_${'X'.repeat(150)}`, customerTicket: long };
    const file = join(PREVIEWS, 'stress-long-words.html');
    await writeFile(file, renderer.render('command-status', 'fr', data).html);
    expect(await shoot(file, 'stress-long-words')).toEqual([]);
  }, 60_000);
});
