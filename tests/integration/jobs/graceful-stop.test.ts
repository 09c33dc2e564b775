// `casemail start` as an operator runs it: SIGTERM stops taking mail, waits for the
// scheduler and the rest, closes the database and exits 0 well within the 30 s limit.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCasemail } from '../../support/process.js';
import { createTestDb, type TestDb } from '../../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('SIGTERM stops the service cleanly with exit code 0', async () => {
  const p = startCasemail({
    CASEMAIL__DATABASE__URL: t.url,
    CASEMAIL__HTTP__PORT: '0',
    CASEMAIL__SMTP_LISTENER__ENABLED: 'true',
    CASEMAIL__SMTP_LISTENER__PORT: '0',
    CASEMAIL__SMTP_LISTENER__ACCEPTED_DOMAINS: 'support.example.com',
    CASEMAIL__LOG__LEVEL: 'info',
    // A job on every second, so the stop finds the scheduler busy or about to be.
    CASEMAIL__JOBS__RETENTION__CRON: '* * * * * *',
  });
  try {
    await waitFor(() => p.output().includes('casemail started'), 20_000);
    await waitFor(() => p.output().includes('"job":"retention"'), 5_000);
    const signalled = Date.now();
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(30_000);
    const out = p.output();
    const order = ['SMTP listener stopped', 'scheduler stopped', 'http', 'casemail stopped'].map((s) => out.lastIndexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(out.indexOf('SMTP listener stopped')).toBeLessThan(out.indexOf('scheduler stopped'));
    expect(out.indexOf('scheduler stopped')).toBeLessThan(out.indexOf('casemail stopped'));
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});
