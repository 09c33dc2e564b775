// Portal field lines are read as fields with their values, and removed from the text the
// keyword policies read: `Outage: no` is an answer, not the word "outage".
import { describe, expect, it } from 'vitest';
import { keywordHint, parsePortalFields, withoutFieldLines } from '../../../src/rules/text/fields.js';

const HIGH = { high: ['outage', 'panne', 'urgent'] };

describe('portal fields', () => {
  it.each([
    ['Outage: yes', true], ['Outage: no', false], ['outage : Yes, since 9:00', true], ['**Outage:** no', false],
    ['Panne : oui', true], ['Panne : non', false], ['Panne: Oui, depuis ce matin', true], ['Panne：non', false],
  ])('"%s" is outage %s', (line, outage) => {
    expect(parsePortalFields(`Product: Arc\n${line}\nVersion: 7.1\n\nIt fails.`)).toEqual({ product: 'Arc', version: '7.1', outage });
  });

  it.each(['Outage: no', 'Outage: yes', 'Panne : non', 'Panne : oui'])('"%s" is no keyword hit for the policies', (line) => {
    const text = `The console does not start.\n${line}\nVersion: 7.1`;
    expect(keywordHint(withoutFieldLines(text), HIGH)).toBeNull();
    expect(withoutFieldLines(text)).toBe('The console does not start.');
  });

  it('keywords in the free text still count, and lines that are no field stay', () => {
    expect(keywordHint(withoutFieldLines('Outage: no\nBut it is urgent.'), HIGH)).toBe('high');
    expect(withoutFieldLines('Note: the outage began at 9:00')).toBe('Note: the outage began at 9:00');
  });
});
