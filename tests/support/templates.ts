/**
 * Shared test access to the real templates folder and a renderer built from it
 * (building one compiles every template, so test files share it per file).
 */
import { fileURLToPath } from 'node:url';
import { createRenderer, type Renderer } from '../../src/outbound/render.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates', import.meta.url));

export function realRenderer(): Promise<Renderer> {
  return createRenderer({ templatesDir: TEMPLATES_DIR, defaultLocale: 'en' });
}
