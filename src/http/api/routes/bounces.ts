/**
 * `GET /api/bounces` and `DELETE /api/bounces/{email}`: which addresses bounce, whether for
 * good (hard) or after repeated soft bounces, how many soft ones count now, and the staff
 * action of lifting a stop once the customer fixed their mailbox.
 */
import { z } from 'zod';
import { AppError } from '../../../platform/errors.js';
import { bounceStates, forgetBounces } from '../../../store/bounces.js';
import { defineRoute, type ApiRoute } from '../route.js';

const TAG = 'bounces';

const state = z.object({
  email: z.string(), stopped: z.enum(['hard', 'soft']).nullable(), softCounting: z.number(),
  lastSeverity: z.enum(['hard', 'soft', 'delay']), lastCause: z.string(), lastReason: z.string(), lastAt: z.string(),
});

export const bounceRoutes: ApiRoute[] = [
  defineRoute({
    method: 'GET', path: '/api/bounces', tag: TAG, roles: ['admin', 'engineer'],
    summary: 'Addresses that bounced: stopped (hard, or soft after bounces.softLimit in bounces.softDays) or counting soft bounces',
    query: z.object({ email: z.string().optional() }),
    response: z.object({ items: z.array(state) }),
    handle: async ({ deps, query }) => ({
      items: await bounceStates(deps.db, new Date(), { limit: deps.config.bounces.softLimit, days: deps.config.bounces.softDays }, query.email),
    }),
  }),
  defineRoute({
    method: 'DELETE', path: '/api/bounces/{email}', tag: TAG, roles: ['admin', 'engineer'],
    summary: 'Lift the stop on an address and clear its bounces: it gets mail again',
    params: z.object({ email: z.string().min(3) }),
    response: z.object({ email: z.string(), cleared: z.boolean() }),
    handle: async ({ deps, params }) => {
      const cleared = await forgetBounces(deps.db, params.email, new Date());
      if (!cleared) throw new AppError('NOT_FOUND', `${params.email} is not stopped`);
      return { email: params.email.toLowerCase(), cleared };
    },
  }),
];
