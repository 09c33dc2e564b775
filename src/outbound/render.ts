/**
 * The mail renderer. MJML costs milliseconds per document, so every template of
 * every locale is turned into HTML once at start-up, with its Handlebars
 * placeholders intact (in a worker thread that ends afterwards, so mjml does not stay
 * resident: mjml-compiler.ts), and compiled by Handlebars; a render then only fills data
 * (microseconds). A missing or broken template stops start-up with the file's name
 * instead of failing one customer's mail at 3 a.m.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { registerCommandHelpers } from './templates/command-helpers.js';
import { registerHelpers, type Labels } from './templates/helpers.js';
import {
  LOCALES,
  TEMPLATE_NAMES,
  type Locale,
  type RenderData,
  type TemplateName,
} from './templates/registry.js';
import { compileMjml, type MjmlDocument } from './mjml-compiler.js';
import { toHeaderValue, toPlainText } from './sanitize.js';
import { TemplateError } from './template-error.js';

export { TemplateError } from './template-error.js';

export interface RendererOptions {
  /** Folder holding `<locale>/<name>.mjml`, `.subject.hbs` and `.text.hbs`. */
  templatesDir: string;
  /** Locale used when a recipient's locale has no templates. */
  defaultLocale: Locale;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
  /** The locale actually used, after fallback. */
  locale: Locale;
}

export interface Renderer {
  readonly defaultLocale: Locale;
  render<N extends TemplateName>(name: N, locale: string, data: RenderData<N>): RenderedMail;
  /** The locale a requested one falls back to: exact, then language, then default. */
  resolveLocale(locale: string): Locale;
}

type Compiled = HandlebarsTemplateDelegate<unknown>;
type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;
interface CompiledTemplate {
  subject: Compiled;
  html: Compiled;
  text: Compiled;
}
type LocaleTemplates = Map<TemplateName, CompiledTemplate>;

async function readTemplateFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new TemplateError(file, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Handlebars compiles lazily on the first call; calling each template once here,
 * with empty data, moves both the cost and any error (e.g. an unknown helper) to start-up.
 */
function compileNow(env: Env, file: string, source: string): Compiled {
  try {
    const template = env.compile<unknown>(source, env.compileOptions);
    template({}, { data: { locale: 'en', timeZone: 'UTC', subject: '' } });
    return template;
  } catch (err) {
    throw new TemplateError(file, err instanceof Error ? err.message : String(err));
  }
}

/**
 * One Handlebars environment per locale and output kind. HTML and text need
 * separate ones because Handlebars caches a compiled partial on first use with the
 * caller's options: a shared partial first used unescaped by a text template would
 * then be unescaped in HTML too.
 */
interface Env {
  compile: typeof Handlebars.compile;
  compileOptions: CompileOptions;
}

async function loadEnvironment(dir: string, labels: Labels, escape: boolean): Promise<Env> {
  const env = Handlebars.create();
  const compileOptions: CompileOptions = { noEscape: !escape };
  registerHelpers(env, labels);
  registerCommandHelpers(env, escape);
  const partialsDir = join(dir, '_partials');
  const entries = await readdir(partialsDir).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.endsWith('.hbs')).sort()) {
    const file = join(partialsDir, entry);
    const source = await readTemplateFile(file);
    try {
      env.registerPartial(basename(entry, '.hbs'), env.compile(source, compileOptions));
      env.parse(source);
    } catch (err) {
      throw new TemplateError(file, err instanceof Error ? err.message : String(err));
    }
  }
  return { compile: env.compile.bind(env), compileOptions };
}

async function loadLabels(dir: string): Promise<Labels> {
  const file = join(dir, '_labels.json');
  const source = await readTemplateFile(file);
  try {
    return JSON.parse(source) as Labels;
  } catch (err) {
    throw new TemplateError(file, err instanceof Error ? err.message : String(err));
  }
}

const mjmlFileOf = (templatesDir: string, locale: Locale, name: TemplateName): string => join(templatesDir, locale, `${name}.mjml`);

/** Every MJML template of every locale as HTML, compiled together in one worker. */
async function mjmlAsHtml(templatesDir: string): Promise<Map<string, string>> {
  const documents: MjmlDocument[] = [];
  for (const locale of LOCALES) {
    for (const name of TEMPLATE_NAMES) {
      const file = mjmlFileOf(templatesDir, locale, name);
      documents.push({ file, source: await readTemplateFile(file) });
    }
  }
  return compileMjml(documents);
}

async function loadLocale(templatesDir: string, locale: Locale, htmlOf: Map<string, string>): Promise<LocaleTemplates> {
  const dir = join(templatesDir, locale);
  const labels = await loadLabels(dir);
  const htmlEnv = await loadEnvironment(dir, labels, true);
  // Subject and text are not HTML: entities there would show as `&#x27;`.
  // They are neutralised for their own context after rendering instead.
  const textEnv = await loadEnvironment(dir, labels, false);
  const templates: LocaleTemplates = new Map();
  for (const name of TEMPLATE_NAMES) {
    const mjmlFile = mjmlFileOf(templatesDir, locale, name);
    const subjectFile = join(dir, `${name}.subject.hbs`);
    const textFile = join(dir, `${name}.text.hbs`);
    const html = htmlOf.get(mjmlFile);
    if (html === undefined) throw new TemplateError(mjmlFile, 'not compiled');
    const subject = await readTemplateFile(subjectFile);
    const text = await readTemplateFile(textFile);
    templates.set(name, {
      html: compileNow(htmlEnv, mjmlFile, html),
      subject: compileNow(textEnv, subjectFile, subject),
      text: compileNow(textEnv, textFile, text),
    });
  }
  return templates;
}

/** Blank lines left by `{{#if}}` blocks collapse; lines lose trailing spaces. */
export function tidyText(text: string): string {
  return `${toPlainText(text)
    // Lookbehind: each run of blanks is tried from its start only (linear on long runs).
    .replace(/(?<![ \t])[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

export async function createRenderer(options: RendererOptions): Promise<Renderer> {
  const htmlOf = await mjmlAsHtml(options.templatesDir);
  const byLocale = new Map<Locale, LocaleTemplates>();
  for (const locale of LOCALES) {
    byLocale.set(locale, await loadLocale(options.templatesDir, locale, htmlOf));
  }
  const { defaultLocale } = options;
  const known = new Set<string>(LOCALES);

  function resolveLocale(requested: string): Locale {
    const wanted = requested.toLowerCase().replace('_', '-');
    if (known.has(wanted)) return wanted as Locale;
    const language = wanted.split('-')[0] ?? '';
    return known.has(language) ? (language as Locale) : defaultLocale;
  }

  function render<N extends TemplateName>(name: N, requested: string, data: RenderData<N>): RenderedMail {
    const locale = resolveLocale(requested);
    const template = byLocale.get(locale)?.get(name);
    if (!template) throw new TemplateError(`${locale}/${name}`, 'unknown template');
    const frame = { locale, timeZone: data.timeZone };
    const subject = toHeaderValue(template.subject(data, { data: frame }));
    const html = template.html(data, { data: { ...frame, subject } });
    const text = tidyText(template.text(data, { data: frame }));
    return { subject, html, text, locale };
  }

  return { defaultLocale, render, resolveLocale };
}
