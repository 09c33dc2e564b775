import { describe, expect, it } from 'vitest';
import { makeUnsubscribeToken, makeUnsubscribeUrl, verifyUnsubscribeToken } from '../../../src/outbound/unsubscribe-link.js';

const SECRET = 'unit-test-link-secret-0123456789';

describe('unsubscribe links', () => {
  it('round-trips the incident and the lower-cased address', () => {
    const token = makeUnsubscribeToken(42, ' Claire.Dubois@Customer.Example ', SECRET);
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({ incidentId: 42, address: 'claire.dubois@customer.example' });
  });

  it('rejects a token for another incident, another address, another secret or a damaged one', () => {
    const token = makeUnsubscribeToken(42, 'a@customer.example', SECRET);
    const [, addr, mac] = token.split('.');
    expect(verifyUnsubscribeToken(`43.${addr}.${mac}`, SECRET)).toBeNull();
    const other = Buffer.from('b@customer.example').toString('base64url');
    expect(verifyUnsubscribeToken(`42.${other}.${mac}`, SECRET)).toBeNull();
    expect(verifyUnsubscribeToken(token, `${SECRET}x`)).toBeNull();
    expect(verifyUnsubscribeToken(`${token.slice(0, -2)}AA`, SECRET)).toBeNull();
    for (const bad of ['', '42', '42..', 'x.y.z', `042.${addr}.${mac}`, `${token}.extra`]) expect(verifyUnsubscribeToken(bad, SECRET)).toBeNull();
  });

  it('builds the link under the public URL, keeping its path', () => {
    const url = new URL(makeUnsubscribeUrl('https://desk.example.com/casemail', 7, 'a@customer.example', SECRET));
    expect(url.origin + url.pathname).toBe('https://desk.example.com/casemail/unsubscribe');
    expect(verifyUnsubscribeToken(url.searchParams.get('t') ?? '', SECRET)?.incidentId).toBe(7);
    expect(makeUnsubscribeUrl('http://127.0.0.1:8080/', 7, 'a@customer.example', SECRET)).toMatch(/^http:\/\/127\.0\.0\.1:8080\/unsubscribe\?t=/);
  });
});
