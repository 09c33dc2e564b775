import { describe, expect, it } from 'vitest';
import { canonicalAddress } from '../../../src/domain/accounts/address.js';
import type { AccountRecord } from '../../../src/domain/accounts/port.js';
import { assertCanCreateAccount, assertCanManageSupportContacts } from '../../../src/domain/accounts/rights.js';
import { generateContactId, isCalendarDay } from '../../../src/domain/directory/validate.js';
import type { Actor } from '../../../src/domain/staff/actor.js';
import { pageRequest, toPage } from '../../../src/domain/staff/paging.js';
import { exitCodeFor } from '../../../src/cli/context.js';
import { httpStatus } from '../../../src/http/api/errors.js';
import { isAppError, type AppError } from '../../../src/platform/errors.js';

const pat: Actor = { id: 1, email: 'pat@p.example', name: 'Pat', role: 'partner' };
const olga: Actor = { id: 4, email: 'olga@p2.example', name: 'Olga', role: 'partner' };
const ada: Actor = { id: 2, email: 'ada@s.example', name: 'Ada', role: 'admin' };
const erin: Actor = { id: 3, email: 'erin@s.example', name: 'Erin', role: 'engineer' };
const account = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  id: 9, name: 'Doug', createdByUserId: 1, createdByRole: 'partner', createdByEmail: 'pat@p.example', createdAt: new Date(0), ...over,
});

const codeOf = (fn: () => void): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return isAppError(err) ? (err as AppError).code : 'THROWN';
  }
};

describe('support-contact rights', () => {
  it.each([
    ['partner on own account', pat, account(), null],
    ["partner on another partner's account", olga, account(), 'FORBIDDEN'],
    ['admin on a partner account', ada, account(), null],
    ['admin on an account no partner created', ada, account({ createdByUserId: null, createdByRole: null }), 'FORBIDDEN'],
    ['admin on an admin-created account', ada, account({ createdByUserId: 2, createdByRole: 'admin' }), 'FORBIDDEN'],
    ['engineer anywhere', erin, account(), 'FORBIDDEN'],
  ] as const)('%s', (_n, actor, acc, expected) => {
    expect(codeOf(() => assertCanManageSupportContacts(actor, acc))).toBe(expected);
  });

  it('only partners create accounts', () => {
    expect([pat, ada, erin].map((a) => codeOf(() => assertCanCreateAccount(a)))).toEqual([null, 'FORBIDDEN', 'FORBIDDEN']);
  });
});

describe('addresses', () => {
  it.each([
    [' Doug@DougsDogs.Example ', 'doug@dougsdogs.example'],
    ["o'brien+tag@mail.example.co.uk", "o'brien+tag@mail.example.co.uk"],
    ['no-at-sign', null],
    ['a@localhost', null],
    ['Doug <doug@x.example>', null],
    ['two@@x.example', null],
    ['dot.@x.example', null],
    ['x@-x.example', null],
    ['x@x.123', null],
    ['a\r\nbcc@x.example', null],
    [`${'l'.repeat(65)}@x.example`, null],
  ])('%j → %j', (raw, expected) => {
    expect(canonicalAddress(raw)).toBe(expected);
  });
});

describe('Contact IDs', () => {
  it('draws again on a collision and stays within 6 digits', async () => {
    const draws = [0, 0, 0.5, 0.999999];
    const taken = new Set(['100000']);
    const id = await generateContactId(async (c) => taken.has(c), () => draws.shift() ?? 0);
    expect(id).toBe('550000');
    expect(await generateContactId(async () => false, () => 0.9999999)).toBe('999999');
  });

  it('gives up after repeated collisions instead of looping forever', async () => {
    await expect(generateContactId(async () => true, () => 0.1)).rejects.toThrow(/no free Contact ID/);
  });
});

describe('edges and helpers', () => {
  it('maps refusals to CLI exit codes and HTTP statuses', () => {
    expect(['VALIDATION', 'CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND'].map((c) => exitCodeFor(c as 'VALIDATION'))).toEqual([2, 2, 3, 3, 4]);
    expect(['VALIDATION', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'].map((c) => httpStatus(c as 'VALIDATION'))).toEqual([400, 401, 403, 404, 409]);
  });

  it('pages with a cursor and refuses nonsense limits', () => {
    expect(toPage([{ id: 1 }, { id: 2 }, { id: 3 }], 2)).toEqual({ items: [{ id: 1 }, { id: 2 }], next: '2' });
    expect(toPage([{ id: 1 }], 2).next).toBeNull();
    expect(pageRequest(undefined, '7')).toEqual({ limit: 50, after: 7 });
    expect(codeOf(() => pageRequest(0, undefined))).toBe('VALIDATION');
    expect(codeOf(() => pageRequest(10, 'abc'))).toBe('VALIDATION');
  });

  it('knows calendar days', () => {
    expect(['2028-02-29', '2027-02-29', '2026-13-01', '26-01-01'].map(isCalendarDay)).toEqual([true, false, false, false]);
  });
});
