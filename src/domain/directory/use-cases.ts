/**
 * Admin data: contacts (with generated Contact IDs), products and their former names,
 * SWA contracts and hardware. Admins write; admins and engineers read.
 */
import { AppError, isAppError } from '../../platform/errors.js';
import { requireRole, type Actor } from '../staff/actor.js';
import { toPage, type Page, type PageRequest } from '../staff/paging.js';
import type { ContactRecord, ContractRecord, DirectoryStore, HardwareRecord, ListFilter, ProductRecord } from './port.js';
import { checkContact, checkContract, checkHardware, newBatch, type Checked, type ContactInput, type ContractInput, type HardwareInput } from './validate.js';

const WRITERS = ['admin'] as const;
const READERS = ['admin', 'engineer'] as const;

/** A refused single row becomes one AppError carrying every reason; the first reason's code wins. */
export function unwrap<T>(c: Checked<T>): T {
  if (c.ok) return c.value;
  const [first] = c.reasons;
  throw new AppError(first?.code ?? 'VALIDATION', c.reasons.map((r) => r.message).join('; '), { reasons: c.reasons.map((r) => r.message) });
}

const CONTACT_ID_CONSTRAINT = 'contacts_contact_id_uq';

export async function createContact(store: DirectoryStore, actor: Actor, input: ContactInput): Promise<ContactRecord> {
  requireRole(actor, WRITERS, 'managing contacts');
  // A generated Contact ID can still collide with a concurrent insert: draw again.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await store.transaction(async (repo) => repo.insertContact(unwrap(await checkContact(repo, input, newBatch()))));
    } catch (err) {
      const generated = (input.contactId ?? '').trim() === '';
      if (!(generated && attempt < 3 && isAppError(err, 'CONFLICT') && err.details.constraint === CONTACT_ID_CONSTRAINT)) throw err;
    }
  }
}

export async function showContact(store: DirectoryStore, actor: Actor, ref: string): Promise<ContactRecord> {
  requireRole(actor, READERS, 'reading contacts');
  const c = await store.findContact(ref.trim());
  if (!c) throw new AppError('NOT_FOUND', `no contact with Contact ID or email "${ref}"`, { contact: ref });
  return c;
}

async function filterFor(store: DirectoryStore, account: string | undefined): Promise<ListFilter> {
  if (account === undefined || account.trim() === '') return {};
  const a = await store.findAccount(account.trim());
  if (!a) throw new AppError('NOT_FOUND', `no account "${account}"`, { account });
  return { accountId: a.id };
}

const more = { limit: (p: PageRequest) => ({ limit: p.limit + 1, after: p.after }) };

export async function listContacts(store: DirectoryStore, actor: Actor, page: PageRequest, account?: string): Promise<Page<ContactRecord>> {
  requireRole(actor, READERS, 'reading contacts');
  return toPage(await store.listContacts(more.limit(page), await filterFor(store, account)), page.limit);
}

export async function addContract(store: DirectoryStore, actor: Actor, input: ContractInput): Promise<ContractRecord> {
  requireRole(actor, WRITERS, 'managing contracts');
  return store.transaction(async (repo) => repo.insertContract(unwrap(await checkContract(repo, input, newBatch()))));
}

export async function listContracts(store: DirectoryStore, actor: Actor, page: PageRequest, account?: string): Promise<Page<ContractRecord>> {
  requireRole(actor, READERS, 'reading contracts');
  return toPage(await store.listContracts(more.limit(page), await filterFor(store, account)), page.limit);
}

export async function addHardware(store: DirectoryStore, actor: Actor, input: HardwareInput): Promise<HardwareRecord> {
  requireRole(actor, WRITERS, 'managing hardware');
  return store.transaction(async (repo) => repo.insertHardware(unwrap(await checkHardware(repo, input))));
}

export async function listHardware(store: DirectoryStore, actor: Actor, page: PageRequest, account?: string): Promise<Page<HardwareRecord>> {
  requireRole(actor, READERS, 'reading hardware');
  return toPage(await store.listHardware(more.limit(page), await filterFor(store, account)), page.limit);
}

export const PRODUCT_CODE = /^[A-Z0-9][A-Z0-9_-]{1,15}$/;

export async function addProduct(
  store: DirectoryStore,
  actor: Actor,
  input: { code: string; name: string; formerNames?: string[] | undefined },
): Promise<ProductRecord> {
  requireRole(actor, WRITERS, 'managing products');
  const code = input.code.trim().toUpperCase();
  const name = input.name.trim();
  if (!PRODUCT_CODE.test(code)) throw new AppError('VALIDATION', `product code must be 2 to 16 letters, digits, - or _, not "${input.code}"`, { field: 'code' });
  if (name === '') throw new AppError('VALIDATION', 'a product needs a name', { field: 'name' });
  const formerNames = [...new Set((input.formerNames ?? []).map((n) => n.trim()).filter((n) => n !== '' && n !== name))];
  return store.transaction(async (repo) => {
    for (const ref of [code, name, ...formerNames]) {
      const clash = await repo.findProduct(ref);
      if (clash) throw new AppError('CONFLICT', `"${ref}" already names product ${clash.code}`, { product: clash.code });
    }
    return repo.insertProduct({ code, name, formerNames });
  });
}

/** Renames a product; the old name becomes a former name, so mail using it still finds the product. */
export async function renameProduct(store: DirectoryStore, actor: Actor, code: string, newName: string): Promise<ProductRecord> {
  requireRole(actor, WRITERS, 'managing products');
  const name = newName.trim();
  if (name === '') throw new AppError('VALIDATION', 'a product needs a name', { field: 'name' });
  return store.transaction(async (repo) => {
    const product = await repo.findProduct(code.trim());
    if (!product || product.code !== code.trim().toUpperCase()) throw new AppError('NOT_FOUND', `no product with code "${code}"`, { code });
    const clash = await repo.findProduct(name);
    if (clash && clash.id !== product.id) throw new AppError('CONFLICT', `"${name}" already names product ${clash.code}`, { product: clash.code });
    if (product.name === name) return product;
    const formerNames = [...product.formerNames.filter((n) => n.toLowerCase() !== name.toLowerCase()), product.name];
    return repo.updateProduct(product.id, { name, formerNames });
  });
}

export async function listProducts(store: DirectoryStore, actor: Actor, page: PageRequest): Promise<Page<ProductRecord>> {
  requireRole(actor, READERS, 'reading products');
  return toPage(await store.listProducts(more.limit(page)), page.limit);
}
