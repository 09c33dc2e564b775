import { describe, expect, it } from 'vitest';
import { checkSenderAuth, evaluateSenderAuth, parseAuthenticationResults } from '../../../src/rules/sender-auth.js';

const TRUSTED = ['mx.support.example.com'];

describe('Authentication-Results (RFC 8601)', () => {
  it('parses results around comments, versions and quoted values', () => {
    const r = parseAuthenticationResults('mx.support.example.com 1; (checked (twice)) dkim=pass (good sig) header.d=Example.com header.s="sel;1"; spf=fail smtp.mailfrom=x@example.com; dmarc=pass');
    expect(r?.authservId).toBe('mx.support.example.com');
    expect(r?.results.map((x) => `${x.method}=${x.result}`)).toEqual(['dkim=pass', 'spf=fail', 'dmarc=pass']);
    expect(r?.results[0]?.props.get('header.d')).toBe('example.com');
  });

  it('ignores fields from servers we do not trust (a sender can forge them)', () => {
    const auth = evaluateSenderAuth(['evil.example; dmarc=pass; dkim=pass header.d=example.com'], TRUSTED, 'a@example.com');
    expect(auth).toMatchObject({ dmarc: 'none', dkim: 'none', trustedFields: 0 });
  });

  it('reads "none" results and unknown methods without failing', () => {
    expect(evaluateSenderAuth(['mx.support.example.com; none'], TRUSTED, 'a@example.com')).toMatchObject({ dmarc: 'none', trustedFields: 1 });
    expect(evaluateSenderAuth(['mx.support.example.com; arc=pass; dmarc=fail'], TRUSTED, 'a@example.com').dmarc).toBe('fail');
  });

  it('aligns DKIM with the From domain or a parent of it, never another domain', () => {
    expect(evaluateSenderAuth(['mx.support.example.com; dkim=pass header.d=example.com'], TRUSTED, 'a@mail.example.com').dkimAligned).toBe(true);
    expect(evaluateSenderAuth(['mx.support.example.com; dkim=pass header.d=mailer.example'], TRUSTED, 'a@example.com').dkimAligned).toBe(false);
    expect(evaluateSenderAuth(['mx.support.example.com; dkim=pass header.d=ample.com'], TRUSTED, 'a@example.com').dkimAligned).toBe(false);
  });

  it.each([
    ['require', 'none', false],
    ['require', 'pass', true],
    ['prefer', 'none', true],
    ['prefer', 'fail', false],
    ['off', 'fail', true],
  ] as const)('policy %s with dmarc=%s → %s', (policy, dmarc, ok) => {
    const auth = evaluateSenderAuth(dmarc === 'none' ? [] : [`mx.support.example.com; dmarc=${dmarc}`], TRUSTED, 'a@example.com');
    expect(checkSenderAuth(policy, auth).ok).toBe(ok);
  });

  it('policy prefer blocks when DKIM and SPF both fail even without DMARC', () => {
    const auth = evaluateSenderAuth(['mx.support.example.com; dkim=fail header.d=example.com; spf=fail'], TRUSTED, 'a@example.com');
    expect(checkSenderAuth('prefer', auth).ok).toBe(false);
  });
});
