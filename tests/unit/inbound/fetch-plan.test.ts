import { describe, expect, it } from 'vitest';
import { planFetches } from '../../../src/inbound/imap/fetch-plan.js';

const MB = 1024 * 1024;
const sized = (...sizes: number[]) => sizes.map((size, i) => ({ uid: 101 + i, size }));

describe('planning the fetches of a batch', () => {
  it('reads a backlog of small mails in one fetch', () => {
    expect(planFetches(sized(...Array<number>(200).fill(4_000)), { maxMessages: 200, maxBytes: 16 * MB })).toEqual([
      Array.from({ length: 200 }, (_, i) => 101 + i),
    ]);
  });

  it('never fetches more than the byte budget at once, and keeps UID order', () => {
    const messages = sized(6 * MB, 6 * MB, 6 * MB, 1_000, 10 * MB, 2_000);
    const fetches = planFetches(messages, { maxMessages: 200, maxBytes: 16 * MB });
    expect(fetches).toEqual([[101, 102], [103, 104], [105, 106]]);
    const sizeOf = new Map(messages.map((m) => [m.uid, m.size]));
    for (const uids of fetches) expect(uids.reduce((sum, uid) => sum + (sizeOf.get(uid) ?? 0), 0)).toBeLessThanOrEqual(16 * MB);
  });

  it('reads a message larger than the budget alone, whatever surrounds it', () => {
    const fetches = planFetches(sized(2_000, 14 * MB, 14 * MB, 2_000), { maxMessages: 200, maxBytes: 8 * MB });
    expect(fetches).toEqual([[101], [102], [103], [104]]);
  });

  it('still splits by count when the bytes would allow more', () => {
    expect(planFetches(sized(10, 10, 10, 10, 10), { maxMessages: 2, maxBytes: 16 * MB })).toEqual([[101, 102], [103, 104], [105]]);
  });

  it('counts a message whose size the server did not report as small, and plans nothing for nothing', () => {
    expect(planFetches(sized(0, Number.NaN, 10), { maxMessages: 10, maxBytes: 16 })).toEqual([[101, 102, 103]]);
    expect(planFetches([], { maxMessages: 10, maxBytes: 16 })).toEqual([]);
  });
});
