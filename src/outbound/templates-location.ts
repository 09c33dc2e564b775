/**
 * Where the mail templates live. They are data, not code, so the build does not copy them:
 * the folder is found relative to this module, whether it runs from src/ (tsx, tests) or
 * from dist/src/ (the built command), instead of depending on the working directory.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['../../templates/', '../../../templates/'];

export function defaultTemplatesDir(): string {
  for (const candidate of CANDIDATES) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new Error(`templates folder not found next to ${fileURLToPath(import.meta.url)}`);
}
