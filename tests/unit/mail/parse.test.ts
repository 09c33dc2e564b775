import { describe, expect, it } from 'vitest';
import { DEFAULT_PARSE_LIMITS, MailParseError, parseMessage, type ParseLimits } from '../../../src/mail/parse.js';
import { buildMessage, buildMultipart } from './build.js';

const limits = (overrides: Partial<ParseLimits> = {}): ParseLimits => ({ ...DEFAULT_PARSE_LIMITS, ...overrides });

async function parseError(raw: Buffer, overrides: Partial<ParseLimits> = {}): Promise<MailParseError> {
  try {
    await parseMessage(raw, limits(overrides));
  } catch (err) {
    if (err instanceof MailParseError) return err;
    throw err;
  }
  throw new Error('expected parseMessage to fail');
}

describe('parseMessage: envelope fields', () => {
  it('gives lower-cased addresses, ids without brackets and every header occurrence', async () => {
    const msg = await parseMessage(
      buildMessage({
        headers: {
          Cc: 'Bob <BOB@Example.com>, "Team" <team@example.com>',
          'Reply-To': 'Helpdesk <HELP@example.com>',
          'In-Reply-To': '<parent@casemail.example>',
          References: '<root@casemail.example>\r\n <parent@casemail.example>',
          Received: ['from a by b', 'from c\r\n by d'],
        },
      }),
      limits(),
    );
    expect(msg.from).toEqual({ address: 'alice@example.com', name: 'Alice Customer' });
    expect(msg.cc.map((a) => a.address)).toEqual(['bob@example.com', 'team@example.com']);
    expect(msg.replyTo).toEqual([{ address: 'help@example.com', name: 'Helpdesk' }]);
    expect(msg.messageId).toBe('abc123@mail.example.com');
    expect(msg.inReplyTo).toEqual(['parent@casemail.example']);
    expect(msg.references).toEqual(['root@casemail.example', 'parent@casemail.example']);
    expect(msg.headers.get('received')).toEqual(['from a by b', 'from c by d']);
    expect(msg.date?.toISOString()).toBe('2024-01-02T10:00:00.000Z');
    expect(msg.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('removes CR/LF smuggled into an encoded subject', async () => {
    const subject = `=?utf-8?B?${Buffer.from('Hello\r\nBcc: victim@example.com').toString('base64')}?=`;
    const msg = await parseMessage(buildMessage({ headers: { Subject: subject } }), limits());
    expect(msg.subject).toBe('Hello Bcc: victim@example.com');
  });

  it('gives no From for a null sender such as MAILER-DAEMON <> but keeps the raw header', async () => {
    const msg = await parseMessage(buildMessage({ headers: { From: 'MAILER-DAEMON <>' } }), limits());
    expect(msg.from).toBeNull();
    expect(msg.headers.get('from')).toEqual(['MAILER-DAEMON <>']);
  });

  it('reads the headers of a file that starts with blank lines', async () => {
    const raw = Buffer.concat([Buffer.from('\r\n   \r\n'), buildMessage()]);
    const msg = await parseMessage(raw, limits());
    expect(msg.subject).toBe('Printer on floor 3 is jammed');
    expect(msg.rawSize).toBe(raw.length);
  });
});

describe('parseMessage: charsets', () => {
  const cases: { charset: string; hex: string; text: string }[] = [
    { charset: 'ISO-2022-JP', hex: '1b2442467c4b5c386c244e2546252d253925481b2842', text: '日本語のテキスト' },
    { charset: 'Shift_JIS', hex: '93fa967b8cea82cc8365834c83588367', text: '日本語のテキスト' },
    { charset: 'windows-1252', hex: '80209371756f7465649420636166e9', text: '€ “quoted” café' },
    { charset: 'ISO-8859-2', hex: '5a61bff3b3e62067eab66cb1206a61bcf1', text: 'Zażółć gęślą jaźń' },
    { charset: 'ISO-8859-5', hex: 'bfe0d8d2d5e2', text: 'Привет' },
    { charset: 'ISO-8859-15', hex: 'bc7576726520a4', text: 'Œuvre €' },
  ];
  it.each(cases)('decodes a $charset body', async ({ charset, hex, text }) => {
    const raw = buildMessage({
      headers: { 'Content-Type': `text/plain; charset=${charset}`, 'Content-Transfer-Encoding': '8bit' },
      body: Buffer.from(hex, 'hex'),
    });
    expect((await parseMessage(raw, limits())).text.trim()).toBe(text);
  });

  it.each(cases)('decodes a $charset encoded-word subject', async ({ charset, hex, text }) => {
    const subject = `=?${charset}?B?${Buffer.from(hex, 'hex').toString('base64')}?=`;
    expect((await parseMessage(buildMessage({ headers: { Subject: subject } }), limits())).subject).toBe(text);
  });

  it('still parses a body in an unknown charset', async () => {
    const raw = buildMessage({ headers: { 'Content-Type': 'text/plain; charset=x-bogus-42' }, body: 'plain words' });
    expect((await parseMessage(raw, limits())).text).toContain('plain words');
  });
});

describe('parseMessage: attachments and HTML', () => {
  it('makes attachment names safe and keeps cid images in sanitised HTML', async () => {
    const raw = buildMultipart(
      [
        'Content-Type: text/html; charset=utf-8\r\n\r\n<p onclick="x()">Hi <img src="cid:logo@x"><script>alert(1)</script></p>',
        'Content-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=',
        'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="../../etc/.passwd"\r\n\r\nsecret',
      ],
      {},
      'related',
    );
    const msg = await parseMessage(raw, limits());
    expect(msg.html).toContain('src="cid:logo@x"');
    expect(msg.html).not.toMatch(/script|onclick/);
    expect(msg.text).toContain('Hi');
    const [image, file] = msg.attachments;
    expect(image).toMatchObject({ contentId: 'logo@x', inline: true, contentType: 'image/png', filename: 'attachment-1' });
    expect(file).toMatchObject({ filename: 'passwd', inline: false, size: 6 });
    expect(file?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('survives broken base64 in an attachment', async () => {
    const raw = buildMultipart([
      'Content-Type: text/plain\r\n\r\nsee attachment',
      'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64!!!\r\nQUJD===x',
    ]);
    const msg = await parseMessage(raw, limits());
    expect(msg.text).toContain('see attachment');
    expect(msg.attachments[0]?.filename).toBe('a.pdf');
  });
});

describe('parseMessage: delivery reports (RFC 3464)', () => {
  const dsn = (status: string, action: string): Buffer =>
    buildMultipart(
      [
        'Content-Type: text/plain\r\n\r\nYour message could not be delivered.',
        `Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; Gone@Example.org\r\nAction: ${action}\r\nStatus: ${status}\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n`,
        'Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <notice-1@casemail.example>\r\nSubject: Your incident\r\n',
      ],
      { From: 'MAILER-DAEMON <>' },
      'report; report-type=delivery-status',
    );

  it('reads recipients, status and the original Message-ID; 5.x.x is permanent', async () => {
    const msg = await parseMessage(dsn('5.1.1', 'failed'), limits());
    expect(msg.deliveryReport).toEqual({
      reportingMta: 'mx.example.net',
      originalMessageId: 'notice-1@casemail.example',
      recipients: [
        { recipient: 'gone@example.org', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 user unknown', permanent: true },
      ],
    });
  });

  it('treats a 4.x.x delay as transient', async () => {
    const msg = await parseMessage(dsn('4.4.7', 'delayed'), limits());
    expect(msg.deliveryReport?.recipients[0]?.permanent).toBe(false);
  });
});

describe('parseMessage: limits against hostile messages', () => {
  it('refuses a message over maxBytes before parsing', async () => {
    expect((await parseError(buildMessage(), { maxBytes: 100 })).code).toBe('too_large');
  });

  it('refuses MIME nesting deeper than maxMimeDepth', async () => {
    let entity = 'Content-Type: text/plain\r\n\r\ndeep';
    for (let i = 0; i < 30; i += 1) {
      entity = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${entity}\r\n--b${i}--\r\n`;
    }
    const raw = Buffer.from(`From: a@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${entity}`);
    const err = await parseError(raw);
    expect(err.code).toBe('too_deep');
    expect(err.message).toContain('20');
  });

  it('refuses more parts than maxParts', async () => {
    const parts = Array.from({ length: 600 }, (_, i) => `Content-Type: text/plain\r\n\r\npart ${i}`);
    expect((await parseError(buildMultipart(parts))).code).toBe('too_many_parts');
  });

  it('refuses 10,000 header fields', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `value ${i}`);
    expect((await parseError(buildMessage({ headers: { 'X-Spam': many } }))).code).toBe('too_many_headers');
  });

  it('parses a message with a single 5 MB line', async () => {
    const raw = buildMessage({ body: 'x'.repeat(5 * 1024 * 1024) });
    expect((await parseMessage(raw, limits())).text.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  });

  it('gives up with a timeout code when the budget is exhausted', async () => {
    const raw = buildMessage({ body: 'line of text\r\n'.repeat(400_000) });
    expect((await parseError(raw, { timeBudgetMs: 1 })).code).toBe('timeout');
  });

  it('accepts a well-formed message within every limit', async () => {
    const parts = Array.from({ length: 10 }, (_, i) => `Content-Type: text/plain\r\n\r\npart ${i}`);
    await expect(parseMessage(buildMultipart(parts), limits())).resolves.toMatchObject({ subject: expect.any(String) });
  });
});
