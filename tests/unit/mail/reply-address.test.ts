import { describe, expect, it } from 'vitest';
import { makeReplyAddress, parseReplyAddress, verifyReplyTag } from '../../../src/mail/reply-address.js';

const base = { localPart: 'support', domain: 'casemail.example', reference: 'INC-000123', recipient: 'Alice@Example.com', secret: 's3cret-for-inc-123' };

describe('signed reply addresses', () => {
  const address = makeReplyAddress(base);
  const parsed = parseReplyAddress(address, 'support', 'casemail.example');

  it('has the documented shape with a tag of at least 50 bits', () => {
    expect(address).toMatch(/^support\+inc-000123\.[a-z2-7]{10,}@casemail\.example$/);
    expect((parsed?.tag.length ?? 0) * 5).toBeGreaterThanOrEqual(50);
  });

  it('round-trips and verifies for the recipient it was sent to (case-insensitive)', () => {
    expect(parsed?.reference).toBe('inc-000123');
    expect(verifyReplyTag({ reference: 'INC-000123', tag: parsed?.tag ?? '', recipient: 'alice@example.com', secret: base.secret })).toBe(true);
    expect(parseReplyAddress(`<${address.toUpperCase()}>`, 'support', 'casemail.example')).toEqual(parsed);
  });

  const tag = parsed?.tag ?? '';
  const flipped = tag.slice(0, -1) + (tag.endsWith('a') ? 'b' : 'a');
  it.each([
    { name: 'a tampered tag', tag: flipped, reference: 'INC-000123', recipient: 'alice@example.com', secret: base.secret },
    { name: 'a truncated tag', tag: tag.slice(0, -2), reference: 'INC-000123', recipient: 'alice@example.com', secret: base.secret },
    { name: 'another recipient', tag, reference: 'INC-000123', recipient: 'mallory@example.com', secret: base.secret },
    { name: 'another incident', tag, reference: 'INC-000124', recipient: 'alice@example.com', secret: base.secret },
    { name: 'another secret', tag, reference: 'INC-000123', recipient: 'alice@example.com', secret: 'other' },
    { name: 'an empty tag', tag: '', reference: 'INC-000123', recipient: 'alice@example.com', secret: base.secret },
  ])('rejects $name', ({ name: _name, ...input }) => {
    expect(verifyReplyTag(input)).toBe(false);
  });

  it.each([
    'support@casemail.example',
    'support+inc-000123@casemail.example',
    'sales+inc-000123.abcdefghijkl@casemail.example',
    'support+inc-000123.abcdefghijkl@evil.example',
    'support+inc-000123.ABC!@casemail.example',
  ])('does not take %s for a reply address', (candidate) => {
    expect(parseReplyAddress(candidate, 'support', 'casemail.example')).toBeNull();
  });
});
