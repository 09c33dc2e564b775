/** API routes for accounts, their support contacts and the address search. */
import { z } from 'zod';
import * as accounts from '../../../domain/accounts/use-cases.js';
import * as R from '../responses.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { accountParam, pageOf, pageQuery } from '../schemas.js';

const TAG = 'accounts';
const email = z.string().min(1).max(320);

export const accountRoutes: ApiRoute[] = [
  defineRoute({
    method: 'GET', path: '/api/accounts', tag: TAG, roles: ['partner', 'admin', 'engineer'],
    summary: 'List accounts (partners see the accounts they created)',
    query: pageQuery,
    response: R.pageOf(R.account),
    handle: ({ stores, actor, query }) => accounts.listAccounts(stores.accounts, actor, pageOf(query)),
  }),
  defineRoute({
    method: 'POST', path: '/api/accounts', tag: TAG, roles: ['partner'], status: 201,
    summary: 'Create a customer account with at least one support contact',
    body: z.object({
      name: z.string().min(1).max(200),
      supportContacts: z.array(email).min(1, 'give at least one support contact').max(50),
    }),
    response: R.accountView,
    handle: ({ stores, actor, body }) => accounts.createAccount(stores.accounts, actor, body),
  }),
  defineRoute({
    method: 'GET', path: '/api/accounts/{account}', tag: TAG, roles: ['partner', 'admin', 'engineer'],
    summary: 'One account with its support contacts',
    params: accountParam,
    response: R.accountView,
    handle: ({ stores, actor, params }) => accounts.showAccount(stores.accounts, actor, params.account),
  }),
  defineRoute({
    method: 'GET', path: '/api/accounts/{account}/support-contacts', tag: TAG, roles: ['partner', 'admin', 'engineer'],
    summary: "An account's support contacts",
    params: accountParam,
    response: R.pageOf(R.supportContact),
    handle: async ({ stores, actor, params }) => ({ items: await accounts.listSupportContacts(stores.accounts, actor, params.account), next: null }),
  }),
  defineRoute({
    method: 'POST', path: '/api/accounts/{account}/support-contacts', tag: TAG, roles: ['partner', 'admin'], status: 201,
    summary: 'Add a support contact (a partner user or any valid address)',
    params: accountParam,
    body: z.object({ email }),
    response: R.supportContact,
    handle: ({ stores, actor, params, body }) => accounts.addSupportContact(stores.accounts, actor, params.account, body.email),
  }),
  defineRoute({
    method: 'DELETE', path: '/api/accounts/{account}/support-contacts/{email}', tag: TAG, roles: ['partner', 'admin'],
    summary: 'Remove a support contact (never the last one)',
    params: accountParam.extend({ email }),
    response: z.object({ removed: R.supportContact }),
    handle: async ({ stores, actor, params }) => ({ removed: await accounts.removeSupportContact(stores.accounts, actor, params.account, params.email) }),
  }),
  defineRoute({
    method: 'GET', path: '/api/addresses', tag: TAG, roles: ['partner', 'admin'],
    summary: 'Known addresses (staff users and contacts) starting with a prefix',
    query: z.object({ prefix: z.string().min(accounts.MIN_PREFIX), limit: z.coerce.number().int().min(1).max(100).optional() }),
    response: R.pageOf(R.knownAddress),
    handle: async ({ stores, actor, query }) => ({ items: await accounts.searchAddresses(stores.accounts, actor, query.prefix, query.limit), next: null }),
  }),
];
