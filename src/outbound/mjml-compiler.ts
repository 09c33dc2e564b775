/**
 * Turns the MJML templates into HTML in a short-lived worker thread. mjml and its
 * dependencies take about 40 MB of a process that never needs them again once every
 * template is HTML: loaded in the service itself they stayed resident for its whole life,
 * a quarter of its memory at rest. A worker's isolate, with every module it loaded, is
 * released when the worker ends. An MJML error still names the file and stops start-up.
 *
 * The worker runs a small CommonJS script given as text rather than a module file, so it
 * starts the same way from the built service, under tsx and under the test runner (Node 20
 * cannot load a TypeScript worker file, and the build copies only what tsc emits).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { hidePreheader } from './preheader.js';
import { TemplateError } from './template-error.js';

export interface MjmlDocument {
  /** Absolute path; names the file in errors and anchors `mj-include`. */
  file: string;
  source: string;
}

type Outcome = { html: string } | { error: string };

interface WorkerInput {
  /** Where `mjml` is resolved from: this module, so the service's own dependency is used. */
  resolveFrom: string;
  documents: MjmlDocument[];
}

// Minify and beautify stay off: both rewrite text and attributes and may break the
// Handlebars placeholders that are still in the document. mjml 4 answers synchronously,
// mjml 5 with a promise: awaiting serves both. No web fonts: they leak the reader's
// address to a third party and our stack is system fonts.
const WORKER_SCRIPT = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const mjml2html = createRequire(workerData.resolveFrom)('mjml');
(async () => {
  const outcomes = [];
  for (const { file, source } of workerData.documents) {
    try {
      const result = await mjml2html(source, {
        validationLevel: 'strict', filePath: file, keepComments: false, fonts: {}, minify: false, beautify: false,
      });
      outcomes.push({ html: result.html });
    } catch (err) {
      outcomes.push({ error: err instanceof Error ? err.message.trim() : String(err) });
    }
  }
  parentPort.postMessage(outcomes);
})();
`;

function isOutcomes(value: unknown, count: number): value is Outcome[] {
  return (
    Array.isArray(value) &&
    value.length === count &&
    value.every((o: unknown) => typeof o === 'object' && o !== null && (typeof (o as { html?: unknown }).html === 'string' || typeof (o as { error?: unknown }).error === 'string'))
  );
}

function runWorker(input: WorkerInput): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // Plain Node options: the script needs no TypeScript loader, which would only slow it down.
    const worker = new Worker(WORKER_SCRIPT, { eval: true, workerData: input, execArgv: [] });
    let settled = false;
    worker.once('message', (value: unknown) => {
      settled = true;
      // Ended at once rather than left to drain, so its heap is gone before start-up goes on.
      worker.terminate().then(() => resolve(value), reject);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(new Error(`MJML compiler failed: ${err.message}`, { cause: err }));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`MJML compiler exited with code ${code} before answering`));
    });
  });
}

/** HTML for each document, by file; the first document MJML rejects throws a TemplateError. */
export async function compileMjml(documents: MjmlDocument[]): Promise<Map<string, string>> {
  if (documents.length === 0) return new Map();
  const outcomes = await runWorker({ resolveFrom: fileURLToPath(import.meta.url), documents });
  if (!isOutcomes(outcomes, documents.length)) throw new Error('MJML compiler answered in an unexpected shape');
  const html = new Map<string, string>();
  documents.forEach(({ file }, i) => {
    const outcome = outcomes[i];
    if (outcome === undefined || 'error' in outcome) throw new TemplateError(file, outcome?.error ?? 'no answer');
    html.set(file, hidePreheader(outcome.html));
  });
  return html;
}
