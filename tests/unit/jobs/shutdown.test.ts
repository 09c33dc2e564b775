// The stop sequence of `casemail start`: graceful first, forced by a second signal or a timeout.
import { describe, expect, it } from 'vitest';
import { FORCED_EXIT_CODE, gracefulShutdown } from '../../../src/cli/service.js';
import { readHeaders } from '../../../src/pipeline/quarantine.js';
import { silentLogger } from '../../../src/platform/logger.js';

const never = () => new Promise<void>(() => undefined);

describe('graceful shutdown', () => {
  it('stops once and resolves when the stop is done, without exiting', async () => {
    const exits: number[] = [];
    let stops = 0;
    const s = gracefulShutdown({ stop: () => Promise.resolve(void (stops += 1)), log: silentLogger(), exit: (c) => exits.push(c) });
    s.onSignal('SIGTERM');
    await s.done;
    expect(stops).toBe(1);
    expect(exits).toEqual([]);
  });

  it('a second signal forces the exit while the stop still runs', () => {
    const exits: number[] = [];
    const s = gracefulShutdown({ stop: never, log: silentLogger(), exit: (c) => exits.push(c) });
    s.onSignal('SIGTERM');
    expect(exits).toEqual([]);
    s.onSignal('SIGTERM');
    expect(exits).toEqual([FORCED_EXIT_CODE]);
  });

  it('a stop that hangs past the timeout forces the exit', async () => {
    const exits: number[] = [];
    const s = gracefulShutdown({ stop: never, log: silentLogger(), exit: (c) => exits.push(c), forceAfterMs: 50 });
    s.onSignal('SIGINT');
    await new Promise((r) => setTimeout(r, 120));
    expect(exits).toEqual([FORCED_EXIT_CODE]);
  });
});

describe('quarantine headers', () => {
  it('are read up to the blank line and unfolded', () => {
    const raw = Buffer.from('From: a@example.com\r\nSubject: one\r\n two\r\nX-Bad line\r\n\r\nBody: not a header\r\n');
    expect(readHeaders(raw)).toEqual([{ name: 'From', value: 'a@example.com' }, { name: 'Subject', value: 'one two' }]);
  });
});
