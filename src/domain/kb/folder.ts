/**
 * Reads the Markdown files of one folder (not its sub-folders) for the article import.
 * File names only name files in the report; they never decide where anything is written.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MarkdownFile } from './import.js';

export async function readMarkdownFolder(dir: string): Promise<MarkdownFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && /\.(md|markdown)$/i.test(e.name)).map((e) => e.name).sort();
  return Promise.all(names.map(async (name) => ({ name, content: await readFile(join(dir, name), 'utf8') })));
}
