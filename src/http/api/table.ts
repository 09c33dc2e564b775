/**
 * The API route table: every route group, in one list. Dispatch, role checks, the OpenAPI
 * description and the route-walking tests all read it, so a group added here (incidents,
 * knowledge base…) is served, documented and tested for authentication at once.
 */
import type { ApiRoute } from './route.js';
import { accountRoutes } from './routes/accounts.js';
import { bounceRoutes } from './routes/bounces.js';
import { directoryRoutes } from './routes/directory.js';
import { incidentRoutes } from './routes/incidents.js';
import { quarantineRoutes } from './routes/quarantine.js';
import { userRoutes } from './routes/users.js';

export const API_ROUTES: readonly ApiRoute[] = [...userRoutes, ...accountRoutes, ...directoryRoutes, ...incidentRoutes, ...quarantineRoutes, ...bounceRoutes];
