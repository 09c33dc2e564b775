/** API routes for admin data: contacts, products, contracts, hardware and their CSV imports. */
import { z } from 'zod';
import * as dir from '../../../domain/directory/use-cases.js';
import { importCsv, type ImportKind, type ImportReport } from '../../../domain/directory/import.js';
import { AppError } from '../../../platform/errors.js';
import * as R from '../responses.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { accountQuery, csvBody, importQuery, pageOf, pageQuery } from '../schemas.js';

const READ = ['admin', 'engineer'] as const;
const WRITE = ['admin'] as const;
const opt = z.string().optional();

/** Refused rows with nothing written is a 400 whose details carry the whole report. */
function reportOrRefuse(report: ImportReport): ImportReport {
  if (!report.applied && report.rejected.length > 0) {
    throw new AppError('VALIDATION', `${report.rejected.length} of ${report.rows} rows rejected; nothing imported`, { report });
  }
  return report;
}

function importRoute(kind: ImportKind, tag: string): ApiRoute {
  return defineRoute({
    method: 'POST', path: `/api/${kind}/import`, tag, roles: WRITE,
    summary: `Import ${kind} from CSV (all or nothing; ?skipInvalid=true writes the valid rows)`,
    query: importQuery, body: csvBody, bodyType: 'csv', response: R.importReport,
    handle: async ({ stores, actor, query, body }) => reportOrRefuse(await importCsv(stores.directory, actor, kind, body, { skipInvalid: query.skipInvalid })),
  });
}

export const directoryRoutes: ApiRoute[] = [
  defineRoute({
    method: 'GET', path: '/api/contacts', tag: 'contacts', roles: READ, summary: 'List contacts', query: accountQuery,
    response: R.pageOf(R.contact),
    handle: ({ stores, actor, query }) => dir.listContacts(stores.directory, actor, pageOf(query), query.account),
  }),
  defineRoute({
    method: 'POST', path: '/api/contacts', tag: 'contacts', roles: WRITE, status: 201,
    summary: 'Create a contact; its Contact ID is generated unless given',
    body: z.object({ account: z.string().min(1), email: z.string().min(1), name: z.string().min(1), locale: z.enum(['en', 'fr']).optional(), timeZone: opt, phone: opt, contactId: opt }),
    response: R.contact,
    handle: ({ stores, actor, body }) => dir.createContact(stores.directory, actor, body),
  }),
  defineRoute({
    method: 'GET', path: '/api/contacts/{contact}', tag: 'contacts', roles: READ, summary: 'One contact by Contact ID or email',
    params: z.object({ contact: z.string().min(1) }),
    response: R.contact,
    handle: ({ stores, actor, params }) => dir.showContact(stores.directory, actor, params.contact),
  }),
  importRoute('contacts', 'contacts'),
  defineRoute({
    method: 'GET', path: '/api/contracts', tag: 'contracts', roles: READ, summary: 'List SWA contracts', query: accountQuery,
    response: R.pageOf(R.contract),
    handle: ({ stores, actor, query }) => dir.listContracts(stores.directory, actor, pageOf(query), query.account),
  }),
  defineRoute({
    method: 'POST', path: '/api/contracts', tag: 'contracts', roles: WRITE, status: 201, summary: 'Add an SWA contract',
    body: z.object({ account: z.string().min(1), product: z.string().min(1), level: opt, startsOn: z.string(), endsOn: z.string() }),
    response: R.contract,
    handle: ({ stores, actor, body }) => dir.addContract(stores.directory, actor, body),
  }),
  importRoute('contracts', 'contracts'),
  defineRoute({
    method: 'GET', path: '/api/products', tag: 'products', roles: READ, summary: 'List products with their former names', query: pageQuery,
    response: R.pageOf(R.product),
    handle: ({ stores, actor, query }) => dir.listProducts(stores.directory, actor, pageOf(query)),
  }),
  defineRoute({
    method: 'POST', path: '/api/products', tag: 'products', roles: WRITE, status: 201, summary: 'Add a product',
    body: z.object({ code: z.string().min(1), name: z.string().min(1), formerNames: z.array(z.string()).optional() }),
    response: R.product,
    handle: ({ stores, actor, body }) => dir.addProduct(stores.directory, actor, body),
  }),
  defineRoute({
    method: 'PATCH', path: '/api/products/{code}', tag: 'products', roles: WRITE,
    summary: 'Rename a product; the old name is kept as a former name',
    params: z.object({ code: z.string().min(1) }), body: z.object({ name: z.string().min(1) }),
    response: R.product,
    handle: ({ stores, actor, params, body }) => dir.renameProduct(stores.directory, actor, params.code, body.name),
  }),
  defineRoute({
    method: 'GET', path: '/api/hardware', tag: 'hardware', roles: READ, summary: 'List hardware profiles', query: accountQuery,
    response: R.pageOf(R.hardware),
    handle: ({ stores, actor, query }) => dir.listHardware(stores.directory, actor, pageOf(query), query.account),
  }),
  defineRoute({
    method: 'POST', path: '/api/hardware', tag: 'hardware', roles: WRITE, status: 201, summary: 'Add a hardware profile',
    body: z.object({ account: z.string().min(1), model: z.string().min(1), serialNumber: opt, operatingSystem: opt, notes: opt }),
    response: R.hardware,
    handle: ({ stores, actor, body }) => dir.addHardware(stores.directory, actor, body),
  }),
  importRoute('hardware', 'hardware'),
];
