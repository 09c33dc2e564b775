// What each job finds due, from rows and a clock alone: no database, no timers.
import { describe, expect, it } from 'vitest';
import { dueExpiryWarnings, type ContractRow } from '../../../src/jobs/contract-expiry.js';
import { calendarDate, daysBetween } from '../../../src/jobs/dates.js';
import { planDigests } from '../../../src/jobs/digest.js';
import { dueReminderActions, reminderActionFor, type ReminderPolicy } from '../../../src/jobs/reminders.js';
import { retentionCutoff } from '../../../src/jobs/retention.js';

const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const policy: ReminderPolicy = { remindAfterDays: 3, closeAfterDays: 4, products: { QMS: { remindAfterDays: 1 }, EICC: { enabled: false } } };

describe('reminders', () => {
  const row = { id: 1, productCode: 'CFC', statusChangedAt: T0, remindedAt: null };

  it('reminds once the incident has waited remindAfterDays, not before', () => {
    expect(reminderActionFor(row, at(2.99), policy)).toBeNull();
    expect(reminderActionFor(row, at(3), policy)).toEqual({ kind: 'remind', incidentId: 1, closesAt: at(7) });
  });

  it('closes closeAfterDays after the reminder of this waiting period, not before', () => {
    const reminded = { ...row, remindedAt: at(3) };
    expect(reminderActionFor(reminded, at(6.99), policy)).toBeNull();
    expect(reminderActionFor(reminded, at(7), policy)).toEqual({ kind: 'close', incidentId: 1, closeAfterDays: 4 });
  });

  it('a reminder from an earlier waiting period does not count: the new period is reminded first', () => {
    const again = { ...row, statusChangedAt: at(10), remindedAt: at(3) };
    expect(reminderActionFor(again, at(12), policy)).toBeNull();
    expect(reminderActionFor(again, at(13), policy)?.kind).toBe('remind');
  });

  it('per-product delays apply, and a product can be left out', () => {
    expect(reminderActionFor({ ...row, productCode: 'QMS' }, at(1), policy)?.kind).toBe('remind');
    expect(reminderActionFor({ ...row, productCode: 'EICC' }, at(30), policy)).toBeNull();
    expect(reminderActionFor({ ...row, productCode: null }, at(3), policy)?.kind).toBe('remind');
  });

  it('lists only what is due', () => {
    const rows = [row, { ...row, id: 2, statusChangedAt: at(2) }, { ...row, id: 3, remindedAt: at(0.5) }];
    expect(dueReminderActions(rows, at(4.5), policy).map((a) => [a.kind, a.incidentId])).toEqual([['remind', 1], ['close', 3]]);
  });
});

describe('contract expiry', () => {
  const c = (id: number, endsOn: string, extra: Partial<ContractRow> = {}): ContractRow => ({ id, accountId: 1, productId: id, endsOn, warnedAt: null, ...extra });

  it('warns within warnDays of the end, including the last day, never after it', () => {
    const rows = [c(1, '2026-07-01'), c(2, '2026-07-02'), c(3, '2026-06-01'), c(4, '2026-05-31')];
    expect(dueExpiryWarnings(rows, '2026-06-01', 30)).toEqual([{ contractId: 1, daysLeft: 30 }, { contractId: 3, daysLeft: 0 }]);
  });

  it('warns once per contract', () => {
    expect(dueExpiryWarnings([c(1, '2026-06-10', { warnedAt: new Date() })], '2026-06-01', 30)).toEqual([]);
  });

  it('does not warn about a contract already renewed for the same account and product', () => {
    const rows = [c(1, '2026-06-10', { productId: 7 }), c(2, '2027-06-10', { productId: 7 }), c(3, '2026-06-10', { productId: 8, accountId: 2 })];
    expect(dueExpiryWarnings(rows, '2026-06-01', 30).map((w) => w.contractId)).toEqual([3]);
  });
});

describe('calendar days', () => {
  it('are taken in the desk time zone', () => {
    expect(calendarDate(new Date('2026-06-30T22:30:00Z'), 'Europe/Paris')).toBe('2026-07-01');
    expect(calendarDate(new Date('2026-06-30T22:30:00Z'), 'America/Chicago')).toBe('2026-06-30');
    expect(daysBetween('2026-02-27', '2026-03-02')).toBe(3);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });
});

describe('digest', () => {
  const inc = (accountId: number, reference: string) => ({ accountId, reference, title: reference, status: 'open', product: 'QMS', openedAt: T0 });

  it('one digest per address across its accounts, none for an address with nothing open', () => {
    const subs = [
      { email: 'It@Acme.example', accountId: 1, accountName: 'Zeta' },
      { email: 'it@acme.example', accountId: 2, accountName: 'Alpha' },
      { email: 'quiet@acme.example', accountId: 3, accountName: 'Quiet' },
    ];
    const digests = planDigests(subs, [inc(1, 'INC-1'), inc(2, 'INC-2'), inc(2, 'INC-3'), inc(4, 'INC-4')]);
    expect(digests).toHaveLength(1);
    expect(digests[0]?.email).toBe('it@acme.example');
    expect(digests[0]?.total).toBe(3);
    expect(digests[0]?.accounts.map((a) => [a.accountName, a.incidents.map((i) => i.reference)])).toEqual([['Alpha', ['INC-2', 'INC-3']], ['Zeta', ['INC-1']]]);
  });
});

describe('retention', () => {
  it('cuts off rawDays before now', () => {
    expect(retentionCutoff(at(90), 90)).toEqual(T0);
  });
});
