/**
 * Writes every template in every locale, filled with the sample data, to files a
 * person can open in a browser or mail client before a template change ships.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Renderer } from './render.js';
import { LOCALES, TEMPLATE_NAMES } from './templates/registry.js';
import { sampleData } from './templates/samples.js';

/** Renders all previews into `<outDir>/<locale>/<name>.html` and `.txt`; returns the files written. */
export async function writePreviews(renderer: Renderer, outDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const locale of LOCALES) {
    const dir = join(outDir, locale);
    await mkdir(dir, { recursive: true });
    for (const name of TEMPLATE_NAMES) {
      const mail = renderer.render(name, locale, sampleData(name));
      const htmlFile = join(dir, `${name}.html`);
      const textFile = join(dir, `${name}.txt`);
      await writeFile(htmlFile, mail.html, 'utf8');
      await writeFile(textFile, `Subject: ${mail.subject}\n\n${mail.text}`, 'utf8');
      files.push(htmlFile, textFile);
    }
  }
  return files;
}
