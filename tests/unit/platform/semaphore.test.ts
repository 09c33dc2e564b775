import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../../../src/platform/semaphore.js';

/** A task the test finishes by hand, recording when it started. */
function gate(started: string[], name: string): { task: () => Promise<string>; open: () => void } {
  let open: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      started.push(name);
      await done;
      return name;
    },
    open: () => open(),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('semaphore', () => {
  it('runs at most its permits at once, the others in arrival order', async () => {
    const s = createSemaphore(2);
    const started: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => gate(started, n));
    if (!a || !b || !c || !d) throw new Error('gates');
    const results = [a, b, c, d].map((g) => s.run(g.task));
    await tick();
    expect(started).toEqual(['a', 'b']);
    b.open();
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    a.open();
    c.open();
    d.open();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives the permit back when a task fails', async () => {
    const s = createSemaphore(1);
    await expect(s.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await s.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('refuses zero permits', () => {
    expect(() => createSemaphore(0)).toThrow(RangeError);
  });
});
