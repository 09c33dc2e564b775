import { describe, expect, it } from 'vitest';
import {
  findForeignTicketRefs,
  findIncidentReferences,
  parseMessageIdList,
  stripPrefixes,
} from '../../../src/mail/subject.js';

describe('stripPrefixes', () => {
  const replies: [string, string][] = [
    ['Re: Printer jammed', 'Re'],
    ['RE: Printer jammed', 'RE'],
    ['Re[3]: Printer jammed', 'Re[3]'],
    ['Re(2): Printer jammed', 'Re(2)'],
    ['AW: Printer jammed', 'AW'],
    ['SV: Printer jammed', 'SV'],
    ['VS: Printer jammed', 'VS'],
    ['Antw: Printer jammed', 'Antw'],
    ['Odp: Printer jammed', 'Odp'],
    ['YNT: Printer jammed', 'YNT'],
    ['Réf : Printer jammed', 'Réf'],
    ['回复: Printer jammed', '回复'],
    ['答复：Printer jammed', '答复'],
    ['回覆: Printer jammed', '回覆'],
    ['RE : Printer jammed', 'RE'],
  ];
  it.each(replies)('"%s" is a reply to "Printer jammed"', (subject, prefix) => {
    expect(stripPrefixes(subject)).toEqual({ base: 'Printer jammed', prefixes: [prefix], isForward: false });
  });

  it.each(['Fwd', 'FW', 'WG', 'TR', 'RV', 'Fw'])('"%s:" is a forward, not a reply', (prefix) => {
    expect(stripPrefixes(`${prefix}: Printer jammed`)).toEqual({ base: 'Printer jammed', prefixes: [prefix], isForward: true });
  });

  it('strips a whole chain with banners; the first prefix decides', () => {
    expect(stripPrefixes('AW: Re: [EXTERNAL] SV: Fwd: Printer jammed')).toEqual({
      base: 'Printer jammed',
      prefixes: ['AW', 'Re', '[EXTERNAL]', 'SV', 'Fwd'],
      isForward: false,
    });
    expect(stripPrefixes('[EXT] Fwd: Re: Printer jammed').isForward).toBe(true);
  });

  it.each(['[EXTERNAL] Printer jammed', '[EXT] Printer jammed', '*EXTERNAL* Printer jammed'])(
    'a security banner alone is neither reply nor forward: %s',
    (subject) => {
      const result = stripPrefixes(subject);
      expect(result.base).toBe('Printer jammed');
      expect(result.isForward).toBe(false);
      expect(result.prefixes).toHaveLength(1);
    },
  );

  it.each(['Rechnung: März', 'Reboot needed', 'Trouble: login', 'Fwdx: test', 'Regarding invoice'])(
    'a word that merely starts like a prefix is kept: %s',
    (subject) => {
      expect(stripPrefixes(subject)).toEqual({ base: subject, prefixes: [], isForward: false });
    },
  );
});

describe('findIncidentReferences', () => {
  const ours = /INC-\d{6}/i;
  it.each([
    ['Re: [INC-000123] Printer jammed', ['INC-000123']],
    ['Re: Printer jammed INC-000123', ['INC-000123']],
    ['INC-000123 and [INC-000456] and INC-000123 again', ['INC-000123', 'INC-000456']],
    ['XINC-000123 or INC-0001234 are not ours', []],
    ['nothing here', []],
  ])('finds our references in "%s"', (subject, expected) => {
    expect(findIncidentReferences(subject, ours)).toEqual(expected);
  });
});

describe('findForeignTicketRefs', () => {
  it.each([
    ['Re: [Ticket#2024010112345] Printer', ['[Ticket#2024010112345]']],
    ['Re: [#12345] Printer', ['[#12345]']],
    ['[ABC-123] Printer', ['[ABC-123]']],
    ['Case 00123456: printer', ['Case 00123456']],
    ['[INC-000123] [ABC-9] Printer', ['[ABC-9]']],
  ])('keeps other help desks’ tags verbatim in "%s"', (subject, expected) => {
    expect(findForeignTicketRefs(subject, /INC-\d{6}/)).toEqual(expected);
  });

  it('finds nothing in a plain subject', () => {
    expect(findForeignTicketRefs('Printer is jammed on floor 3')).toEqual([]);
  });
});

describe('parseMessageIdList', () => {
  it.each([
    ['<a@x> <b@y>', ['a@x', 'b@y']],
    ['<a@x>,\t<b@y>  <a@x>', ['a@x', 'b@y']],
    ['a@x b@y', ['a@x', 'b@y']],
    ['', []],
    ['garbage without ids', []],
  ])('parses "%s"', (header, expected) => {
    expect(parseMessageIdList(header)).toEqual(expected);
  });

  it('keeps the root and the newest ids of an absurdly long References field', () => {
    const header = Array.from({ length: 500 }, (_, i) => `<m${i}@x>`).join(' ');
    const ids = parseMessageIdList(header);
    expect(ids).toHaveLength(100);
    expect(ids[0]).toBe('m0@x');
    expect(ids.at(-1)).toBe('m499@x');
  });
});
