/**
 * What the admin-data use cases (contacts, products, contracts, hardware, imports) need
 * from storage. Knex implementation in store/directory.ts.
 */
import type { PageRequest } from '../staff/paging.js';

export interface AccountRef {
  id: number;
  name: string;
}

export interface ContactRecord {
  id: number;
  contactId: string;
  accountId: number;
  accountName: string;
  email: string;
  name: string;
  locale: 'en' | 'fr';
  timeZone: string;
  phone: string | null;
  active: boolean;
  createdAt: Date;
}

export interface ProductRecord {
  id: number;
  code: string;
  name: string;
  formerNames: string[];
}

export interface ContractRecord {
  id: number;
  accountId: number;
  accountName: string;
  productId: number;
  productCode: string;
  level: string;
  /** Calendar days, YYYY-MM-DD. */
  startsOn: string;
  endsOn: string;
}

export interface HardwareRecord {
  id: number;
  accountId: number;
  accountName: string;
  model: string;
  serialNumber: string | null;
  operatingSystem: string | null;
  notes: string | null;
}

export type NewContact = Omit<ContactRecord, 'id' | 'accountName' | 'active' | 'createdAt'>;
export type NewProduct = Omit<ProductRecord, 'id'>;
export type NewContract = Omit<ContractRecord, 'id' | 'accountName' | 'productCode'>;
export type NewHardware = Omit<HardwareRecord, 'id' | 'accountName'>;

export interface ListFilter {
  accountId?: number;
}

export interface DirectoryRepo {
  /** By numeric id or by name, case-insensitively. */
  findAccount(ref: string): Promise<AccountRef | null>;
  /** By code, name or former name, case-insensitively. */
  findProduct(ref: string): Promise<ProductRecord | null>;
  /** By Contact ID or email. */
  findContact(ref: string): Promise<ContactRecord | null>;
  contactIdTaken(contactId: string): Promise<boolean>;
  contactEmailTaken(email: string): Promise<boolean>;
  contractExists(c: { accountId: number; productId: number; startsOn: string }): Promise<boolean>;
  insertContact(c: NewContact): Promise<ContactRecord>;
  insertProduct(p: NewProduct): Promise<ProductRecord>;
  insertContract(c: NewContract): Promise<ContractRecord>;
  insertHardware(h: NewHardware): Promise<HardwareRecord>;
  updateProduct(id: number, p: { name: string; formerNames: string[] }): Promise<ProductRecord>;
  listContacts(page: PageRequest, filter: ListFilter): Promise<ContactRecord[]>;
  listProducts(page: PageRequest): Promise<ProductRecord[]>;
  listContracts(page: PageRequest, filter: ListFilter): Promise<ContractRecord[]>;
  listHardware(page: PageRequest, filter: ListFilter): Promise<HardwareRecord[]>;
}

export interface DirectoryStore extends DirectoryRepo {
  transaction<T>(work: (repo: DirectoryRepo) => Promise<T>): Promise<T>;
}
