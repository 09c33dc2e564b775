import { describe, expect, it } from 'vitest';
import { buildHeaders, MAX_REFERENCES, type HeaderInput } from '../../../src/outbound/headers.js';
import { threadIndexChild, threadIndexHeader, toFiletime } from '../../../src/outbound/thread-index.js';

const STARTED = new Date('2026-03-02T08:15:00Z');

function input(overrides: Partial<HeaderInput> = {}): HeaderInput {
  return {
    messageIdDomain: 'mail.casemail.example',
    reference: 'INC-000123',
    threadRootMessageId: '<root-1@customer.example>',
    previousMessageIds: [],
    threadStartedAt: STARTED,
    sentAt: new Date('2026-03-02T09:00:00Z'),
    replyAddress: 'support+INC-000123.c42.sig@casemail.example',
    kind: 'auto-generated',
    incidentStatus: 'in-progress',
    loopHeader: 'X-Casemail-Loop',
    instanceId: 'casemail-prod-1',
    threadTopic: 'Label printer stops after firmware update',
    ...overrides,
  };
}

/** The same input for a mail that starts its thread. */
function withoutRoot(overrides: Partial<HeaderInput> = {}): HeaderInput {
  const { threadRootMessageId: _root, ...rest } = input(overrides);
  return rest;
}

function threadIndexBytes(headers: Record<string, string>): Buffer {
  return Buffer.from(headers['Thread-Index'] ?? '', 'base64');
}

describe('buildHeaders', () => {
  it('creates a fresh Message-ID on our domain for every mail', () => {
    const a = buildHeaders(input());
    const b = buildHeaders(input());
    expect(a.messageId).toMatch(/^<inc-000123\.[0-9a-f-]{36}@mail\.casemail\.example>$/);
    expect(a.messageId).not.toBe(b.messageId);
  });

  it('answers the last message of the thread and references the whole chain', () => {
    const { headers } = buildHeaders(input({ previousMessageIds: ['<a@x>', 'b@y', '<a@x>'] }));
    expect(headers['In-Reply-To']).toBe('<b@y>');
    expect(headers['References']).toBe('<root-1@customer.example> <a@x> <b@y>');
  });

  it('caps References but keeps the root and the most recent ids', () => {
    const previous = Array.from({ length: 50 }, (_, i) => `<m${i}@x>`);
    const refs = (buildHeaders(input({ previousMessageIds: previous })).headers['References'] ?? '').split(' ');
    expect(refs).toHaveLength(MAX_REFERENCES);
    expect(refs[0]).toBe('<root-1@customer.example>');
    expect(refs.at(-1)).toBe('<m49@x>');
    expect(refs[1]).toBe(`<m${50 - (MAX_REFERENCES - 1)}@x>`);
  });

  it('starts a thread without In-Reply-To when there is no root', () => {
    const { headers } = buildHeaders(withoutRoot());
    expect(headers['In-Reply-To']).toBeUndefined();
    expect(headers['References']).toBeUndefined();
    expect(threadIndexBytes(headers)).toHaveLength(22);
  });

  it('marks every mail as automatic (RFC 3834) and silences Exchange auto-replies', () => {
    expect(buildHeaders(input({ kind: 'auto-replied' })).headers['Auto-Submitted']).toBe('auto-replied');
    const { headers } = buildHeaders(input({ kind: 'auto-generated' }));
    expect(headers['Auto-Submitted']).toBe('auto-generated');
    expect(headers['X-Auto-Response-Suppress']).toBe('All');
    expect(headers['X-Casemail-Loop']).toBe('casemail-prod-1');
    expect(headers['X-Casemail-Incident']).toBe('INC-000123');
    expect(headers['X-Casemail-Status']).toBe('in-progress');
    expect(headers['Reply-To']).toBe('support+INC-000123.c42.sig@casemail.example');
    expect(headers['Thread-Topic']).toBe('Label printer stops after firmware update');
  });

  it('offers one-click unsubscribe only with a URL (RFC 8058)', () => {
    expect(buildHeaders(input()).headers['List-Unsubscribe']).toBeUndefined();
    const { headers } = buildHeaders(input({ unsubscribeUrl: 'https://casemail.example/u/abc' }));
    expect(headers['List-Unsubscribe']).toBe('<https://casemail.example/u/abc>');
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('strips CR/LF from every header value', () => {
    const { headers } = buildHeaders(
      input({
        threadTopic: 'Printer\r\nBcc: victim@example.com',
        incidentStatus: 'open\nX-Evil: 1',
        unsubscribeUrl: 'https://x.example/u\r\nBcc: v@example.com',
        replyAddress: 'a@b.example\r\nCc: v@example.com',
      }),
    );
    const { 'Thread-Topic': topic, ...others } = headers;
    for (const value of Object.values(others)) expect(value).not.toMatch(/[\r\n]/);
    // Thread-Topic comes folded: every line break is followed by the space that continues it.
    expect(topic?.replace(/\r\n /g, ' ')).toBe('Printer Bcc: victim@example.com');
    expect(topic?.replace(/\r\n /g, '')).not.toMatch(/[\r\n]/);
  });

  it('rejects a loop header name that is not a header name', () => {
    expect(() => buildHeaders(input({ loopHeader: 'X-Loop: 1\r\nBcc' }))).toThrow(/loop header/);
  });
});

describe('Thread-Index', () => {
  it('is a 22-byte header block, then 5 bytes more per reply', () => {
    const lengths = [0, 1, 2, 5].map((n) => {
      const previous = Array.from({ length: n }, (_, i) => `<m${i}@x>`);
      const mail = n === 0 ? withoutRoot() : input({ threadRootMessageId: '<root@x>', previousMessageIds: previous.slice(1) });
      const { headers } = buildHeaders(mail);
      return threadIndexBytes(headers).length;
    });
    expect(lengths).toEqual([22, 27, 32, 47]);
  });

  it('shares its header block across every mail of one thread', () => {
    const first = threadIndexBytes(buildHeaders(input()).headers);
    const later = threadIndexBytes(
      buildHeaders(input({ previousMessageIds: ['<a@x>', '<b@x>'], sentAt: new Date('2026-03-09T10:00:00Z') })).headers,
    );
    expect(later.subarray(0, 22)).toEqual(first.subarray(0, 22));
    const other = threadIndexBytes(buildHeaders(input({ threadRootMessageId: '<root-2@x>' })).headers);
    expect(other.subarray(6, 22)).not.toEqual(first.subarray(6, 22));
  });

  it('encodes the thread start as the high 40 bits of a FILETIME', () => {
    const block = threadIndexHeader('<root@x>', STARTED);
    expect(block[0]).toBe(0x01);
    const high = BigInt(`0x${block.subarray(1, 6).toString('hex')}`);
    expect(high).toBe(toFiletime(STARTED) >> 24n);
    expect(toFiletime(new Date(0))).toBe(116_444_736_000_000_000n);
  });

  it('child blocks use the fine unit first and the coarse one past 31 bits', () => {
    const hour = 36_000_000_000n; // one hour in 100 ns ticks
    const fine = threadIndexChild(hour, 3);
    expect(fine.readUInt32BE(0) >>> 31).toBe(0);
    expect(BigInt(fine.readUInt32BE(0))).toBe(hour >> 18n);
    expect(fine[4]).toBe(3);
    const years = threadIndexChild(hour * 24n * 365n * 3n, 1);
    expect(years.readUInt32BE(0) >>> 31).toBe(1);
  });
});
