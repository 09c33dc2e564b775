// A broken template must stop start-up and say which file is at fault, rather
// than fail one customer's mail later.
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRenderer, TemplateError } from '../../../src/outbound/render.js';
import { TEMPLATES_DIR } from '../../support/templates.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'casemail-templates-'));
  await cp(TEMPLATES_DIR, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function startupError(): Promise<TemplateError> {
  const error: unknown = await createRenderer({ templatesDir: dir, defaultLocale: 'en' }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

describe('createRenderer with a broken template', () => {
  it('names an MJML file whose Handlebars block is never closed', async () => {
    const file = join(dir, 'fr', 'incident-closed.mjml');
    await writeFile(file, '<mjml><mj-body><mj-section><mj-column><mj-text>{{#if title}}oops</mj-text></mj-column></mj-section></mj-body></mjml>');
    const error = await startupError();
    expect(error.file).toBe(file);
    expect(error.message).toContain('fr/incident-closed.mjml');
  });

  it('names an MJML file that MJML rejects', async () => {
    const file = join(dir, 'en', 'kb-index.mjml');
    await writeFile(file, '<mjml><mj-body><mj-section><mj-text>text outside a column</mj-text></mj-section></mj-body></mjml>');
    const error = await startupError();
    expect(error.message).toContain('en/kb-index.mjml');
    expect(error.message).toContain('mj-text');
  });

  it('names a missing text template', async () => {
    const file = join(dir, 'en', 'contact-id.text.hbs');
    await unlink(file);
    expect((await startupError()).file).toBe(file);
  });

  it('names a subject that calls an unknown helper', async () => {
    const file = join(dir, 'fr', 'journal-note.subject.hbs');
    await writeFile(file, '[{{reference}}] {{shout title}}');
    const error = await startupError();
    expect(error.file).toBe(file);
    expect(error.message).toContain('shout');
  });

  it('names a broken partial', async () => {
    const file = join(dir, 'en', '_partials', 'greeting.hbs');
    await writeFile(file, '{{#if recipientName}}Hello');
    expect((await startupError()).file).toBe(file);
  });
});
