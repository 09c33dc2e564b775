/** API routes for staff users and their API tokens (admins), and `GET /api/me` for everyone. */
import { z } from 'zod';
import { ROLES } from '../../../domain/staff/actor.js';
import * as users from '../../../domain/users/use-cases.js';
import * as R from '../responses.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { pageOf, pageQuery } from '../schemas.js';

const TAG = 'users';

export const userRoutes: ApiRoute[] = [
  defineRoute({
    method: 'GET', path: '/api/me', tag: TAG, roles: ROLES, summary: 'The user the token belongs to',
    response: R.actor,
    handle: ({ actor }) => Promise.resolve(actor),
  }),
  defineRoute({
    method: 'GET', path: '/api/users', tag: TAG, roles: ['admin'], summary: 'List staff users', query: pageQuery,
    response: R.pageOf(R.user),
    handle: ({ stores, actor, query }) => users.listUsers(stores.users, actor, pageOf(query)),
  }),
  defineRoute({
    method: 'POST', path: '/api/users', tag: TAG, roles: ['admin'], status: 201,
    summary: 'Create a staff user; the response carries its API token, shown only this once',
    body: z.object({ email: z.string().min(1), name: z.string().min(1), role: z.enum(ROLES) }),
    response: R.issuedToken,
    handle: ({ stores, actor, body }) => users.createUser(stores.users, actor, body),
  }),
  defineRoute({
    method: 'POST', path: '/api/users/{email}/token', tag: TAG, roles: ['admin'], status: 201,
    summary: "Replace a user's API token; the new token is shown only this once",
    params: z.object({ email: z.string().min(1) }),
    response: R.issuedToken,
    handle: ({ stores, actor, params }) => users.issueToken(stores.users, actor, params.email),
  }),
];
