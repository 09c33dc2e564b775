/**
 * How mail clients mark quoted history and signatures, as data. Every client and
 * language words its "On … wrote:" line differently; agents reading an incident should
 * see what the customer wrote, not the fifth copy of our last notification. New client
 * styles are added here, the scanner in quotes.ts stays the same.
 */

/** Words that end an attribution line ("… wrote:"), by language. */
const WROTE = [
  'wrote', 'writes', 'schrieb', 'schrieben', 'a écrit', 'a ecrit', 'escribió', 'escribio', 'ha scritto',
  'escreveu', 'schreef', 'skrev', 'skrev følgende', 'kirjoitti', 'napisał', 'napisała', 'napisal',
  'написал', 'написала', 'написав', 'пишет', 'пише', 'pisze', 'yazdı', 'írta', 'napsal', 'napsala', 'έγραψε', 'כתב', 'كتب', '写道', '寫道', 'のメッセージ', '작성',
];
const wroteAlternation = WROTE.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/**
 * Attribution lines ("On <date>, <name> wrote:"), tried on one line or two or three joined.
 * Those that start with a fixed leading word fail fast on any other line.
 */
export const LEADING_WORD_ATTRIBUTION_PATTERNS: readonly RegExp[] = [
  // "On …, X wrote:" and its translations: a leading word, then "wrote" near the end. What
  // follows "wrote" is read once, as far as it goes (`(?=(…))\1` does not backtrack): every
  // shorter reading fails as well, and trying them all cost 60 × the spaces after each "wrote".
  new RegExp(
    `^(?:on|le|am|el|il|em|op|den|d\\.|w dniu|dnia|в|på|el día|tanggal)\\b.{0,250}?(?:${wroteAlternation})(?!\\p{L})(?=([^:：\\n]{0,60}))\\1[:：]?\\s*$`,
    'iu',
  ),
];

/**
 * Attributions that end in a colon. They backtrack over every split of the line, so they
 * only run on lines that end in a colon (ATTRIBUTION_COLON_END): tried on every line of a
 * long body they cost about 2 s per MB of text, outside any time budget.
 */
export const COLON_ENDED_ATTRIBUTION_PATTERNS: readonly RegExp[] = [
  // "X <x@y> wrote:" / "2016-03-03 13:00 GMT+01:00 X <x@y>:" (Gmail date-first style).
  new RegExp(`^.{0,250}?(?:${wroteAlternation})(?:\\(\\p{L}{1,3}\\))?\\s*[:：]\\s*$`, 'iu'),
  // A date or time, then the author's address, then a colon: Gmail's date-first style and
  // the Russian, Finnish and mobile variants ("ср, 30 апр. 2025 г. в 15:19, X <x@y>:").
  // The address is read up to its first `@` (after its first character) so that a run of `@`
  // cannot be split between the two halves in every way.
  /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b.{0,200}<[^<>\s][^<>\s@]*@[^<>\s]+>\s*[:：]\s*$/u,
  /^.{0,120}\d{1,2}[:.]\d{2}\b.{0,150}<[^<>\s][^<>\s@]*@[^<>\s]+>\s*[:：]\s*$/u,
  // Date first, then "wrote", then the author's address (Norwegian Gmail: "tir. 18. apr. 2017
  // kl. 13:09 skrev X <x@y>:"); the address keeps an ordinary sentence from matching.
  // Each `.{0,n}` before a digit, an "@" or a colon was tried at every length under every
  // other (120 × 150 × 100 × 100 on a crafted line). Read once instead (`(?=(…))\1` does not
  // backtrack) and still equivalent: "wrote" may start within 150 characters of the first or of
  // the last digit among the first 121 (the two ranges meet), and the last "@" within 100
  // characters of "wrote" is the one closest to the final colon.
  new RegExp(
    `^(?:(?=([^\\d\\n\\r\\u2028\\u2029]{0,120}\\d))\\1|(?=(.{0,120}\\d))\\2).{0,150}(?:${wroteAlternation})(?!\\p{L})` +
      `(?=(.{0,100}@))\\3.{0,100}[:：]\\s*$`,
    'iu',
  ),
];

/**
 * "Max Mustermann <max@example.de> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:": name and
 * address first, then "wrote" (after a short word, as Hungarian "ezt írta") and the date. Its own constant so
 * each part stays bounded and no two quantifiers can trade characters.
 */
const ADDRESS_THEN_WROTE_THEN_DATE = new RegExp(
  `^[^<>\\n]{0,120}<[^<>\\s@]{1,100}@[^<>\\s@]{1,100}>,?[^\\S\\n]{0,5}(?:\\p{L}{1,12}[^\\S\\n]{1,3})?(?:${wroteAlternation})(?!\\p{L})[^\\n\\d]{0,60}\\d[^\\n]{0,120}[:：]$`,
  'iu',
);

/** Attributions that open with the author's address; tried, like the others, on colon-ended lines only. */
export const ADDRESS_FIRST_ATTRIBUTION_PATTERNS: readonly RegExp[] = [ADDRESS_THEN_WROTE_THEN_DATE];

/**
 * A line that ends a sentence: it does not continue onto an attribution below it. Bounded
 * look-back, so a long line costs no more than a short one.
 */
export const SENTENCE_END = /[.!?][)"'’»]?[^\S\n]{0,20}$/u;

/**
 * Lines that open a forwarded mail (Gmail, Apple Mail, Outlook, Thunderbird in their
 * languages). With no text of the sender's own above it, the forwarded mail is the content.
 */
export const FORWARD_MARKERS = new RegExp(
  '^[^\\S\\n]{0,20}(?:[-=_*]{2,40}[^\\S\\n]{0,5})?(?:begin forwarded message|forwarded message|weitergeleitete nachricht|' +
    'message transféré|message transfere|mensaje reenviado|messaggio inoltrato|mensagem encaminhada|' +
    'doorgestuurd bericht|videresendt meddelelse|videresendt melding|vidarebefordrat meddelande|' +
    'välitetty viesti|przekazana wiadomość|пересылаемое сообщение|přeposlaná zpráva|továbbított üzenet|' +
    '转发的邮件|轉寄的郵件|転送されたメッセージ)(?:[^\\S\\n]{0,5}[-=_*:：]{1,40})?[^\\S\\n]{0,20}$',
  'iu',
);

export const ATTRIBUTION_COLON_END = /[:：]\s*$/u;

export const ATTRIBUTION_PATTERNS: readonly RegExp[] = [
  ...LEADING_WORD_ATTRIBUTION_PATTERNS,
  ...COLON_ENDED_ATTRIBUTION_PATTERNS,
  ...ADDRESS_FIRST_ATTRIBUTION_PATTERNS,
];

/**
 * Attribution wrapped in dashes, as Zoho writes it: "---- On …, x@y wrote ----". The leading
 * dashes are read to their end (`(?!-)`): split between `-{2,}` and `.{0,250}` in every way, a
 * line of dashes cost 250 tries per dash.
 */
export const DASHED_ATTRIBUTION = new RegExp(`^\\s*-{2,}(?!-).{0,250}(?:${wroteAlternation})\\s*-{2,}\\s*$`, 'iu');

const PHRASE_LETTER = "[\\p{L}'’]";

/** Lines that open a quoted original in Outlook, Lotus, Yahoo, Thunderbird and friends. */
export const ORIGINAL_MESSAGE_SEPARATORS: readonly RegExp[] = [
  new RegExp(
    '^\\s*[-=_*]{2,}\\s*(?:original message|ursprüngliche nachricht|original nachricht|message d\'origine|' +
      'mensaje original|messaggio originale|mensagem original|oorspronkelijk bericht|originalmeddelande|' +
      'oprindelig meddelelse|opprinnelig melding|alkuperäinen viesti|wiadomość oryginalna|' +
      'исходное сообщение|původní zpráva|eredeti üzenet|orijinal ileti|原始邮件|原始郵件)\\s*[-=_*]{2,}\\s*$',
    'iu',
  ),
  /^\s*_{20,}\s*$/u,
  // Any other "-------- <phrase> --------" line (Danish "Oprindelig besked", forwards): a phrase
  // of 3 to 40 letters and spaces. The phrase is read from its first to its last letter, padded
  // with at most two spaces, or is three spaces, so that the whitespace around it is read one way
  // only (a `\s*` on each side of a class holding the space backtracks quadratically).
  new RegExp(
    `^\\s*-{4,}(?:(?=\\s*? {3})\\s*|\\s*(?:${PHRASE_LETTER}[\\p{L}'’ ]{1,38}${PHRASE_LETTER}|` +
      ` {2}${PHRASE_LETTER}| ${PHRASE_LETTER} |${PHRASE_LETTER} {2}| ${PHRASE_LETTER}{2}|${PHRASE_LETTER}{2} )\\s*)-{4,}\\s*$`,
    'u',
  ),
];

/** Lines that may sit just above a quoted header block and belong to it (`====`, `Message du : …`). */
export const HEADER_BLOCK_LEAD = /^\s*(?:[=_\-*~]{3,}\s*|message du\s*:.*(?:[\n\r\u2028\u2029]\s*)?)$/iu;

/** Header labels of an Outlook-style quoted block, by language. */
const FROM_LABELS = [
  'from', 'de', 'von', 'da', 'fra', 'från', 'van', 'od', 'lähettäjä', 'feladó', 'от', 'kimden', 'afzender',
  'expéditeur', 'remitente', 'mittente', '发件人', '寄件者', '差出人', 'αποστολέας',
];
const HEADER_LABELS = [
  'sent', 'date', 'to', 'cc', 'subject', 'envoyé', 'date d\'envoi', 'à', 'objet', 'gesendet', 'datum', 'an',
  'betreff', 'inviato', 'data', 'a', 'oggetto', 'sendt', 'til', 'emne', 'enviado', 'enviada', 'fecha', 'para',
  'asunto', 'assunto', 'verzonden', 'aan', 'onderwerp', 'skickat', 'till', 'ämne', 'lähetetty',
  'vastaanottaja', 'aihe', 'wysłano', 'wysłane', 'do', 'temat', 'отправлено', 'дата', 'кому', 'тема',
  'gönderildi', 'kime', 'konu', 'odesláno', 'komu', 'předmět', 'elküldve', 'címzett', 'tárgy',
  '发送时间', '收件人', '主题', '日付', '宛先', '件名',
];
const labels = (list: readonly string[]): string => list.map((w) => w.replace(/'/g, "['’]")).join('|');

/** `From: …` (optionally bold `*From:*` as Gmail renders Outlook's HTML). */
// The optional star carries the spaces after it, so a run of spaces is read one way only.
export const HEADER_BLOCK_START = new RegExp(`^\\s*(?:\\*\\s*)?(?:${labels(FROM_LABELS)})\\s*[:：]\\s*(?:\\*\\s*)?\\S`, 'iu');
export const HEADER_BLOCK_FIELD = new RegExp(`^\\s*(?:\\*\\s*)?(?:${labels(HEADER_LABELS)})\\s*[:：]`, 'iu');
/** How many lines after `From:` may hold the other fields (names wrapped onto a second line). */
export const HEADER_BLOCK_WINDOW = 4;

/** Quoted lines: `>` (RFC 3676 §4.5) and the `|` some old clients use. */
export const QUOTED_LINE = /^\s*(?:>|\|\s)/u;

/** Signature delimiters: RFC 3676 §4.3 `-- ` (often sent without its trailing space). */
export const SIGNATURE_DELIMITERS: readonly RegExp[] = [/^--\s*$/u, /^__\s*$/u];

/** Mobile and webmail footers, which begin the signature. */
/** Closing salutations; followed by a few short lines only, they open the signature. */
export const CLOSING_SALUTATION = new RegExp(
  '^\\s*(?:(?:(?:best|kind|warm|warmest|many)\\s*)?regards|best(?: wishes)?|cheers|thanks(?: again)?|thank you|many thanks|' +
    'sincerely|yours sincerely|yours truly|mit freundlichen grüßen|mit freundlichen grüssen|viele grüße|' +
    'beste grüße|liebe grüße|gruß|grüße|cordialement|bien cordialement|salutations|saludos|un saludo|' +
    'atentamente|cordiali saluti|saluti|distinti saluti|met vriendelijke groet|groeten|med vennlig hilsen|' +
    'med venlig hilsen|hilsen|vänliga hälsningar|mvh|ystävällisin terveisin|terveisin|pozdrawiam|' +
    'с уважением|atenciosamente|abraços)[\\s,.!]*$',
  'iu',
);
/** At most this many non-empty lines may follow a salutation for it to count as a signature. */
export const SALUTATION_TAIL_LINES = 5;

export const SIGNATURE_FOOTERS: readonly RegExp[] = [
  // No comma or semicolon: "Sent from my desk, is much easier…" is a sentence, not a footer.
  /^\s*sent (?:from|via|with|using) (?:my |the )?[^\s,;][^,;]{0,60}$/iu,
  /^\s*get outlook for \S.{0,40}$/iu,
  /^\s*(?:von meinem|gesendet von|gesendet mit der) \S.{0,50}$/iu,
  /^\s*(?:envoyé de mon|envoyé depuis mon|envoyé à partir de) \S.{0,50}$/iu,
  /^\s*(?:enviado desde mi|enviado do meu|enviado de meu|enviado de mi) \S.{0,50}$/iu,
  /^\s*(?:inviato da(?:l mio)?) \S.{0,50}$/iu,
  /^\s*(?:verzonden (?:vanaf|met) (?:mijn )?)\S.{0,50}$/iu,
  /^\s*(?:sendt fra min|skickat från min|lähetetty) \S.{0,50}$/iu,
  /^\s*(?:wysłane z|отправлено с(?: моего)?) \S.{0,50}$/iu,
];
