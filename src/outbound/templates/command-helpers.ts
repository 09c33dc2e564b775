/**
 * Handlebars helpers for what mails suggest and quote: `{{cmd …}}` writes a mail command
 * from the command vocabulary in the recipient's language (so a template cannot suggest a
 * word the parser does not know), and `{{excerpt …}}` shows a knowledge-base excerpt with
 * its matched words in bold in HTML and plain in text, never with search markers.
 *
 *   {{cmd "help"}}  {{cmd "status" reference}}  {{cmd "notify" "updates" "closure"}}
 *   {{cmd "kb" "index"}}  {{cmd "kb" "article" id}}  {{cmd "kb" "search" "printer offline"}}
 *   {{cmd "contact-id"}}
 */
import type Handlebars from 'handlebars';
import {
  commandLanguage, suggestCommand, VOCABULARY, type NotifyChoice, type SuggestedCommand,
} from '../../rules/text/vocabulary.js';
import type { Excerpt } from './registry.js';

type HandlebarsEnv = typeof Handlebars;

interface HelperOptions {
  data?: { locale?: string };
}

const NOTIFY_CHOICES = new Set(Object.keys(VOCABULARY.en.notify));
const KB_VERBS = new Set(Object.keys(VOCABULARY.en.kb));

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '');

/** The helper's arguments as a command; an unknown verb is a template error, found at start-up. */
export function commandFromArgs(args: readonly unknown[]): SuggestedCommand {
  const [verb, ...rest] = args.map(text);
  switch (verb) {
    case 'help': case 'list': case 'profile': case 'close': case 'contact-id':
      return { verb };
    case 'status':
      return { verb, reference: rest[0] ?? '' };
    case 'notify': {
      const bad = rest.find((c) => !NOTIFY_CHOICES.has(c));
      if (bad !== undefined || rest.length === 0) throw new Error(`cmd notify: unknown choice "${bad ?? ''}"`);
      return { verb, choices: rest as NotifyChoice[] };
    }
    case 'kb': {
      const kb = rest[0] ?? 'index';
      if (!KB_VERBS.has(kb)) throw new Error(`cmd kb: unknown "${kb}"`);
      if (kb === 'index') return { verb, kb };
      return kb === 'article' ? { verb, kb, id: rest[1] ?? '' } : { verb, kb: 'search', words: rest.slice(1).join(' ') };
    }
    case undefined:
    default:
      throw new Error(`cmd: unknown command "${verb ?? ''}"`);
  }
}

/** An excerpt's text without highlighting; older rows may hold a plain string. */
export function excerptText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  return (value as Excerpt).map((run) => (typeof run?.text === 'string' ? run.text : '')).join('');
}

function excerptHtml(env: HandlebarsEnv, value: unknown): string {
  if (!Array.isArray(value)) return env.escapeExpression(excerptText(value));
  return (value as Excerpt)
    .map((run) => {
      const escaped = env.escapeExpression(typeof run?.text === 'string' ? run.text : '');
      return run?.match === true && escaped.trim() !== '' ? `<strong>${escaped}</strong>` : escaped;
    })
    .join('');
}

/** Registers `cmd` and `excerpt` on one environment: `html` for the HTML part, else text and subject. */
export function registerCommandHelpers(env: HandlebarsEnv, html: boolean): void {
  env.registerHelper('cmd', (...args: unknown[]) => {
    const options = args.pop() as HelperOptions;
    const command = suggestCommand(commandLanguage(options.data?.locale), commandFromArgs(args)).trim();
    return html ? new env.SafeString(`<span class="cmd">${env.escapeExpression(command)}</span>`) : command;
  });
  env.registerHelper('excerpt', (value: unknown) => (html ? new env.SafeString(excerptHtml(env, value)) : excerptText(value)));
}
