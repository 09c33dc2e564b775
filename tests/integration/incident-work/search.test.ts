// Listing and searching incidents over the API: each filter (reference, account, product
// by code or former name, statuses, engineer, free text over title, description and
// timeline) and keyset pages that cover every match once, newest first. Internal notes
// are searched for engineers, never for partners. Answers match their declared schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIncident, type SeededIncident } from '../../support/incident-work.js';
import { at, ENGINEER, startStaffHarness, TOKENS, type StaffHarness } from '../../support/staff.js';

let h: StaffHarness;
const inc: Record<'codec' | 'login' | 'printer' | 'zebra' | 'foreign', SeededIncident> = {} as Record<'codec' | 'login' | 'printer' | 'zebra' | 'foreign', SeededIncident>;

beforeAll(async () => {
  h = await startStaffHarness();
  const db = h.t.db;
  await db('accounts').insert({ name: 'Kestrel Foreign Ltd' });
  inc.codec = await seedIncident(db, { title: 'Kestrel codec crash on export', product: 'QMS', status: 'open', engineer: ENGINEER });
  inc.login = await seedIncident(db, { title: 'Kestrel login page slow', product: 'CFC', status: 'escalated' });
  inc.printer = await seedIncident(db, { title: 'Kestrel printer', description: 'The spooler hangs.', product: 'QMS', status: 'closed' });
  inc.zebra = await seedIncident(db, { title: 'Kestrel recorder', product: 'EICC', status: 'pending_customer' });
  inc.foreign = await seedIncident(db, { title: 'Kestrel elsewhere', account: 'Kestrel Foreign Ltd', status: 'open' });
  const note = await h.call('POST', `/api/incidents/${inc.zebra.reference}/notes`, { token: TOKENS.engineer, json: { text: 'Zebra firmware suspected.', internal: true } });
  expect(note.status).toBe(201);
});
afterAll(async () => h.close());

async function refs(query: string, token: string = TOKENS.engineer): Promise<string[]> {
  const res = await h.call('GET', `/api/incidents?${query}`, { token });
  expect(res.status, query).toBe(200);
  return (at(res.body, 'items') as { reference: string }[]).map((i) => i.reference);
}

const r = (...names: (keyof typeof inc)[]) => names.map((n) => inc[n].reference);

describe('GET /api/incidents', () => {
  it('filters by status list, product (code or former name), engineer, account and reference', async () => {
    expect(await refs('q=kestrel&status=open,escalated')).toEqual(r('foreign', 'login', 'codec'));
    expect(await refs('q=kestrel&product=QMS')).toEqual(r('printer', 'codec'));
    expect(await refs('q=kestrel&product=telrex')).toEqual(r('printer', 'codec'));
    expect(await refs(`q=kestrel&engineer=${ENGINEER}`)).toEqual(r('codec'));
    expect(await refs('q=kestrel&engineer=none&account=Kestrel%20Foreign%20Ltd')).toEqual(r('foreign'));
    expect(await refs(`reference=${inc.printer.reference.toLowerCase()}`)).toEqual(r('printer'));
  });

  it('searches every word in title, description and timeline; internal notes only for engineers', async () => {
    expect(await refs('q=spooler')).toEqual(r('printer'));
    expect(await refs('q=codec%20crash')).toEqual(r('codec'));
    expect(await refs('q=codec%20spooler')).toEqual([]);
    expect(await refs('q=zebra')).toEqual(r('zebra'));
    expect(await refs('q=zebra', TOKENS.admin)).toEqual(r('zebra'));
    expect(await refs('q=zebra', TOKENS.partner)).toEqual([]);
    expect(await refs('q=100%25')).toEqual([]);
  });

  it('pages with the cursor: every match once, newest first; partners only see their accounts', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.call('GET', `/api/incidents?q=kestrel&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: TOKENS.engineer });
      const items = at(res.body, 'items') as { reference: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((i) => i.reference));
      cursor = at(res.body, 'next') as string | null;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(r('foreign', 'zebra', 'printer', 'login', 'codec'));
    expect(await refs('q=kestrel', TOKENS.partner)).toEqual(r('zebra', 'printer', 'login', 'codec'));
  });

  it('shows one incident with subscribers and timeline, internal entries only for engineers and admins', async () => {
    const engineer = await h.call('GET', `/api/incidents/${inc.zebra.reference}`, { token: TOKENS.engineer });
    expect(at(engineer.body, 'timeline', 0)).toMatchObject({ kind: 'note', visibility: 'internal', authorEmail: ENGINEER, body: 'Zebra firmware suspected.' });
    const partner = await h.call('GET', `/api/incidents/${inc.zebra.reference}`, { token: TOKENS.partner });
    expect(at(partner.body, 'timeline')).toEqual([]);
    expect(at(partner.body, 'product')).toBe('EI Communications Center');
  });
});
