/**
 * A synthetic but realistic knowledge-base corpus for the search benchmark: support
 * articles for three products in English and French, built from product vocabulary,
 * shared support vocabulary and rare tokens (error codes, versions) with a Zipf-like
 * word frequency, so that common words match many articles and rare ones few, as in a
 * real knowledge base. Seeded, so every run measures the same data.
 */

/** Small fast seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from `words` with probability decreasing like 1/rank (Zipf). */
export function zipf(words: readonly string[], rand: () => number): string {
  const n = words.length;
  const i = Math.min(n - 1, Math.floor(Math.exp(rand() * Math.log(n + 1)) - 1));
  return words[i] ?? words[0] ?? '';
}

const w = (s: string) => s.trim().split(/\s+/);

export const PRODUCTS = [
  { code: 'QMS', name: 'Quality Management Suite', formerNames: ['Telrex'] },
  { code: 'CFC', name: 'Console for Cisco', formerNames: ['Arc'] },
  { code: 'EICC', name: 'EI Communications Center', formerNames: ['Zeacom'] },
] as const;

export const VOCAB = {
  en: {
    product: {
      QMS: w('recording recorder archive retention playback evaluation scorecard screen capture storage replication database publication subscription agent supervisor calibration encryption export transcript analytics'),
      CFC: w('console operator attendant directory transfer park queue extension presence CUCM JTAPI CTI route pattern hunt pilot voicemail camp-on recall busy lamp field speed dial'),
      EICC: w('contact center queue agent skill routing IVR callback wallboard dashboard email chat campaign dialer schedule outbound inbound workflow supervisor report Zeacom'),
    },
    nouns: w(`server service client license certificate password account user profile setting configuration log file folder
      registry permission firewall port network connection timeout error warning message update upgrade installation version
      patch backup restore disk memory CPU performance latency browser plugin driver Windows Linux SQL domain LDAP sync
      synchronisation proxy cluster node failover gateway trunk codec audio video call caller number menu button window
      screen alert notification email template language locale time zone calendar holiday schedule report export import`),
    verbs: w(`fails crashes hangs stops starts restarts freezes disconnects reconnects rejects drops loses shows hides returns
      blocks slows opens closes loads saves deletes renames moves copies replicates synchronises installs upgrades configures
      enables disables checks restarts resets grants denies expires renews`),
    adjectives: w(`empty slow blank missing wrong invalid expired locked full busy offline online unavailable duplicate
      corrupted intermittent random default external internal primary secondary remote local new old`),
    filler: w('the a an when after before during while with without on in at for to from of and or but if then because'),
  },
  fr: {
    product: {
      QMS: w('enregistrement enregistreur archive conservation lecture évaluation grille capture stockage réplication base publication abonnement agent superviseur chiffrement export'),
      CFC: w('console opérateur standardiste annuaire transfert parcage file poste présence renvoi interception messagerie rappel occupation numérotation'),
      EICC: w('centre contacts file agent compétence routage serveur vocal rappel tableau courriel campagne numéroteur planning sortant entrant superviseur rapport'),
    },
    nouns: w(`serveur service licence certificat mot passe compte utilisateur profil paramètre configuration journal fichier dossier
      registre droits pare-feu port réseau connexion délai erreur avertissement message mise jour installation version correctif
      sauvegarde restauration disque mémoire processeur performance navigateur pilote domaine synchronisation grappe passerelle
      appel appelant numéro menu bouton fenêtre écran alerte notification modèle langue fuseau horaire calendrier`),
    verbs: w(`échoue plante bloque arrête démarre redémarre fige déconnecte rejette perd affiche masque renvoie ralentit ouvre
      ferme charge enregistre supprime renomme déplace copie réplique synchronise installe configure active désactive vérifie
      transférer transfère accorde refuse expire renouvelle`),
    adjectives: w(`vide lent blanc manquant erroné invalide expiré verrouillé plein occupé indisponible dupliqué corrompu
      intermittent aléatoire externe interne principal secondaire distant local nouveau ancien`),
    filler: w("le la les un une des du de quand après avant pendant avec sans sur dans pour vers et ou mais si puis car l' d'"),
  },
} as const;

export type Lang = keyof typeof VOCAB;
export type ProductCode = (typeof PRODUCTS)[number]['code'];

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function sentence(lang: Lang, product: ProductCode, rand: () => number): string {
  const v = VOCAB[lang];
  const words: string[] = [];
  const len = 8 + Math.floor(rand() * 10);
  for (let i = 0; i < len; i += 1) {
    const r = rand();
    if (r < 0.3) words.push(zipf(v.filler, rand));
    else if (r < 0.5) words.push(zipf(v.product[product], rand));
    else if (r < 0.72) words.push(zipf(v.nouns, rand));
    else if (r < 0.87) words.push(zipf(v.verbs, rand));
    else if (r < 0.97) words.push(zipf(v.adjectives, rand));
    else words.push(rand() < 0.5 ? `0x8007${Math.floor(rand() * 65536).toString(16)}` : `v${1 + Math.floor(rand() * 12)}.${Math.floor(rand() * 10)}.${Math.floor(rand() * 40)}`);
  }
  return `${cap(words.join(' '))}.`;
}

export interface GeneratedArticle {
  slug: string;
  product: ProductCode;
  language: Lang;
  category: string;
  title: string;
  body: string;
  viewCount: number;
  publishedAt: Date | null;
}

export const CATEGORIES = ['Installation', 'Configuration', 'Troubleshooting', 'Licensing', 'Integration', 'Performance', 'Upgrade', 'Security'];

export function article(n: number, rand: () => number): GeneratedArticle {
  const product = PRODUCTS[n % 3]?.code ?? 'QMS';
  const language: Lang = rand() < 0.25 ? 'fr' : 'en';
  const v = VOCAB[language];
  const title = cap([zipf(v.product[product], rand), zipf(v.nouns, rand), zipf(v.verbs, rand), zipf(v.adjectives, rand), zipf(v.nouns, rand)]
    .slice(0, 3 + Math.floor(rand() * 3)).join(' '));
  const paragraphs = Array.from({ length: 2 + Math.floor(rand() * 3) }, () =>
    Array.from({ length: 2 + Math.floor(rand() * 4) }, () => sentence(language, product, rand)).join(' '));
  return {
    slug: `bench-${n}`,
    product,
    language,
    category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)] ?? 'Configuration',
    title,
    body: paragraphs.join('\n\n'),
    viewCount: Math.floor(rand() * rand() * 5000),
    publishedAt: rand() < 0.92 ? new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 6 * 365 * 86_400_000)) : null,
  };
}

/** A realistic search: one to three words, sometimes a phrase, in the article languages. */
export function query(rand: () => number): { text: string; products: ProductCode[] } {
  const language: Lang = rand() < 0.25 ? 'fr' : 'en';
  const v = VOCAB[language];
  const product = PRODUCTS[Math.floor(rand() * 3)]?.code ?? 'CFC';
  const pools = [v.product[product], v.nouns, v.verbs, v.adjectives];
  const count = 1 + Math.floor(rand() * 3);
  const words = Array.from({ length: count }, (_, i) => zipf(pools[i === 0 ? 0 : Math.floor(rand() * pools.length)] ?? v.nouns, rand));
  const text = count > 1 && rand() < 0.1 ? `"${words.join(' ')}"` : words.join(' ');
  const r = rand();
  const products: ProductCode[] = r < 0.6 ? [product] : r < 0.85 ? [product, product === 'QMS' ? 'CFC' : 'QMS'] : ['QMS', 'CFC', 'EICC'];
  return { text, products };
}
