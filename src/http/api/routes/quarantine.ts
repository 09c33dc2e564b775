/**
 * API routes for the quarantine, for engineers and admins: mail the pipeline could not
 * handle and mail held for review of its sender (a trusted DMARC failure from a known
 * address), with the reason; a held mail is released by the user who vouches for it.
 */
import { z } from 'zod';
import { buildIngest } from '../../../pipeline/build.js';
import { getQuarantined, listQuarantined, readHeaders, releaseHeld } from '../../../pipeline/quarantine.js';
import { systemClock } from '../../../platform/clock.js';
import { createKnowledgeBase } from '../../../store/kb.js';
import * as R from '../responses.js';
import { defineRoute, type ApiRoute } from '../route.js';

const TAG = 'quarantine';
const STAFF = ['engineer', 'admin'] as const;
const idParam = z.object({ id: z.coerce.number().int().min(1).describe('inbound message id') });

export const quarantineRoutes: ApiRoute[] = [
  defineRoute({
    method: 'GET', path: '/api/quarantine', tag: TAG, roles: STAFF,
    summary: 'Quarantined mail, oldest first, with the reason (heldForReview: waiting for a release)',
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
    response: R.pageOf(R.quarantined),
    handle: async ({ deps, query }) => ({ items: await listQuarantined(deps.db, query.limit === undefined ? {} : { limit: query.limit }), next: null }),
  }),
  defineRoute({
    method: 'GET', path: '/api/quarantine/{id}', tag: TAG, roles: STAFF,
    summary: 'One quarantined mail: the reason and its header fields',
    params: idParam, response: R.quarantinedView,
    handle: async ({ deps, params }) => {
      const { raw, ...m } = await getQuarantined(deps.db, params.id);
      return { ...m, headers: raw === null ? [] : readHeaders(raw) };
    },
  }),
  defineRoute({
    method: 'POST', path: '/api/quarantine/{id}/release', tag: TAG, roles: STAFF,
    summary: 'Release mail held for review of its sender: you vouch for it and it is handled as authenticated',
    params: idParam, response: R.ingestOutcome,
    handle: async ({ deps, actor, params }) => {
      const kb = createKnowledgeBase();
      const log = deps.log.child({ component: 'quarantine' });
      const outcome = await releaseHeld(deps.db, actor, params.id, (trx) => buildIngest({ db: trx, config: deps.config, log, clock: systemClock, kb }));
      deps.notify?.();
      return outcome;
    },
  }),
];
