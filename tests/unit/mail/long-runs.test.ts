/**
 * Regression: a bounce whose first body line held "A message that", 77,000 spaces and "you
 * sent could not be delivered" froze the process for more than 30 s (the portal-field
 * pattern `^\s*\*?\s*(…)\s*\*?\s*[:：]…` read the spaces in every split); 5,000 spaces took
 * 0.65 s, 20,000 took 7.7 s. Every text stage must read long runs of whitespace, of one
 * character and of repeated tokens in time proportional to their length. These tests time
 * nothing: each stage reads 50,000-character runs of every kind, which takes milliseconds
 * when linear and minutes when quadratic, so a quadratic stage exceeds the test's timeout.
 */
import { describe, expect, it } from 'vitest';
import { RUN_PLACES, RUN_TAILS, RUN_UNITS, run, runMessage } from '../../../scripts/fuzz/runs.js';
import { referencePattern } from '../../../src/domain/incidents/reference.js';
import { significantWords, slugify, usesSearchOperators } from '../../../src/domain/kb/text.js';
import { isOneClickBody } from '../../../src/http/unsubscribe.js';
import { senderKey } from '../../../src/inbound/imap/batch.js';
import { safeFilename } from '../../../src/mail/attachment-name.js';
import { originalMessageIdFrom, parseDeliveryStatus } from '../../../src/mail/delivery-status.js';
import { htmlToText } from '../../../src/mail/html.js';
import { parseMessage } from '../../../src/mail/parse.js';
import { stripQuoted } from '../../../src/mail/quotes.js';
import { parseReplyAddress } from '../../../src/mail/reply-address.js';
import { screenMessage } from '../../../src/mail/screen.js';
import { findForeignTicketRefs, findIncidentReferences, parseMessageIdList, stripPrefixes } from '../../../src/mail/subject.js';
import type { ParsedMessage } from '../../../src/mail/types.js';
import { tidyText } from '../../../src/outbound/render.js';
import { toHeaderValue } from '../../../src/outbound/sanitize.js';
import { interpret } from '../../../src/rules/interpret.js';
import { evaluateSenderAuth } from '../../../src/rules/sender-auth.js';
import { isContactIdRequest, parseCustomerCommand, parseEngineerCommand } from '../../../src/rules/text/commands.js';
import { keywordHint, parsePortalFields } from '../../../src/rules/text/fields.js';

const REF = referencePattern({ prefix: 'INC', digits: 6 });
const SCREEN = { ownAddresses: ['support@support.example.com'], messageIdDomain: 'support.example.com', secret: 'long-runs-secret-0123456789', returnLocalPart: 'support', loopHeader: 'X-Casemail-Loop', instanceId: 'casemail-1', maxReceived: 25 };
const LENGTH = 50_000;
/** Ample for linear work on a loaded machine; a quadratic stage needs minutes. */
const TIMEOUT_MS = 60_000;

function parsedWith(subject: string, headers: Record<string, string>, text: string): ParsedMessage {
  return {
    messageId: 'run@dougsdogs.example', inReplyTo: [], references: [], subject,
    from: { address: 'doug@dougsdogs.example', name: 'Doug' }, replyTo: [], to: [], cc: [], date: null,
    headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])), text, html: null, attachments: [],
    deliveryReport: null, rawSize: text.length, checksum: '0',
  };
}

/** Every text stage, given one hostile string; each returns something to check it ran to the end. */
const STAGES: Record<string, (s: string) => unknown> = {
  'portal fields': (s) => parsePortalFields(s),
  'customer command': (s) => parseCustomerCommand(s, s, s, REF),
  'engineer command': (s) => parseEngineerCommand(`#${s}`),
  'contact id request': (s) => isContactIdRequest(s, s),
  'quote stripping': (s) => stripQuoted(`Hello,\n${s}\nOn Sat, 21 Nov 2026, Support <support@support.example.com> wrote:\n> old\n`).quoted,
  'interpretation': (s) => interpret(`Re: ${s}`, s, REF).firstLine.length,
  'subject prefixes': (s) => stripPrefixes(`Re: ${s}`).prefixes,
  'subject references': (s) => [findIncidentReferences(s, REF), findForeignTicketRefs(s, REF)],
  'message id lists': (s) => parseMessageIdList(s).length,
  'html to text': (s) => htmlToText(`<p>${s}</p>`).length,
  'screening headers': (s) =>
    screenMessage(parsedWith(s, { from: s, sender: s, 'return-path': s, 'content-type': s, 'auto-submitted': s, precedence: s, 'x-post-messageclass': s }, s), SCREEN).kind,
  'delivery status': (s) => [parseDeliveryStatus(`Reporting-MTA: ${s}\n\nFinal-Recipient: ${s}\nStatus: ${s}\n`, null)?.recipients.length, originalMessageIdFrom(`Message-ID: ${s}\n\n`)],
  'sender authentication': (s) => evaluateSenderAuth([`mx.example; ${s}`, s], ['mx.example'], 'doug@dougsdogs.example'),
  'knowledge-base words': (s) => [significantWords(s).length, usesSearchOperators(s), slugify(s)],
  'keyword hints': (s) => keywordHint(s, { outage: ['down', 'not working'], question: ['how do i'] }),
  'attachment names': (s) => safeFilename(s, 0),
  'sender key': (s) => senderKey(Buffer.from(`From: ${s}\r\nTo: x@y\r\n\r\nbody`, 'latin1')),
  'reply address': (s) => parseReplyAddress(s, 'support', 'support.example.com'),
  'one-click body': (s) => isOneClickBody(`--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"${s}`, 'multipart/form-data; boundary=b'),
  'outbound text': (s) => [tidyText(s).length, toHeaderValue(s).length],
};

describe('a bounce with 77,000 spaces in its first line', () => {
  it('is parsed, screened and read as a permanent bounce with no fields, command or quote', async () => {
    const raw = runMessage('first-line', ' '.repeat(77_000));
    const parsed = await parseMessage(raw);
    expect(parsed.text).toContain('you sent could not be delivered');
    const screen = screenMessage(parsed, SCREEN);
    expect(screen).toMatchObject({ kind: 'bounce', severity: 'hard', failures: [{ recipient: 'gone@dougsdogs.example' }] });
    const read = interpret(parsed.subject, parsed.text, REF);
    expect(read.fields).toEqual({});
    expect(read.command).toBeNull();
    expect(read.firstLine.startsWith('A message that ')).toBe(true);
    expect(read.visibleText).toContain('550 5.1.1 User unknown');
    expect(stripPrefixes(parsed.subject).base).toBe('Mail delivery failed: returning message to sender');
  }, TIMEOUT_MS);
});

describe('every text stage reads 50,000-character runs in linear time', () => {
  for (const [name, stage] of Object.entries(STAGES)) {
    it(name, () => {
      let ran = 0;
      for (const unit of RUN_UNITS) {
        for (const tail of RUN_TAILS) {
          expect(stage(run(unit, LENGTH, tail))).toBeDefined();
          ran += 1;
        }
      }
      expect(ran).toBe(RUN_UNITS.length * RUN_TAILS.length);
    }, TIMEOUT_MS);
  }
});

describe('parsing, screening and reading a message with a long run in each place', () => {
  for (const place of RUN_PLACES) {
    it(place, async () => {
      for (const unit of RUN_UNITS) {
        const raw = runMessage(place, run(unit, LENGTH / 2));
        const parsed = await parseMessage(raw);
        const screen = screenMessage(parsed, SCREEN);
        expect(screen.kind).toBe(place === 'first-line' ? 'bounce' : 'clean');
        const read = interpret(parsed.subject, parsed.text, REF);
        expect(typeof read.visibleText).toBe('string');
      }
    }, TIMEOUT_MS);
  }
});

it('still reads the portal fields, commands and prefixes it read before', () => {
  expect(parsePortalFields(' *Product* :  Telrex  \nVersion:\t5.2\nOutage: yes\nType of issue: crash')).toEqual({
    product: 'Telrex', version: '5.2', outage: true, typeOfIssue: 'crash',
  });
  expect(parsePortalFields('Product:   \nProduct: Arc')).toEqual({ product: 'Arc' });
  expect(parseCustomerCommand('status   INC-000123...', '', '', REF)).toEqual({ name: 'status', reference: 'INC-000123', source: 'subject' });
  expect(parseEngineerCommand('#workaround    restart the service')).toEqual({ name: 'workaround', text: 'restart the service' });
  expect(stripPrefixes('RE :  AW: Printer').prefixes).toEqual(['RE', 'AW']);
  expect(senderKey(Buffer.from('From:  Doug <Doug@DougsDogs.example>\r\n\r\n'))).toBe('doug@dougsdogs.example');
  expect(senderKey(Buffer.from('From: "a" doug@dougsdogs.example (Doug)\r\n\r\n'))).toBe('doug@dougsdogs.example');
  expect(tidyText('a  \t\nb\n\n\n\nc')).toBe('a\nb\n\nc\n');
});
