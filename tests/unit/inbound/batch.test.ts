import { describe, expect, it } from 'vitest';
import { contiguousDone, ingestBatch, senderKey, type BatchItem } from '../../../src/inbound/imap/batch.js';
import type { IngestOutcome } from '../../../src/inbound/types.js';

const ok = (uid: number): IngestOutcome => ({ status: 'processed', decision: 'x', inboundId: String(uid) });
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('batch ingestion', () => {
  it('keeps the mail of one sender in order while other senders run alongside', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const item = (uid: number, key: string): BatchItem => ({
      uid, key,
      run: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        log.push(`start ${uid}`);
        await tick();
        log.push(`end ${uid}`);
        inFlight -= 1;
        return ok(uid);
      },
    });
    const items = [item(1, 'a'), item(2, 'b'), item(3, 'a'), item(4, 'c'), item(5, 'a')];
    const { done, error } = await ingestBatch(items, 3, () => false);
    expect(error).toBeNull();
    expect([...done.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
    const aOrder = log.filter((l) => /(1|3|5)$/.test(l));
    expect(aOrder).toEqual(['start 1', 'end 1', 'start 3', 'end 3', 'start 5', 'end 5']);
  });

  it("starts a sender's next mail once the previous one is admitted, before it finishes", async () => {
    const log: string[] = [];
    const item = (uid: number): BatchItem => ({
      uid, key: 'a',
      run: async (admitted) => {
        log.push(`start ${uid}`);
        await tick();
        admitted();
        log.push(`admitted ${uid}`);
        await tick();
        await tick();
        log.push(`end ${uid}`);
        return ok(uid);
      },
    });
    const { done, error } = await ingestBatch([item(1), item(2), item(3)], 8, () => false);
    expect(error).toBeNull();
    expect([...done.keys()].sort()).toEqual([1, 2, 3]);
    // Each one starts after the one before it was admitted and before that one ended.
    for (const uid of [2, 3]) {
      expect(log.indexOf(`start ${uid}`)).toBeGreaterThan(log.indexOf(`admitted ${uid - 1}`));
      expect(log.indexOf(`start ${uid}`)).toBeLessThan(log.indexOf(`end ${uid - 1}`));
    }
  });

  it('stops starting new work after a failure and reports what finished', async () => {
    const items: BatchItem[] = [1, 2, 3, 4].map((uid) => ({
      uid, key: `k${uid}`,
      run: async () => {
        await tick();
        if (uid === 2) throw new Error('database down');
        return ok(uid);
      },
    }));
    const { done, error } = await ingestBatch(items, 1, () => false);
    expect((error as Error).message).toBe('database down');
    expect([...done.keys()]).toEqual([1]);
    expect(contiguousDone([1, 2, 3, 4], (u) => done.has(u))).toBe(1);
  });

  it('reads the sender from raw headers, folded or not', () => {
    expect(senderKey(Buffer.from('Subject: x\r\nFrom: "Doug D." <Doug@DougsDogs.example>\r\n\r\nFrom: body@x.example\r\n'))).toBe('doug@dougsdogs.example');
    expect(senderKey(Buffer.from('From:\r\n  martine@dougsdogs.example (Martine)\r\n\r\nhi'))).toBe('martine@dougsdogs.example');
    expect(senderKey(Buffer.from('Subject: none\r\n\r\nbody'))).toBe('');
  });

  it('advances only over a finished prefix', () => {
    expect(contiguousDone([5, 6, 7], (u) => u !== 6)).toBe(5);
    expect(contiguousDone([5, 6, 7], () => false)).toBeNull();
    expect(contiguousDone([5, 6, 7], () => true)).toBe(7);
  });
});
