import { describe, expect, it } from 'vitest';
import { MboxSplitter, linesOf, splitMbox, unescapeFromLine } from '../../../src/inbound/files/mbox.js';

async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function split(text: string, chunkSize = 1 << 16): Promise<string[]> {
  const out: string[] = [];
  for await (const message of splitMbox(chunked(text, chunkSize))) out.push(message.toString('latin1'));
  return out;
}

const MBOX =
  'From alice@example.com Sat Nov 21 10:00:00 2026\n' +
  'Subject: one\n' +
  '\n' +
  '>From the start, quoted by the writer of the mbox.\n' +
  '>>From here it was quoted twice.\n' +
  'From inside a paragraph is not a separator\n' +
  '\n' +
  'From bob@example.com Sat Nov 21 11:00:00 2026\n' +
  'Subject: two\n' +
  '\n' +
  'Body two\n' +
  '\n';

describe('splitMbox', () => {
  it('splits on "From " lines after a blank line and unescapes >From', async () => {
    expect(await split(MBOX)).toEqual([
      'Subject: one\n' +
        '\n' +
        'From the start, quoted by the writer of the mbox.\n' +
        '>From here it was quoted twice.\n' +
        'From inside a paragraph is not a separator\n',
      'Subject: two\n\nBody two\n',
    ]);
  });

  it('gives the same messages whatever the chunk boundaries', async () => {
    const expected = await split(MBOX);
    for (const size of [1, 2, 3, 5, 7, 13, 64]) expect(await split(MBOX, size)).toEqual(expected);
  });

  it('keeps CRLF line endings and 8-bit bytes untouched', async () => {
    const text = 'From x Sat Nov 21 10:00:00 2026\r\nSubject: \xe4\r\n\r\nBody \xff\r\n\r\n';
    expect(await split(text, 3)).toEqual(['Subject: \xe4\r\n\r\nBody \xff\r\n']);
  });

  it('keeps a last message without a trailing newline', async () => {
    expect(await split('From x\nSubject: a\n\nend')).toEqual(['Subject: a\n\nend']);
  });

  it('yields nothing for an empty file or one with only separators', async () => {
    expect(await split('')).toEqual([]);
    expect(await split('From x\n\nFrom y\n')).toEqual([]);
  });

  it('does not lose text that precedes the first separator', async () => {
    expect(await split('Subject: stray\n\nbody\n\nFrom x\nSubject: b\n\nb\n')).toEqual([
      'Subject: stray\n\nbody\n',
      'Subject: b\n\nb\n',
    ]);
  });
});

describe('unescapeFromLine', () => {
  it('removes exactly one quote level from From lines only', () => {
    const un = (s: string): string => unescapeFromLine(Buffer.from(s)).toString();
    expect(un('>From a')).toBe('From a');
    expect(un('>>>From a')).toBe('>>From a');
    expect(un('> From a')).toBe('> From a');
    expect(un('>Fromage')).toBe('>Fromage');
    expect(un('plain')).toBe('plain');
  });
});

describe('MboxSplitter', () => {
  it('needs a blank line before a separator, except at the very start', () => {
    const splitter = new MboxSplitter();
    expect(splitter.push(Buffer.from('From a\n'))).toBeNull();
    expect(splitter.push(Buffer.from('X: 1\n'))).toBeNull();
    expect(splitter.push(Buffer.from('From not-a-separator\n'))).toBeNull();
    expect(splitter.push(Buffer.from('\n'))).toBeNull();
    expect(splitter.push(Buffer.from('From b\n'))?.toString()).toBe('X: 1\nFrom not-a-separator\n');
    expect(splitter.finish()).toBeNull();
  });
});

describe('linesOf', () => {
  it('reassembles lines split across chunks', async () => {
    const lines: string[] = [];
    for await (const line of linesOf(chunked('ab\ncd\r\nef', 1))) lines.push(line.toString());
    expect(lines).toEqual(['ab\n', 'cd\r\n', 'ef']);
  });
});
