// The mail command words, in both languages: every word of the vocabulary parses to its
// meaning, the forms mails and README suggest parse, and a reference in the subject does
// not turn a command into an unknown one.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/rules/decide.js';
import { isContactIdRequest, parseCustomerCommand } from '../../../src/rules/text/commands.js';
import { COMMAND_LANGUAGES, VOCABULARY, type NotifyChoice } from '../../../src/rules/text/vocabulary.js';
import { DOUG, MARTINE, OPEN_INC, buildFacts } from './facts-builder.js';

const REF = /INC-\d{6}/i;
const parse = (subject: string, firstLine = '') => parseCustomerCommand(subject, firstLine, firstLine, REF);
const none = { updated: false, escalated: false, workaround: false, closed: false };
const FLAGS: Record<NotifyChoice, Partial<typeof none>> = {
  all: { updated: true, escalated: true, workaround: true, closed: true }, none: {},
  updates: { updated: true }, escalations: { escalated: true }, workarounds: { workaround: true }, closure: { closed: true },
};

describe('notify words', () => {
  for (const language of COMMAND_LANGUAGES) {
    const v = VOCABULARY[language];
    for (const [choice, words] of Object.entries(v.notify) as [NotifyChoice, readonly string[]][]) {
      it.each(words.map((w) => [w]))(`${language}: "${v.verbs.notify[0] ?? ''} %s" is ${choice}`, (word) => {
        expect(parse('', `${v.verbs.notify[0] ?? ''} ${word}`)).toEqual({ name: 'notify', options: { ...none, ...FLAGS[choice] }, source: 'body' });
      });
    }
  }

  it.each([
    ['notify closure', { closed: true }],
    ['notify closed', { closed: true }],
    ['notify updates and closure', { updated: true, closed: true }],
    ['notify updated escalated workaround closed', FLAGS.all],
    ['notifier clôture', { closed: true }],
    ['Notifier cloture', { closed: true }],
    ['notifier mis à jour fermé', { updated: true, closed: true }],
    ['notifier mises à jour et clôture', { updated: true, closed: true }],
    ['notify tout', FLAGS.all],
  ])('"%s"', (line, flags) => {
    expect(parse('', line)).toMatchObject({ name: 'notify', options: { ...none, ...flags } });
  });

  it('an unknown word is an unknown command (answered with help)', () => {
    expect(parse('', 'notify sometimes')).toEqual({ name: 'unknown', word: 'notify sometimes', source: 'body' });
  });
});

describe('a reference in the subject does not hide the command', () => {
  it.each([
    ['notify updated closed [INC-000100]', { updated: true, closed: true }, DOUG],
    ['notifier mis à jour fermé [INC-000100]', { updated: true, closed: true }, MARTINE],
    ['[INC-000100] notify closure', { closed: true }, DOUG],
  ])('"%s"', (subject, flags, sender) => {
    const { decision } = decide(buildFacts({ sender, subject, thread: { subjectIncident: OPEN_INC } }));
    expect(decision).toEqual({ kind: 'command', actor: 'customer', command: { name: 'notify', incidentId: OPEN_INC.id, options: { ...none, ...flags } } });
  });

  it('close and status keep accepting the reference as their argument', () => {
    expect(parse('close [INC-000100]')).toMatchObject({ name: 'close' });
    expect(parse('status INC-000100')).toMatchObject({ name: 'status', reference: 'INC-000100' });
  });
});

describe('kb commands', () => {
  it.each([
    ['kb', { kind: 'index' }],
    ['kb index', { kind: 'index' }],
    ['base sommaire', { kind: 'index' }],
    ['base index', { kind: 'index' }],
    ['kb article KB-1042', { kind: 'article', idOrSlug: '1042' }],
    ['kb article 17', { kind: 'article', idOrSlug: '17' }],
    ['kb article #17', { kind: 'article', idOrSlug: '17' }],
    ['kb article no-operator-directory', { kind: 'article', idOrSlug: 'no-operator-directory' }],
    ['base article KB-0977', { kind: 'article', idOrSlug: '0977' }],
    ['kb 12', { kind: 'article', idOrSlug: '12' }],
    ['kb KB-12', { kind: 'article', idOrSlug: '12' }],
    ['kb search printer offline', { kind: 'search', text: 'printer offline' }],
    ['kb find printer', { kind: 'search', text: 'printer' }],
    ['base recherche imprimante hors ligne', { kind: 'search', text: 'imprimante hors ligne' }],
    ['base chercher imprimante', { kind: 'search', text: 'imprimante' }],
    ['kb printer offline', { kind: 'search', text: 'printer offline' }],
  ])('"%s"', (subject, query) => {
    expect(parse(subject)).toEqual({ name: 'kb', query, source: 'subject' });
  });

  it('a malformed kb command gets help; a French sentence starting with "base" is no command', () => {
    expect(parse('kb article')).toMatchObject({ name: 'unknown' });
    expect(parse('kb index printers')).toMatchObject({ name: 'unknown' });
    expect(parse('Base de données inaccessible')).toBeNull();
  });
});

describe('the other verbs in both languages', () => {
  for (const language of COMMAND_LANGUAGES) {
    const verbs = VOCABULARY[language].verbs;
    it.each([...verbs.help, ...verbs.list, ...verbs.profile].map((w) => [w]))(`${language}: "%s" alone is a command`, (word) => {
      expect(parse(word)).not.toBeNull();
      expect(parse(word)?.name).not.toBe('unknown');
    });
    it.each(verbs.close.map((w) => [w]))(`${language}: "%s" closes`, (word) => {
      expect(parse('', word)).toMatchObject({ name: 'close' });
    });
    it.each(verbs.status.map((w) => [w]))(`${language}: "%s INC-000100" asks for the status`, (word) => {
      expect(parse(`${word} INC-000100`)).toMatchObject({ name: 'status', reference: 'INC-000100' });
    });
  }
});

describe("README's table of commands", () => {
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  const start = readme.indexOf('| command | also | answer |');
  const rows = readme.slice(start).split('\n\n')[0]?.split('\n').slice(2) ?? [];
  const forms = rows.flatMap((row) => (row.split(' | ')[0] ?? '').replace(/^\| /, '').replace(/\(in a reply\)/g, '').split(' / ').map((f) => f.trim().replace(/^`|`$/g, '')))
    .flatMap((form) => {
      const [head = '', ...alternatives] = form.split('\\|');
      const [verb = '', ...rest] = head.split(' ');
      return rest.length > 0 ? [head, ...alternatives.map((a) => `${verb} ${a}`)] : [head];
    });

  it('lists every verb of the vocabulary, in both languages', () => {
    expect(rows.length).toBeGreaterThanOrEqual(9);
    for (const language of COMMAND_LANGUAGES) {
      for (const words of Object.values(VOCABULARY[language].verbs)) expect(forms.some((f) => f.split(' ')[0] === words[0]), words[0]).toBe(true);
    }
  });

  it('every form it documents parses to a known command', () => {
    for (const form of forms) {
      const parsed = parseCustomerCommand(form, '', '', REF);
      const contactId = isContactIdRequest(form, '');
      expect(contactId || (parsed !== null && parsed.name !== 'unknown'), form).toBe(true);
    }
  });
});
