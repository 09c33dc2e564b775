/**
 * The evidence that a message is a delivery failure notice, as data, in the languages
 * mail systems write them (at least en, fr, de, es, it, nl, pt, ja). Most failures are not
 * RFC 3464 reports: Exim, qmail, Lotus Domino, old Exchange and webmail providers send prose
 * in the language of their installation. Some subjects only delivery systems write; others
 * a customer could write too ("Delivery problem with the scanner"), so those, like a body
 * phrase, make a bounce only together with a sender that is a delivery system. The logic
 * lives in screen-bounce.ts and does not change when these tables grow.
 */

/**
 * Subjects only delivery systems write, read after "[list] " tags: enough on their own.
 * Anchored at the start, so a customer's "Re: Undeliverable: …" question or "Fw: Returned
 * mail" forward is not one.
 */
export const BOUNCE_SUBJECTS: readonly RegExp[] = [
  /^undelivered mail returned to sender/i,
  /^delivery status notification \((?:failure|delay)\)/i,
  /^mail delivery failed/i,
  /^(?:undeliverable|undelivered|non ?deliverable)(?: mail| message)?\s*:/i,
  /^failure notice/i,
  /^returned mail\s*:/i,
  /^delivery (?:failure|failed|notification: delivery has failed)/i,
  /^mail system error - returned mail/i,
  /^warning: could not send message/i,
  /^message (?:not delivered|delivery failure)/i,
  /^mail delivery (?:system|subsystem)\b/i,
  /^(?:unzustellbar|nicht zustellbar)\s*:/i,
  /^non remis\s*:/i,
  /^non recapitabile\s*:/i,
  /^no se puede entregar\s*:/i,
  /^onbestelbaar\s*:/i,
  /^n[ãa]o (?:[ée] poss[íi]vel )?entreg(?:ue|ar)\s*:/i,
  /^(?:olevererbart|kan ikke leveres|ikke levert|kunne ikke leveres)\s*:/i,
  /^(?:配信不能|配信エラー|配送エラー|宛先不明)/u,
];

/**
 * Subjects delivery systems write but a person might too ("Delivery problem with the
 * scanner", "Returned mail from our office"): a bounce only from a delivery system or a
 * null sender, or with a failure notice in the text.
 */
export const BOUNCE_SUBJECTS_WEAK: readonly RegExp[] = [
  // en
  /^delivery status notification\b/i,
  /^mail delivery (?:warning|problem|error|failure)/i,
  /^(?:undeliverable|undelivered|non ?-?deliverable)(?: mail| message| e-?mail)?\b/i,
  /^returned mail\b/i,
  /^delivery (?:problem|delayed|notification|report|error)/i,
  /^mail system error/i,
  /^warning: message .{1,40} delayed/i,
  /^message (?:you sent blocked|undeliverable|could not be delivered|delayed)/i,
  /^(?:\*+\s*)?message you sent blocked/i,
  /^mail could not be delivered/i,
  /^delayed mail\b/i,
  /^your message (?:couldn[’']t|could not|wasn[’']t|was not) (?:be )?delivered/i,
  // fr
  /^notification d[’']état de (?:la )?(?:remise|distribution)/i,
  /^(?:message )?non (?:remis|distribuable|délivrable)\b/i,
  /^(?:échec|echec) (?:de (?:la )?)?(?:remise|distribution|livraison)/i,
  /^rapport de non-?remise/i,
  /^(?:erreur de distribution|courrier non (?:remis|délivrable|distribuable)|retour de courrier)/i,
  // de
  /^(?:unzustellbar|nicht zustellbar|unzustellbare (?:nachricht|e-?mail))\b/i,
  /^(?:zustellung fehlgeschlagen|fehler bei der zustellung|mail-?zustellfehler|rückläufer)/i,
  /^benachrichtigung zum (?:übermittlungsstatus|zustellstatus)/i,
  /^warnung: (?:zustellung )?verzögert/i,
  // es
  /^(?:no se puede entregar|no se pudo entregar|no entregado|no entregable|imposible entregar)\b/i,
  /^(?:error en la entrega|entrega fallida|falla en la entrega|fallo en la entrega|correo devuelto|mensaje no entregado)/i,
  /^notificaci[oó]n (?:de|del) estado de (?:la )?entrega/i,
  // it
  /^(?:non recapitabile|mancato recapito|impossibile recapitare|messaggio non (?:recapitato|consegnato))\b/i,
  /^(?:errore di (?:consegna|recapito)|consegna non riuscita|notifica (?:di|dello) stato (?:di|della) consegna)/i,
  // nl
  /^(?:onbestelbaar|niet bestelbaar|onbestelbaar bericht|niet afgeleverd|bezorging mislukt|fout bij (?:de )?bezorging)\b/i,
  /^(?:melding van de bezorgingsstatus|bericht niet bezorgd)/i,
  // pt
  /^(?:n[ãa]o [ée] poss[íi]vel entregar|n[ãa]o foi poss[íi]vel entregar|n[ãa]o entregue|mensagem n[ãa]o entregue)/i,
  /^(?:falha (?:na|de) entrega|erro (?:na|de) entrega|notifica[çc][ãa]o de (?:status|estado) de entrega|devolu[çc][ãa]o de correio)/i,
  // sv, da, no
  /^(?:olevererbart|kan ikke leveres|ikke levert|kunne ikke leveres|kunde inte levereras)\b/i,
  // ja
  /^(?:配信状態通知|配送状態通知|メール配送失敗|配信失敗|配送失敗|未配達|送信エラー)/u,
];

/** Words in a subject or a notice that say the failure is not final yet (a delay warning). */
export const DELAY_SIGNALS: readonly RegExp[] = [
  /\(delay\)|\bdelayed\b|\bdelay(?:ed)? notification|warning message only|will be retried|\bwarning:/i,
  /\bhas been delayed\b|still trying|not yet been delivered|mail delivery warning/i,
  /verzögert|retard(?:é|e)|ritardat|vertraagd|retrasad|atrasad|遅延/i,
];

/**
 * Phrases of delivery failure notices, in the languages of their installations. Anywhere in
 * the text part: the notice comes first and the returned message after it.
 */
export const BOUNCE_BODY_SIGNALS: readonly RegExp[] = [
  // en
  /could ?n[o’']t be delivered|was not delivered|has not been delivered|wasn[’']t delivered|not be delivered to/i,
  /delivery to the following recipients? (?:failed|has been delayed|was unsuccessful)/i,
  /(?:wasn[’']t|was not|were not) able to deliver|unable to deliver|failed to deliver|could not deliver/i,
  /following address(?:\(es\)|es)? failed|permanent (?:error|failure)|did not reach the following recipient/i,
  /delivery has failed to these recipients|this is the (?:mail system|postfix program|qmail-send program) at/i,
  /automatically generated delivery status notification|created automatically by mail delivery software/i,
  /returned to sender|undeliverable|delivery (?:status notification|failure)|message (?:could not|cannot) be delivered/i,
  /delivery of (?:your |this )?(?:e-?mail|message|mail) (?:to [^\n]{0,80} )?has failed/i,
  // fr
  /n[’']a pas (?:pu )?être (?:remis|distribué|livré|délivré)|impossible de (?:remettre|distribuer|livrer)|échec de la (?:remise|distribution)/i,
  // de
  /konnte nicht (?:zugestellt|übermittelt) werden|nicht zugestellt|unzustellbar|zustellung .{0,40}fehlgeschlagen/i,
  // es
  /no (?:se )?(?:pudo|ha podido|puede) (?:ser )?entregar|no (?:pudo ser|fue|ha sido) entregado|error al entregar/i,
  // it
  /non (?:è stato possibile|e' stato possibile) recapitare|non è stato recapitato|impossibile recapitare|non può essere recapitato|non recapitabile/i,
  // nl
  /kon niet worden (?:bezorgd|afgeleverd)|kan niet worden bezorgd|niet (?:bezorgd|afgeleverd)|onbestelbaar/i,
  // pt
  /n[ãa]o (?:pôde|pode) ser entregue|n[ãa]o foi poss[íi]vel entregar|n[ãa]o foi entregue/i,
  // ja
  /配信できませんでした|配送できませんでした|送信できませんでした|届きませんでした|宛先不明|配信されませんでした/u,
];

/** Local parts that only delivery systems send from (RFC 5321 §4.5.5, RFC 3834 §2). */
export const DAEMON_SENDER = /(?:^|[\s<"'(])(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster|mail-?delivery-?(?:system|subsystem))(?:@|>|\s|"|'|\)|$)/i;

/** Display names delivery systems sign with, e.g. Google's "Mail Delivery Subsystem". */
export const DAEMON_NAME = /^\s*"?(?:mail delivery (?:subsystem|system|service)|internet mail delivery|mail administrator|system administrator|mailer[- ]daemon|postmaster|delivery status notification|microsoft outlook|mail transport system)"?\s*</i;
