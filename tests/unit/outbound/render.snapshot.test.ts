// Every template in every locale, rendered with the sample data, pinned to files a
// reviewer can open: a template change shows up as a readable diff.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES } from '../../../src/outbound/templates/registry.js';
import { sampleData } from '../../../src/outbound/templates/samples.js';
import { realRenderer } from '../../support/templates.js';

let renderer: Renderer;
beforeAll(async () => {
  renderer = await realRenderer();
});

describe.each(LOCALES)('templates in %s', (locale) => {
  it.each(TEMPLATE_NAMES)('%s matches its snapshot', async (name) => {
    const mail = renderer.render(name, locale, sampleData(name));
    expect(mail.locale).toBe(locale);
    await expect(mail.html).toMatchFileSnapshot(`__snapshots__/${locale}/${name}.html`);
    await expect(`Subject: ${mail.subject}\n\n${mail.text}`).toMatchFileSnapshot(
      `__snapshots__/${locale}/${name}.txt`,
    );
  });

  it.each(TEMPLATE_NAMES)('%s leaves no placeholder or MJML tag behind', (name) => {
    const mail = renderer.render(name, locale, sampleData(name));
    for (const part of [mail.subject, mail.html, mail.text]) {
      expect(part).not.toMatch(/\{\{|\}\}|<mj-/);
    }
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.html).toContain('casemail support');
    expect(mail.html).toContain('support@casemail.example');
  });
});

describe('subjects', () => {
  it('carry the incident reference when the mail is about an incident', () => {
    for (const name of ['incident-created', 'incident-closed', 'command-status', 'problem-report'] as const) {
      expect(renderer.render(name, 'fr', sampleData(name)).subject).toMatch(/^\[INC-000123\] /);
    }
  });
});

describe('locale fallback', () => {
  it('uses the language of a regional locale and the default for unknown ones', () => {
    expect(renderer.resolveLocale('fr-CA')).toBe('fr');
    expect(renderer.resolveLocale('FR_be')).toBe('fr');
    expect(renderer.resolveLocale('de')).toBe('en');
    expect(renderer.render('contact-id', 'pt-BR', sampleData('contact-id')).locale).toBe('en');
  });
});

describe('dates', () => {
  it('are shown in the recipient time zone and language', () => {
    const data = { ...sampleData('journal-note'), at: '2026-03-05T23:30:00Z' };
    expect(renderer.render('journal-note', 'fr', { ...data, timeZone: 'Europe/Paris' }).text).toContain('6 mars 2026 à 00:30');
    expect(renderer.render('journal-note', 'en', { ...data, timeZone: 'America/New_York' }).text).toContain('March 5, 2026 at 6:30 PM');
  });

  it('never shift a calendar date such as a contract end', () => {
    const data = { ...sampleData('contract-expired'), timeZone: 'Pacific/Honolulu' };
    expect(renderer.render('contract-expired', 'en', data).text).toContain('December 31, 2025');
  });
});
