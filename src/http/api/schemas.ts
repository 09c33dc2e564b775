/** zod pieces shared by the API route groups: pagination, account and flag parameters. */
import { z } from 'zod';
import { pageRequest, type PageRequest } from '../../domain/staff/paging.js';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional().describe('page size, 1–500 (default 50)'),
  cursor: z.string().regex(/^\d+$/).optional().describe('the `next` value of the previous page'),
});

export const pageOf = (q: z.infer<typeof pageQuery>): PageRequest => pageRequest(q.limit, q.cursor);

export const accountQuery = pageQuery.extend({
  account: z.string().min(1).optional().describe('only rows of this account (id or name)'),
});

export const accountParam = z.object({ account: z.string().min(1).describe('account id or name') });

/** `?skipInvalid=true`: write the valid rows and report the others. */
export const importQuery = z.object({
  skipInvalid: z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1'),
});

export const csvBody = z.string().min(1, 'send the CSV file as the request body (text/csv)');
