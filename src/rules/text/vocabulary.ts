/**
 * The words of the customer mail commands, per language: the one table the command parser
 * reads and every template's command suggestions are rendered from. A mail can then only
 * suggest a command the parser understands ("notify closure" once went out in every
 * confirmation while the parser knew only "closed").
 *
 * The first word of each list is the one mails suggest in that language; the others are
 * synonyms customers naturally write. The parser accepts the words of every language
 * (a French contact may answer with an English mail's command), compared without case
 * or accents ("cloture" is "clôture").
 */

export const COMMAND_LANGUAGES = ['en', 'fr'] as const;
export type CommandLanguage = (typeof COMMAND_LANGUAGES)[number];

/** The command verbs. `contact-id` is recognised by its own phrasing (commands.ts). */
export type CommandVerb = 'help' | 'list' | 'status' | 'close' | 'profile' | 'notify' | 'kb';
/** What `notify …` can ask for; several may be combined ("notify updates closure"). */
export type NotifyChoice = 'all' | 'updates' | 'escalations' | 'workarounds' | 'closure' | 'none';
/** What `kb …` can ask for. */
export type KbVerb = 'search' | 'article' | 'index';

export interface LanguageVocabulary {
  verbs: Readonly<Record<CommandVerb, readonly string[]>>;
  notify: Readonly<Record<NotifyChoice, readonly string[]>>;
  kb: Readonly<Record<KbVerb, readonly string[]>>;
  /** How the Contact ID request is suggested ("contact id"); the parser reads many phrasings. */
  contactId: string;
}

export const VOCABULARY: Readonly<Record<CommandLanguage, LanguageVocabulary>> = {
  en: {
    verbs: {
      help: ['help', 'commands', '?'],
      list: ['list'],
      status: ['status'],
      close: ['close'],
      profile: ['profile'],
      notify: ['notify'],
      kb: ['kb'],
    },
    notify: {
      all: ['all', 'everything'],
      updates: ['updates', 'updated', 'update'],
      escalations: ['escalations', 'escalated', 'escalation'],
      workarounds: ['workarounds', 'workaround'],
      closure: ['closure', 'closed', 'close', 'closing'],
      none: ['none', 'nothing', 'off'],
    },
    kb: { search: ['search', 'find'], article: ['article'], index: ['index', 'contents'] },
    contactId: 'contact id',
  },
  fr: {
    verbs: {
      help: ['aide', 'commandes'],
      list: ['liste'],
      status: ['statut', 'état'],
      close: ['fermer', 'clore', 'clôturer'],
      profile: ['profil'],
      notify: ['notifier'],
      kb: ['base'],
    },
    notify: {
      all: ['tout', 'tous', 'toutes'],
      updates: ['mises à jour', 'mise à jour', 'mis à jour', 'maj', 'modifié'],
      escalations: ['escalades', 'escalade', 'escaladé'],
      workarounds: ['contournements', 'contournement'],
      closure: ['clôture', 'fermeture', 'fermé', 'clos'],
      none: ['aucun', 'aucune', 'rien'],
    },
    kb: { search: ['recherche', 'rechercher', 'chercher'], article: ['article'], index: ['sommaire', 'index'] },
    contactId: 'identifiant de contact',
  },
};

/** Lower case, accents removed, runs of spaces as one: the form words are compared in. */
export function foldWord(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function reverse<K extends string>(pick: (v: LanguageVocabulary) => Readonly<Record<K, readonly string[]>>): ReadonlyMap<string, K> {
  const map = new Map<string, K>();
  for (const language of COMMAND_LANGUAGES) {
    const table = pick(VOCABULARY[language]);
    for (const key of Object.keys(table) as K[]) for (const word of table[key]) if (!map.has(foldWord(word))) map.set(foldWord(word), key);
  }
  return map;
}

/** Every language's words, folded, to what they mean. */
export const VERB_OF = reverse((v) => v.verbs);
export const NOTIFY_OF = reverse((v) => v.notify);
export const KB_VERB_OF = reverse((v) => v.kb);

/** The longest notify phrase, in words ("mises à jour" is three). */
export const LONGEST_NOTIFY_PHRASE = Math.max(...[...NOTIFY_OF.keys()].map((w) => w.split(' ').length));

/** A language of the table for a locale such as `fr-CA`; English otherwise. */
export function commandLanguage(locale: string | undefined): CommandLanguage {
  const language = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return COMMAND_LANGUAGES.find((l) => l === language) ?? 'en';
}

/** What a mail suggests, in structured form; `suggestCommand` writes it in a language. */
export type SuggestedCommand =
  | { verb: 'help' | 'list' | 'profile' | 'close' | 'contact-id' }
  | { verb: 'status'; reference: string }
  | { verb: 'notify'; choices: readonly NotifyChoice[] }
  | { verb: 'kb'; kb: 'index' }
  | { verb: 'kb'; kb: 'article'; id: string }
  | { verb: 'kb'; kb: 'search'; words: string };

const first = (words: readonly string[]): string => words[0] ?? '';

/** The exact text of a command as mails in `language` suggest it. */
export function suggestCommand(language: CommandLanguage, c: SuggestedCommand): string {
  const v = VOCABULARY[language];
  switch (c.verb) {
    case 'contact-id':
      return v.contactId;
    case 'help': case 'list': case 'profile': case 'close':
      return first(v.verbs[c.verb]);
    case 'status':
      return `${first(v.verbs.status)} ${c.reference}`;
    case 'notify':
      return [first(v.verbs.notify), ...c.choices.map((choice) => first(v.notify[choice]))].join(' ');
    case 'kb': {
      const kb = `${first(v.verbs.kb)} ${first(v.kb[c.kb])}`;
      if (c.kb === 'index') return kb;
      return `${kb} ${c.kb === 'article' ? c.id : c.words}`;
    }
  }
}
