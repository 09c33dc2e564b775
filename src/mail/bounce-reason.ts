/**
 * Why a delivery failed, and whether for good. The first digit of a reply code says little:
 * a full mailbox, a spam filter or a size limit answer 5xx as readily as an unknown user,
 * yet only a recipient or a domain that does not exist will never take mail. So the text
 * of the diagnostic decides first, then the RFC 3463 enhanced status code, then the class.
 * Hard: stop mailing at once. Soft: count it; the address is stopped only after several
 * (bounces.softLimit in bounces.softDays). Delay: a warning, nothing failed yet.
 */

export type BounceSeverity = 'hard' | 'soft' | 'delay';

export type BounceCause =
  | 'user-unknown' | 'no-domain' | 'mailbox-disabled'
  | 'mailbox-full' | 'too-large' | 'greylisted' | 'blocked' | 'policy' | 'temporary' | 'delayed' | 'other';

export interface FailureClass {
  severity: BounceSeverity;
  cause: BounceCause;
}

interface CauseRule {
  cause: BounceCause;
  pattern: RegExp;
}

/** Checked in order: an unknown user reported with 5.7.1 is still an unknown user. */
const TEXT_RULES: readonly CauseRule[] = [
  { cause: 'mailbox-full', pattern: /mailbox (?:is )?full|full mailbox|over ?quota|quota (?:exceeded|full)|quota usage exceeded|espacio en casilla|exceed(?:s|ed)? (?:the |his |her |its )?(?:storage |disk ?space )?quota|diskspace quota|insufficient (?:disk |storage )?(?:space|storage)|not enough (?:storage )?space|does not have enough space|storage space|mailbox size limit|postfach (?:ist )?voll|speicherplatz|boîte (?:aux lettres )?(?:est )?pleine|buz[oó]n (?:est[aá] )?lleno|casella (?:è )?piena|mailbox (?:is )?vol|caixa (?:postal )?(?:est[aá] )?(?:cheia|lotada)|容量/iu },
  { cause: 'too-large', pattern: /too (?:large|big)|message size|size limit|exceeds? (?:the )?(?:maximum|max)?\s*(?:message )?size|larger than (?:the )?(?:current )?(?:system )?limit|zu gro(?:ß|ss)|trop (?:volumineux|gros)|demasiado grande|troppo grande|te groot|muito grande/i },
  { cause: 'greylisted', pattern: /gr[ae]y-?list|try (?:again )?later|please retry|temporarily (?:deferred|rejected)/i },
  { cause: 'user-unknown', pattern: /user(?:name)? (?:is )?unknown|unknown (?:user|recipient|local ?part|mailbox|address)|no such (?:user|mailbox|recipient|address|account)|user (?:not found|does not exist|doesn[’']t exist)|recipient (?:not found|unknown|does not exist|invalid)|recipnotfound|(?:account|address|mailbox|user|recipient)(?: that you tried to reach)? (?:does not|doesn[’']t|did not) exist|nonexistent (?:user|mailbox|address)|non-existent|no mailbox (?:here )?by that name|mailbox (?:unavailable|not found|does not exist)|invalid (?:recipient|mailbox|address|user)|not a valid (?:mailbox|user|recipient)|address (?:unknown|not found|couldn[’']t be found|you entered couldn[’']t be found)|couldn[’']t be found|not listed in (?:public name|the (?:domino )?directory|domino directory)|doesn[’']t have an? [\w.-]+ account|unrouteable address|undeliverable address|not a registered (?:gateway )?user|benutzer unbekannt|unbekannter (?:benutzer|empfänger)|empfänger unbekannt|existiert nicht|utilisateur inconnu|destinataire inconnu|adresse inconnue|n[’']existe pas|usuario desconocido|destinatario desconocido|no existe|utente (?:sconosciuto|inesistente)|destinatario (?:sconosciuto|inesistente)|non esiste|onbekende (?:gebruiker|ontvanger)|bestaat niet|usu[áa]rio desconhecido|utilizador desconhecido|destinat[áa]rio desconhecido|n[ãa]o existe|宛先不明|存在しない/iu },
  { cause: 'no-domain', pattern: /host or domain name not found|domain (?:not found|does not exist|doesn[’']t exist|name not found)|no such domain|unrouteable (?:mail )?domain|name service error|host not found|no (?:mx|mail exchanger)|null mx|couldn[’']t find any host|nxdomain|domain .{0,40} does not accept mail|dominio (?:inesistente|no existe)|domaine inexistant/i },
  { cause: 'mailbox-disabled', pattern: /(?:account|mailbox|user) (?:is |has been )?(?:disabled|deactivated|inactive|suspended|closed|expired|locked|blocked by the (?:user|owner))|no longer (?:active|in use|available)|not accepting (?:any )?messages|casilla ha expirado|cuenta (?:desactivada|deshabilitada|suspendida|cancelada)|konto (?:deaktiviert|gesperrt|gelöscht)|compte (?:désactivé|suspendu|supprimé)|account (?:disattivato|sospeso)|conta (?:desativada|suspensa|cancelada)|account (?:opgeheven|gedeactiveerd)/i },
  { cause: 'blocked', pattern: /block(?:ed|list)|black-?list|dnsbl|\brbl\b|spam|\bube\b|content rejected|reputation|listed (?:at|on|in)|junk|virus|malware|abuse/i },
  { cause: 'policy', pattern: /polic(?:y|ies)|not (?:allowed|permitted|authori[sz]ed)|relay(?:ing)? (?:denied|not permitted|access denied)|access denied|authentication (?:required|failed)|\bspf\b|\bdmarc\b|\bdkim\b|not accepted here|sender (?:address )?rejected|rejected for|refused/i },
  { cause: 'temporary', pattern: /temporar(?:y|ily)|connection (?:timed out|refused|dropped|reset)|timed? ?out|could not initiate smtp conversation|temp_failure|loops back to myself|mail loop|too many hops|resources|service unavailable|try again/i },
];

/** RFC 3463 enhanced status codes (class.subject.detail), by subject and detail. */
function causeOfStatus(status: string): BounceCause | null {
  const m = /^([245])\.(\d{1,3})\.(\d{1,3})$/.exec(status.trim());
  if (m === null) return null;
  const [, klass, subject, detail] = m;
  const code = `${subject}.${detail}`;
  if (klass === '4') return 'temporary';
  if (code === '1.1' || code === '1.3' || code === '1.6' || code === '1.0') return 'user-unknown';
  if (code === '1.2' || code === '1.10' || code === '4.4') return 'no-domain';
  if (code === '2.1') return 'mailbox-disabled';
  if (code === '2.2') return 'mailbox-full';
  if (code === '2.3' || code === '3.4') return 'too-large';
  if (subject === '7') return code === '7.1' ? 'blocked' : 'policy';
  if (subject === '4' || subject === '3' || subject === '5') return 'temporary';
  return null;
}

const HARD: ReadonlySet<BounceCause> = new Set(['user-unknown', 'no-domain', 'mailbox-disabled']);

export function severityOf(cause: BounceCause): BounceSeverity {
  if (cause === 'delayed') return 'delay';
  return HARD.has(cause) ? 'hard' : 'soft';
}

/**
 * Classifies one failure from its diagnostic text and status (either may be empty).
 * `delayed` marks a notice that only warns (a DSN "Action: delayed", a "(Delay)" subject).
 */
export function classifyFailure(status: string | null, text: string, delayed = false): FailureClass {
  if (delayed || (status !== null && status.startsWith('4') && /\bdelay/i.test(text))) return { severity: 'delay', cause: 'delayed' };
  const byText = TEXT_RULES.find((r) => r.pattern.test(text))?.cause ?? null;
  const byStatus = status === null ? null : causeOfStatus(status);
  // A 4.x.x status is transient whatever the words: the server itself said "try again".
  const cause = status !== null && status.startsWith('4') ? (byText === 'mailbox-full' || byText === 'greylisted' ? byText : 'temporary') : (byText ?? byStatus ?? 'other');
  return { severity: severityOf(cause), cause };
}
