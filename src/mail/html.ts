/**
 * Customer HTML is stored and later shown to agents, so it is sanitised once, here
 * (architecture invariant 7). A plain-text rendering is derived from it for html-only
 * mail, because quote stripping, rules and notifications work on text. The conversion
 * is a linear scan rather than a DOM build so a hostile 30 MB HTML body cannot stall us.
 */
import sanitizeHtml from 'sanitize-html';

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center', 'span'],
  allowedAttributes: {
    ...sanitizeHtml.defaults.allowedAttributes,
    img: ['src', 'alt', 'title', 'width', 'height'],
    '*': ['style', 'align', 'dir', 'lang', 'colspan', 'rowspan'],
  },
  // cid: keeps inline images pointing at their attachments (RFC 2392); no javascript:, no data:.
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['cid', 'http', 'https'] },
  allowProtocolRelative: false,
};

export function sanitizeMessageHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
  euro: '€', laquo: '«', raquo: '»', bull: '•', middot: '·', shy: '',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

const BLOCK_END = /<\/(?:p|div|h[1-6]|li|tr|table|blockquote|pre|ul|ol|section|article|header|footer)\s*>/gi;

/** Beyond this much HTML the text rendering is cut: nobody reads it, and time is bounded. */
const MAX_HTML = 4 * 1024 * 1024;
const INVISIBLE_BLOCKS: readonly (readonly [string, string])[] = [
  ['<!--', '-->'],
  ['<script', '</script>'],
  ['<style', '</style>'],
  ['<head>', '</head>'],
];

/** Removes open…close spans with indexOf (linear; a lazy regex is quadratic on unclosed tags). */
function removeBlocks(html: string, open: string, close: string): string {
  // ASCII-only lower-casing keeps indexes aligned (some letters change length when lower-cased).
  const lower = html.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  let out = '';
  let pos = 0;
  for (;;) {
    const start = lower.indexOf(open, pos);
    if (start === -1) return out + html.slice(pos);
    out += html.slice(pos, start);
    const end = lower.indexOf(close, start + open.length);
    if (end === -1) return out;
    pos = end + close.length;
  }
}

/**
 * Replaces each tag whose start matches `open` (global), up to the first `>` after it, as
 * `/<li\b[^>]*>/g` would, in linear time: that pattern is retried from every `<li` of a
 * text full of them, each try scanning to the end. Once a tag has no `>` after it, no
 * later one has.
 */
function replaceTags(text: string, open: RegExp, by: string): string {
  let out = '';
  let pos = 0;
  open.lastIndex = 0;
  for (let m = open.exec(text); m !== null; m = open.exec(text)) {
    const end = text.indexOf('>', m.index + m[0].length);
    if (end === -1) break;
    out += text.slice(pos, m.index) + by;
    pos = end + 1;
    open.lastIndex = pos;
  }
  return out + text.slice(pos);
}

/** Longest tag removed as markup; a longer `<…>` span is text. */
const MAX_TAG = 2000;

/**
 * Removes every `<…>` of at most MAX_TAG characters between the brackets, as
 * `/<[^>]{0,2000}>/g` would, in linear time: the next `>` is looked up once and reused by
 * every `<` before it, instead of scanning up to 2,000 characters from each `<`.
 */
function removeTags(text: string): string {
  let out = '';
  let pos = 0;
  let close = -1;
  for (let lt = text.indexOf('<'); lt !== -1; lt = text.indexOf('<', lt + 1)) {
    if (lt < pos) continue;
    if (close <= lt) close = text.indexOf('>', lt + 1);
    if (close === -1) break;
    if (close - lt - 1 > MAX_TAG) continue;
    out += text.slice(pos, lt);
    pos = close + 1;
    lt = close;
  }
  return out + text.slice(pos);
}

/** Prefixes blockquote content with "> " per level so quote stripping sees it as history. */
function quoteBlockquotes(text: string): string {
  let depth = 0;
  let out = '';
  for (const piece of text.split(/([\u0001\u0002])/)) {
    if (piece === '\u0001' || piece === '\u0002') {
      depth = piece === '\u0001' ? depth + 1 : Math.max(0, depth - 1);
      out += '\n';
      continue;
    }
    out += depth === 0 ? piece : piece.replace(/^(?=[^\n])/gm, '> '.repeat(depth));
  }
  return out;
}

/** A readable plain-text rendering of an HTML body: paragraphs, line breaks, quotes as `> `. */
export function htmlToText(html: string): string {
  let text = INVISIBLE_BLOCKS.reduce((acc, [open, close]) => removeBlocks(acc, open, close), html.slice(0, MAX_HTML))
    .replace(/[\u0001\u0002]/g, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(BLOCK_END, '\n');
  text = replaceTags(text, /<li\b/gi, '\n* ');
  text = replaceTags(text, /<(?:p|div|tr|h[1-6])\b/gi, '\n').replace(/<\/t[dh]\s*>/gi, '\t');
  text = replaceTags(text, /<blockquote\b/gi, '\u0001').replace(/<\/blockquote\s*>/gi, '\u0002');
  text = removeTags(text);
  text = quoteBlockquotes(decodeEntities(text).replace(/\r\n?/g, '\n'));
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
