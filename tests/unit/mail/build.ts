/**
 * Builds raw RFC 5322 messages for tests, so each case states only the headers and body
 * that matter to it and everything else is a plausible customer mail.
 */

export interface MessageSpec {
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

const DEFAULT_HEADERS: Record<string, string> = {
  From: 'Alice Customer <Alice@Example.COM>',
  To: 'support@casemail.example',
  Subject: 'Printer on floor 3 is jammed',
  Date: 'Tue, 02 Jan 2024 10:00:00 +0000',
  'Message-ID': '<abc123@mail.example.com>',
  'MIME-Version': '1.0',
  'Content-Type': 'text/plain; charset=utf-8',
};

export function buildMessage(spec: MessageSpec = {}): Buffer {
  const merged: Record<string, string | string[]> = { ...DEFAULT_HEADERS, ...spec.headers };
  const lines: string[] = [];
  for (const [name, value] of Object.entries(merged)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== '') lines.push(`${name}: ${v}`);
    }
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  const body = spec.body ?? 'Hello,\r\nthe printer is jammed again.\r\n';
  return Buffer.concat([head, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** A multipart/mixed message whose parts are given as raw entity text (headers, blank line, body). */
export function buildMultipart(parts: string[], headers: Record<string, string> = {}, subtype = 'mixed'): Buffer {
  const boundary = 'b1_test_boundary';
  const body = parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`;
  return buildMessage({
    headers: { 'Content-Type': `multipart/${subtype}; boundary="${boundary}"`, ...headers },
    body,
  });
}
