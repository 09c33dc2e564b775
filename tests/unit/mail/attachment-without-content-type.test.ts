/**
 * Regression: mailparser leaves `contentType: false` on some parts of a broken multipart
 * (found by the fuzzer on a truncated message); the conversion called toLowerCase on it and
 * the whole readable message was quarantined. Such a part is kept as an octet stream.
 */
import { simpleParser } from 'mailparser';
import { expect, it } from 'vitest';
import { toParsedMessage } from '../../../src/mail/convert.js';

it('an attachment whose content type mailparser left as false is kept as application/octet-stream', async () => {
  const mail = await simpleParser(
    'From: doug@dougsdogs.example\r\nSubject: logs\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
      '--b\r\nContent-Type: text/plain\r\n\r\nsee the log\r\n--b\r\nContent-Type: text/x-log; name="a.log"\r\nContent-Disposition: attachment\r\n\r\nline\r\n--b--\r\n',
  );
  const [attachment] = mail.attachments;
  if (!attachment) throw new Error('expected an attachment');
  Object.assign(attachment, { contentType: false });
  const parsed = toParsedMessage(mail, 100, 'checksum');
  expect(parsed.attachments[0]?.contentType).toBe('application/octet-stream');
  expect(parsed.text).toContain('see the log');
});
