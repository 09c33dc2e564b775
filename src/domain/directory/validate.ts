/**
 * Validation of admin data, shared by single creation (CLI, API) and CSV imports, so a row
 * is accepted or refused for the same reasons whichever way it arrives. Each check returns
 * every reason a row is refused, not just the first, so one import report fixes the file.
 */
import { canonicalAddress } from '../accounts/address.js';
import type { DirectoryRepo, NewContact, NewContract, NewHardware } from './port.js';

export type Opt = string | undefined;

export interface ContactInput { account: string; email: string; name: string; locale?: Opt; timeZone?: Opt; phone?: Opt; contactId?: Opt }
export interface ContractInput { account: string; product: string; level?: Opt; startsOn: string; endsOn: string }
export interface HardwareInput { account: string; model: string; serialNumber?: Opt; operatingSystem?: Opt; notes?: Opt }

export interface Reason {
  code: 'VALIDATION' | 'CONFLICT' | 'NOT_FOUND';
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reasons: Reason[] };

/** What earlier rows of the same batch already claim: duplicates inside one file are refused too. */
export interface Batch {
  emails: Set<string>;
  contactIds: Set<string>;
  contracts: Set<string>;
}

export const newBatch = (): Batch => ({ emails: new Set(), contactIds: new Set(), contracts: new Set() });

const blank = (v: Opt): boolean => v === undefined || v.trim() === '';
const orNull = (v: Opt): string | null => (blank(v) ? null : (v as string).trim());

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function isCalendarDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const CONTACT_ID = /^\d{6}$/;
const CONTACT_ID_ATTEMPTS = 25;

/** A fresh 6-digit Contact ID (100000–999999) that `taken` says is free; retried on collision. */
export async function generateContactId(taken: (id: string) => Promise<boolean>, random: () => number = Math.random): Promise<string> {
  for (let i = 0; i < CONTACT_ID_ATTEMPTS; i += 1) {
    const candidate = String(100000 + Math.floor(random() * 900000));
    if (!(await taken(candidate))) return candidate;
  }
  throw new Error(`no free Contact ID after ${CONTACT_ID_ATTEMPTS} attempts`);
}

async function account(repo: DirectoryRepo, ref: string, reasons: Reason[]): Promise<{ id: number; name: string } | null> {
  if (blank(ref)) {
    reasons.push({ code: 'VALIDATION', message: 'account is missing' });
    return null;
  }
  const a = await repo.findAccount(ref.trim());
  if (!a) reasons.push({ code: 'NOT_FOUND', message: `no account "${ref.trim()}"` });
  return a;
}

function need(v: Opt, field: string, reasons: Reason[], max = 200): string {
  const s = (v ?? '').trim();
  if (s === '') reasons.push({ code: 'VALIDATION', message: `${field} is missing` });
  else if (s.length > max) reasons.push({ code: 'VALIDATION', message: `${field} is longer than ${max} characters` });
  return s;
}

export async function checkContact(repo: DirectoryRepo, input: ContactInput, batch: Batch): Promise<Checked<NewContact>> {
  const reasons: Reason[] = [];
  const acc = await account(repo, input.account, reasons);
  const name = need(input.name, 'name', reasons);
  const email = canonicalAddress(input.email ?? '');
  if (email === null) reasons.push({ code: 'VALIDATION', message: `"${(input.email ?? '').trim()}" is not a valid email address` });
  else if (batch.emails.has(email)) reasons.push({ code: 'CONFLICT', message: `${email} appears on an earlier row` });
  else if (await repo.contactEmailTaken(email)) reasons.push({ code: 'CONFLICT', message: `a contact ${email} already exists` });
  const locale = blank(input.locale) ? 'en' : (input.locale as string).trim().toLowerCase();
  if (locale !== 'en' && locale !== 'fr') reasons.push({ code: 'VALIDATION', message: `locale must be en or fr, not "${locale}"` });
  const timeZone = orNull(input.timeZone) ?? 'Europe/Paris';
  if (!isTimeZone(timeZone)) reasons.push({ code: 'VALIDATION', message: `"${timeZone}" is not an IANA time zone such as Europe/Paris` });
  let contactId = orNull(input.contactId);
  if (contactId !== null) {
    if (!CONTACT_ID.test(contactId)) reasons.push({ code: 'VALIDATION', message: `Contact ID must be 6 digits, not "${contactId}"` });
    else if (batch.contactIds.has(contactId) || (await repo.contactIdTaken(contactId))) {
      reasons.push({ code: 'CONFLICT', message: `Contact ID ${contactId} is already in use` });
    }
  }
  if (reasons.length > 0 || !acc || email === null || (locale !== 'en' && locale !== 'fr')) return { ok: false, reasons };
  contactId ??= await generateContactId(async (id) => batch.contactIds.has(id) || (await repo.contactIdTaken(id)));
  batch.emails.add(email);
  batch.contactIds.add(contactId);
  return { ok: true, value: { contactId, accountId: acc.id, email, name, locale, timeZone, phone: orNull(input.phone) } };
}

export async function checkContract(repo: DirectoryRepo, input: ContractInput, batch: Batch): Promise<Checked<NewContract>> {
  const reasons: Reason[] = [];
  const acc = await account(repo, input.account, reasons);
  const productRef = need(input.product, 'product', reasons);
  const product = productRef ? await repo.findProduct(productRef) : null;
  if (productRef && !product) reasons.push({ code: 'NOT_FOUND', message: `no product "${productRef}"` });
  const level = orNull(input.level) ?? 'SWA Premium';
  const startsOn = (input.startsOn ?? '').trim();
  const endsOn = (input.endsOn ?? '').trim();
  if (!isCalendarDay(startsOn)) reasons.push({ code: 'VALIDATION', message: `start date must be YYYY-MM-DD, not "${startsOn}"` });
  if (!isCalendarDay(endsOn)) reasons.push({ code: 'VALIDATION', message: `end date must be YYYY-MM-DD, not "${endsOn}"` });
  else if (isCalendarDay(startsOn) && endsOn < startsOn) reasons.push({ code: 'VALIDATION', message: `end date ${endsOn} is before start date ${startsOn}` });
  if (reasons.length > 0 || !acc || !product) return { ok: false, reasons };
  const key = `${acc.id}/${product.id}/${startsOn}`;
  if (batch.contracts.has(key) || (await repo.contractExists({ accountId: acc.id, productId: product.id, startsOn }))) {
    return { ok: false, reasons: [{ code: 'CONFLICT', message: `${acc.name} already has a ${product.code} contract starting ${startsOn}` }] };
  }
  batch.contracts.add(key);
  return { ok: true, value: { accountId: acc.id, productId: product.id, level, startsOn, endsOn } };
}

export async function checkHardware(repo: DirectoryRepo, input: HardwareInput): Promise<Checked<NewHardware>> {
  const reasons: Reason[] = [];
  const acc = await account(repo, input.account, reasons);
  const model = need(input.model, 'model', reasons);
  if (reasons.length > 0 || !acc) return { ok: false, reasons };
  return {
    ok: true,
    value: { accountId: acc.id, model, serialNumber: orNull(input.serialNumber), operatingSystem: orNull(input.operatingSystem), notes: orNull(input.notes) },
  };
}
