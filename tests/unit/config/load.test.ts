import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

function configDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'casemail-config-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(body));
  return dir;
}

const minimal = {
  mail: { domain: 'support.example.com', supportAddress: 'support@support.example.com' },
  tsc: { phone: '+1 800 555 0100' },
  security: { linkSecret: 'a-long-enough-secret-value' },
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('fills defaults from a minimal file and freezes the result', () => {
    const cfg = loadConfig({ dir: configDir({ 'default.json': minimal }), env: {} });
    expect(cfg.limits.attachmentBytes).toBe(10 * 1024 * 1024);
    expect(cfg.reference).toEqual({ prefix: 'INC', digits: 6 });
    expect(cfg.database.url).toBeUndefined();
    expect(Object.isFrozen(cfg.limits)).toBe(true);
  });

  it('lists every bad key with why, in one error', () => {
    const dir = configDir({
      'default.json': {
        ...minimal,
        mail: { domain: 'not a domain', supportAddress: 'nobody' },
        smtpListener: { port: 70000 },
        locale: { timeZone: 'Mars/Olympus' },
        imap: { mailboxes: [{ name: 'support', host: 'imap.example.com', user: 'u' }] },
      },
    });
    const problems = problemsOf(() => loadConfig({ dir, env: { CASEMAIL__LIMITS__ATTACHMENT_BYTES: 'ten' } }));
    const keys = problems.map((p) => p.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining(['mail.domain', 'mail.supportAddress', 'smtpListener.port', 'locale.timeZone', 'imap.mailboxes.0.password', 'limits.attachmentBytes']),
    );
    expect(problems.find((p) => p.startsWith('locale.timeZone'))).toMatch(/IANA time zone/);
  });

  it('refuses more ingest transactions than the database pool can spare, naming the key', () => {
    const dir = configDir({ 'default.json': { ...minimal, database: { url: 'postgres://casemail@127.0.0.1/casemail', poolMax: 4 }, ingest: { transactions: 4 } } });
    const problems = problemsOf(() => loadConfig({ dir, env: {} }));
    expect(problems).toEqual([expect.stringMatching(/^ingest\.transactions: must be below database\.poolMax/)]);
    expect(loadConfig({ dir, env: { CASEMAIL__INGEST__TRANSACTIONS: '3' } }).ingest.transactions).toBe(3);
  });

  it('names a missing required section', () => {
    const problems = problemsOf(() => loadConfig({ dir: configDir({}), env: {} }));
    expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['mail', 'tsc', 'security']));
  });

  it('takes environment variables over files, mapping names onto the schema', () => {
    const cfg = loadConfig({
      dir: configDir({ 'default.json': minimal }),
      env: {
        CASEMAIL__SMTP_OUT__HOST: 'mx.internal',
        CASEMAIL__SMTP_OUT__POOL: 'false',
        CASEMAIL__SMTP_LISTENER__ACCEPTED_DOMAINS: 'support.example.com, help.example.com',
        DATABASE_URL: 'postgres://casemail@db.internal:5432/casemail',
      },
    });
    expect(cfg.smtpOut.host).toBe('mx.internal');
    expect(cfg.smtpOut.pool).toBe(false);
    expect(cfg.smtpListener.acceptedDomains).toEqual(['support.example.com', 'help.example.com']);
    expect(cfg.database.url).toBe('postgres://casemail@db.internal:5432/casemail');
  });

  it('reads a secret from the file named by NAME_FILE', () => {
    const dir = configDir({ 'default.json': { ...minimal, imap: { mailboxes: [{ name: 'support', host: 'imap.example.com', user: 'support' }] } } });
    const secret = join(dir, 'imap-password');
    writeFileSync(secret, 's3cret-from-file\n');
    const cfg = loadConfig({ dir, env: { CASEMAIL__IMAP__MAILBOXES__0__PASSWORD_FILE: secret } });
    expect(cfg.imap.mailboxes[0]?.password).toBe('s3cret-from-file');
  });

  it('names the variable when a secret file cannot be read', () => {
    const problems = problemsOf(() =>
      loadConfig({ dir: configDir({ 'default.json': minimal }), env: { CASEMAIL__SECURITY__LINK_SECRET_FILE: '/nonexistent/secret' } }),
    );
    expect(problems.join('\n')).toMatch(/CASEMAIL__SECURITY__LINK_SECRET_FILE: cannot read secret file/);
  });

  it('layers default.json, <NODE_ENV>.json and local.json in that order', () => {
    const dir = configDir({
      'default.json': { ...minimal, tsc: { phone: 'default' } },
      'production.json': { tsc: { phone: 'production' }, log: { level: 'warn' } },
      'local.json': { tsc: { phone: 'local' } },
    });
    const cfg = loadConfig({ dir, env: { NODE_ENV: 'production' } });
    expect(cfg.tsc.phone).toBe('local');
    expect(cfg.log.level).toBe('warn');
  });

  it('reports a syntax error in a config file with its path', () => {
    const dir = configDir({ 'default.json': minimal });
    writeFileSync(join(dir, 'local.json'), '{ "tsc": ');
    const problems = problemsOf(() => loadConfig({ dir, env: {} }));
    expect(problems[0]).toContain('local.json');
  });

  it('the shipped config/default.json is valid', () => {
    const cfg = loadConfig({ env: {} });
    expect(cfg.mail.domain).toBe('support.example.com');
  });
});
