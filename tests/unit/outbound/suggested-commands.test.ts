// Every command a mail suggests, in every template and locale, is one the parser knows and
// means what the mail says: rendered with the sample data, each suggested command is read
// back as the customer would send it (as a subject, and as the first line of a reply) and
// decided by the rules engine. A template that suggests "notify closure" while the parser
// knows only "closed" fails here.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/rules/decision.js';
import { decide } from '../../../src/rules/decide.js';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES, type Locale, type TemplateName } from '../../../src/outbound/templates/registry.js';
import { sampleData } from '../../../src/outbound/templates/samples.js';
import { VERB_OF, VOCABULARY, foldWord } from '../../../src/rules/text/vocabulary.js';
import { realRenderer } from '../../support/templates.js';
import { DOUG, MARTINE, OPEN_INC, buildFacts } from '../rules/facts-builder.js';

let renderer: Renderer;
beforeAll(async () => {
  renderer = await realRenderer();
});

/** The incident of the sample data, as the rules see it. */
const INCIDENT = { ...OPEN_INC, reference: 'INC-000123' };

const NOTIFY = ['notify:all', 'notify:updates', 'notify:closure', 'notify:none'];
const FOOTER = ['help', 'notify:all', 'notify:closure', 'notify:none'];
/** What each template suggests, in order, before its footer; a template not listed suggests nothing of its own. */
const SUGGESTS: Partial<Record<TemplateName, string[]>> = {
  'incident-created': [...NOTIFY, 'kb:article:1042', 'kb:article:0977'],
  'command-help': ['help', 'list', 'status:INC-000123', 'profile', 'contact-id', ...NOTIFY, 'kb:search', 'kb:article:1042', 'kb:index'],
  'command-list': ['status:INC-000123'],
  'command-refused': ['help'],
  'unknown-sender': ['contact-id'],
  'subscription-changed': NOTIFY,
  'kb-results': ['kb:article:1042', 'kb:article:0815'],
  'kb-index': ['kb:article:1042', 'kb:article:1101', 'kb:article:0702', 'kb:article:1099', 'kb:search'],
};

const decode = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function suggested(html: string): string[] {
  return [...html.matchAll(/<span class="cmd">([^<]*)<\/span>/g)].map((m) => decode(m[1] ?? ''));
}

/** A decision in the words of SUGGESTS, or why it is not a command. */
function meaning(d: Decision): string {
  if (d.kind === 'contact-id') return 'contact-id';
  if (d.kind !== 'command' || d.actor !== 'customer') return `not a command: ${JSON.stringify(d)}`;
  const c = d.command;
  switch (c.name) {
    case 'help': return c.unknown === null ? 'help' : `unknown "${c.unknown}"`;
    case 'status': return c.incidentId === INCIDENT.id ? 'status:INC-000123' : 'status:?';
    case 'notify': {
      const o = c.options;
      const on = [o.updated, o.escalated, o.workaround, o.closed];
      if (on.every(Boolean)) return 'notify:all';
      if (!on.some(Boolean)) return 'notify:none';
      if (o.closed && !o.updated && !o.escalated && !o.workaround) return 'notify:closure';
      return o.updated && !o.closed && !o.escalated && !o.workaround ? 'notify:updates' : `notify:${JSON.stringify(o)}`;
    }
    case 'kb': {
      const q = c.query;
      return q.kind === 'article' ? `kb:article:${q.idOrSlug}` : `kb:${q.kind}`;
    }
    case 'close': case 'list': case 'profile': return c.name;
  }
}

const senderOf = (locale: Locale) => (locale === 'fr' ? MARTINE : DOUG);

describe.each(LOCALES)('commands suggested in %s', (locale) => {
  it.each(TEMPLATE_NAMES)('%s: every suggested command means what the mail says', (name) => {
    const mail = renderer.render(name, locale, sampleData(name));
    const commands = suggested(mail.html);
    const sender = senderOf(locale);
    // As the first line of a reply to this mail, which threads onto the incident.
    const asReply = commands.map((text) => meaning(decide(buildFacts({ sender, subject: `Re: [${INCIDENT.reference}] ${mail.subject}`, text, thread: { messageIdIncident: INCIDENT, subjectIncident: INCIDENT } })).decision));
    expect(asReply).toEqual([...(SUGGESTS[name] ?? []), ...FOOTER]);
    // As the subject of a new mail, for those that need no incident.
    for (const [i, text] of commands.entries()) {
      if (asReply[i]?.startsWith('notify') === true) continue;
      const { decision } = decide(buildFacts({ sender, subject: text, thread: { subjectIncident: INCIDENT } }));
      expect(meaning(decision), text).toBe(asReply[i]);
    }
  });

  it.each(TEMPLATE_NAMES)('%s: the text part suggests the same commands, in the mail’s language', (name) => {
    const mail = renderer.render(name, locale, sampleData(name));
    const commands = suggested(mail.html);
    for (const c of commands) expect(mail.text, c).toContain(c);
    const own = VOCABULARY[locale];
    for (const c of commands) {
      const first = foldWord(c.split(' ')[0] ?? '');
      const canonical = Object.values(own.verbs).map((w) => foldWord(w[0] ?? ''));
      expect(canonical.includes(first) || c === own.contactId, `${c} in ${locale}`).toBe(true);
    }
    // Quoted commands and command lists in the text part are all among those suggested.
    const quoted = [...mail.text.matchAll(/"([^"\n]{1,80})"|« ([^»\n]{1,80}) »/g)].map((m) => m[1] ?? m[2] ?? '');
    const listed = mail.text.split('\n').filter((l) => /^ {2}\S/.test(l)).flatMap((l) => (l.split(' – ')[0] ?? '').split(', ').map((s) => s.trim()));
    // command-refused quotes back what the customer sent: that is no suggestion.
    const echoed = name === 'command-refused' ? sampleData('command-refused').command : null;
    for (const candidate of [...quoted, ...listed].filter((c) => c !== echoed)) {
      if (VERB_OF.has(foldWord(candidate.split(' ')[0] ?? ''))) expect(commands, `"${candidate}" in the text of ${name}`).toContain(candidate);
    }
  });
});
