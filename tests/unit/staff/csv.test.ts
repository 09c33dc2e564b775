import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/platform/csv.js';

describe('parseCsv (RFC 4180)', () => {
  it('reads plain, quoted, escaped and multi-line fields with their starting line', () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",z\n\n3,,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
      { line: 3, fields: ['2', 'two\nlines', 'z'] },
      { line: 6, fields: ['3', '', ''] },
    ]);
  });

  it('ignores a byte-order mark and accepts a last record without a line break', () => {
    expect(parseCsv('\uFEFFh\nv')).toEqual([{ line: 1, fields: ['h'] }, { line: 2, fields: ['v'] }]);
  });

  it('flags a stray quote and an unterminated quote on their records', () => {
    const r = parseCsv('a,b\nx"y,1\n"open,2\n');
    expect(r[1]?.error).toMatch(/quote inside an unquoted field/);
    expect(r[2]?.line).toBe(3);
    expect(r[2]?.error).toMatch(/never closed/);
  });
});
