/**
 * Keyset pagination shared by every list: rows ordered by id, `after` is the last id seen.
 * The cursor handed to clients is that id as a string, so pages stay stable under inserts.
 */
import { AppError } from '../../platform/errors.js';

export interface PageRequest {
  limit: number;
  after: number | null;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** Reads `limit` and `cursor` as given by a client; refuses nonsense with VALIDATION. */
export function pageRequest(limit: number | undefined, cursor: string | undefined): PageRequest {
  const l = limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(l) || l < 1 || l > MAX_LIMIT) {
    throw new AppError('VALIDATION', `limit must be an integer between 1 and ${MAX_LIMIT}`, { limit });
  }
  if (cursor === undefined || cursor === '') return { limit: l, after: null };
  if (!/^\d{1,15}$/.test(cursor)) throw new AppError('VALIDATION', 'cursor is not one this server handed out', { cursor });
  return { limit: l, after: Number(cursor) };
}

/** Turns `limit + 1` fetched rows into a page and the cursor of the next one. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? String(last.id) : null };
}
