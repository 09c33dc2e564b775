// Outlook groups a conversation by Thread-Topic: one value per incident (its title), never
// cut inside a word or an encoded character. Checked on the header value and on the bytes
// nodemailer writes, decoded back by mailparser.
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { cutAtWord, MAX_TOPIC_CHARS, threadTopicValue } from '../../../src/outbound/thread-topic.js';

const FRENCH = "Nouveau problème sur l'enregistreur Telrex après la mise à jour de la nuit dernière : l'écran reste noir et rien ne démarre";

/** The raw header block nodemailer writes for `topic`, given as a prepared value. */
async function rawHeader(topic: string): Promise<{ raw: string; decoded: string }> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await t.sendMail({ from: 'a@b.example', to: 'c@d.example', subject: 's', text: 'x', headers: { 'Thread-Topic': { prepared: true, value: threadTopicValue(topic) } } });
  const raw = (info.message as Buffer).toString('latin1');
  return { raw, decoded: decode(topicLines(raw)) };
}

/** One Q encoded-word's text (RFC 2047 §4.2). */
const decodeQ = (payload: string): string =>
  Buffer.from(payload.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');

/** The header unfolded and decoded as a reader does: whitespace between encoded-words is dropped (§6.2). */
function decode(lines: string[]): string {
  const value = lines.join('').replace(/^Thread-Topic: /, '');
  if (!value.startsWith('=?UTF-8?Q?')) return value;
  return value.split(' ').map((w) => decodeQ(w.slice('=?UTF-8?Q?'.length, -2))).join('');
}

function topicLines(raw: string): string[] {
  const lines = raw.split('\r\n');
  const start = lines.findIndex((l) => l.startsWith('Thread-Topic:'));
  const out = [lines[start] ?? ''];
  for (let i = start + 1; lines[i]?.startsWith(' ') === true; i += 1) out.push(lines[i] ?? '');
  return out;
}

describe('Thread-Topic', () => {
  it('a French title survives encoding: decoded whole, each encoded-word made of whole words, lines under 78', async () => {
    const { raw, decoded } = await rawHeader(FRENCH);
    expect(decoded).toBe(FRENCH);
    const lines = topicLines(raw);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    // Each encoded-word decodes alone to whole words: nothing ends inside one.
    const pieces = lines.map((l) => l.replace(/^Thread-Topic: | /g, ''));
    const words = new Set(FRENCH.split(' '));
    for (const piece of pieces) {
      const text = decodeQ(piece.slice('=?UTF-8?Q?'.length, -2));
      for (const w of text.trim().split(' ')) expect(words.has(w), `"${w}" in ${piece}`).toBe(true);
    }
  });

  it('plain ASCII is folded at spaces only', async () => {
    const title = 'Recorder stops after the nightly backup and the export to the archive server fails every single time';
    const { raw, decoded } = await rawHeader(title);
    expect(decoded).toBe(title);
    expect(topicLines(raw).length).toBeGreaterThan(1);
    expect(raw).not.toContain('=?');
  });

  it('a word longer than an encoded-word is split between characters, never inside one', async () => {
    const title = `é${'è'.repeat(60)}`;
    const { decoded } = await rawHeader(title);
    expect(decoded).toBe(title);
  });

  it('"=?" in a title is encoded, not taken for an encoded-word', async () => {
    expect((await rawHeader('Error =?UTF-8?Q?x?= in logs')).decoded).toBe('Error =?UTF-8?Q?x?= in logs');
  });

  it('a long title is cut at a word boundary', () => {
    const long = `${'mot '.repeat(60)}fin`;
    const cut = cutAtWord(long, MAX_TOPIC_CHARS);
    expect([...cut].length).toBeLessThanOrEqual(MAX_TOPIC_CHARS);
    expect(cut.endsWith('mot')).toBe(true);
    expect(cutAtWord('😀'.repeat(200), 10)).toBe('😀'.repeat(10));
  });
});
