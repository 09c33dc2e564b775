/**
 * scripts/install-test-servers.sh keeps package installs from starting daemons through
 * policy-rc.d, and leaves the machine as it found it. Regression: it overwrote an existing
 * /usr/sbin/policy-rc.d and its exit trap deleted it, so later installs started services.
 * The guard runs here against a file in a temporary folder (CASEMAIL_POLICY_RC_D).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const GUARD = resolve(import.meta.dirname, '../../../scripts/policy-rc-guard.sh');
const root = mkdtempSync(join(tmpdir(), 'casemail-policy-rc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `body` in bash with the guard sourced, `set -euo pipefail` as the install script has. */
function bash(path: string, body: string): { code: number; out: string } {
  const r = spawnSync('bash', ['-c', `set -euo pipefail; . "${GUARD}"; ${body}`], { env: { ...process.env, CASEMAIL_POLICY_RC_D: path }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

it('with no policy on the machine, one that denies starts is there during the install and gone after, whatever the exit', () => {
  const path = join(root, 'none', 'policy-rc.d');
  spawnSync('mkdir', ['-p', join(root, 'none')]);
  const during = bash(path, `block_service_starts; "${path}" invoke dovecot start || echo "denied $?"`);
  expect(during.out).toContain('denied 101');
  expect(existsSync(path)).toBe(false);
  // A failing install still removes it (exit trap).
  expect(bash(path, 'block_service_starts; false').code).not.toBe(0);
  expect(existsSync(path)).toBe(false);
});

it("an existing policy is left exactly as it was: content, mode, times, inode", () => {
  spawnSync('mkdir', ['-p', join(root, 'mine')]);
  const path = join(root, 'mine', 'policy-rc.d');
  writeFileSync(path, '#!/bin/sh\n# the administrator\'s own policy\nexit 0\n');
  chmodSync(path, 0o750);
  utimesSync(path, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
  const before = statSync(path);
  const r = bash(path, 'block_service_starts; release_service_starts; block_service_starts; exit 0');
  expect(r.code).toBe(0);
  const after = statSync(path);
  expect(readFileSync(path, 'utf8')).toContain("the administrator's own policy");
  expect([after.ino, after.mode, after.mtimeMs, after.size]).toEqual([before.ino, before.mode, before.mtimeMs, before.size]);
});

it('a policy someone else wrote while the install ran is not removed', () => {
  spawnSync('mkdir', ['-p', join(root, 'replaced')]);
  const path = join(root, 'replaced', 'policy-rc.d');
  bash(path, `block_service_starts; printf '#!/bin/sh\\nexit 0\\n' > "${path}"`);
  expect(readFileSync(path, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
});

it('the install script uses the guard, and no longer writes the system file itself', () => {
  const script = readFileSync(resolve(import.meta.dirname, '../../../scripts/install-test-servers.sh'), 'utf8');
  expect(script).toContain('policy-rc-guard.sh');
  expect(script).toContain('block_service_starts');
  expect(script).not.toMatch(/>\s*\/usr\/sbin\/policy-rc\.d/);
  expect(script).not.toMatch(/rm -f \/usr\/sbin\/policy-rc\.d/);
});
