/**
 * Splits an mbox stream into messages without holding more than one message in memory, so a
 * multi-gigabyte export can be replayed. Both common variants are read: a line starting with
 * "From " after a blank line (or at the very start) begins a message, and the quoting of body
 * lines is undone the mboxrd way (">From " → "From ", ">>From " → ">From "), which is also
 * right for the mboxo lines that matter (RFC 4155 describes the family).
 */

const LF = 0x0a;
const FROM = Buffer.from('From ');

/** Turns chunks into lines, each with its line ending; the last line may lack one. */
export async function* linesOf(chunks: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const buffer = rest.length > 0 ? Buffer.concat([rest, chunk]) : Buffer.from(chunk);
    let start = 0;
    for (let newline = buffer.indexOf(LF, start); newline !== -1; newline = buffer.indexOf(LF, start)) {
      yield buffer.subarray(start, newline + 1);
      start = newline + 1;
    }
    rest = buffer.subarray(start);
  }
  if (rest.length > 0) yield rest;
}

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === 0x0d && line[1] === LF);
}

function startsWithFrom(line: Buffer, offset = 0): boolean {
  return line.length >= offset + FROM.length && line.subarray(offset, offset + FROM.length).equals(FROM);
}

/** ">From ", ">>From " … lose one ">"; every other line is kept as it is. */
export function unescapeFromLine(line: Buffer): Buffer {
  let quotes = 0;
  while (quotes < line.length && line[quotes] === 0x3e) quotes++;
  return quotes > 0 && startsWithFrom(line, quotes) ? line.subarray(1) : line;
}

/** Line-by-line state machine; pure, so the splitting rules are testable without files. */
export class MboxSplitter {
  private lines: Buffer[] | null = null;
  private previousBlank = true;

  /** Feeds one line (with its ending); returns the previous message when this line starts a new one. */
  push(line: Buffer): Buffer | null {
    const separator = this.previousBlank && startsWithFrom(line);
    this.previousBlank = isBlank(line);
    if (separator) {
      const done = this.finish();
      this.lines = [];
      return done;
    }
    // Text before the first separator is not valid mbox, but it is kept rather than lost.
    this.lines ??= [];
    this.lines.push(unescapeFromLine(line));
    return null;
  }

  /** Ends the current message: the blank line written before each separator is not part of it. */
  finish(): Buffer | null {
    const lines = this.lines;
    this.lines = null;
    if (!lines) return null;
    const last = lines[lines.length - 1];
    if (last && isBlank(last)) lines.pop();
    if (lines.every(isBlank)) return null;
    return Buffer.concat(lines);
  }
}

export async function* splitMbox(chunks: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
  const splitter = new MboxSplitter();
  for await (const line of linesOf(chunks)) {
    const message = splitter.push(line);
    if (message) yield message;
  }
  const last = splitter.finish();
  if (last) yield last;
}
