import { describe, expect, it } from 'vitest';
import { safeFilename } from '../../../src/mail/attachment-name.js';

describe('safeFilename: attachment names never become paths', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Windows\\system32\\evil.dll', 'evil.dll'],
    ['.htaccess', 'htaccess'],
    ['...', 'attachment-3'],
    ['a\u0000b\r\nc.txt', 'abc.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['what?.txt', 'what_.txt'],
    ['CON.txt', '_CON.txt'],
    ['trailing. ', 'trailing'],
    ['', 'attachment-3'],
  ])('%j becomes %j', (name, expected) => {
    expect(safeFilename(name, 2)).toBe(expected);
  });

  it('falls back to attachment-N without a name', () => {
    expect(safeFilename(undefined, 0)).toBe('attachment-1');
  });

  it('caps the length but keeps the extension', () => {
    const name = safeFilename(`${'a'.repeat(500)}.pdf`, 0);
    expect(name.length).toBeLessThanOrEqual(180);
    expect(name.endsWith('.pdf')).toBe(true);
  });
});
