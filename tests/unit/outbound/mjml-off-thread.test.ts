// mjml is needed once, to turn the templates into HTML at start-up; loaded into the service
// it stayed resident for the life of the process (about 40 MB). Start-up compiles it in a
// worker thread that ends, so the process itself must never have loaded it.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sampleData } from '../../../src/outbound/templates/samples.js';
import { realRenderer } from '../../support/templates.js';

const loadedModules = (): string[] => Object.keys(createRequire(import.meta.url).cache);

describe('MJML at start-up', () => {
  it('renders every template while mjml never loads into the service process', async () => {
    const renderer = await realRenderer();
    const mail = renderer.render('contact-id', 'fr', sampleData('contact-id'));
    expect(mail.html).toContain('C-204-7781');
    expect(mail.html).toMatch(/^<!doctype html>/i);
    expect(loadedModules().filter((file) => /[/\\]node_modules[/\\]mjml/.test(file))).toEqual([]);
  });
});
