/**
 * OAuth2 credentials in the configuration: a mailbox needs a password or oauth2 (named in
 * the start-up error), never both, and every oauth2 secret can come from a *_FILE variable.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

const minimal = {
  mail: { domain: 'support.example.com', supportAddress: 'support@support.example.com' },
  tsc: { phone: '+1 800 555 0100' },
  security: { linkSecret: 'a-long-enough-secret-value' },
};
const mailbox = { name: 'support', host: 'outlook.office365.com', user: 'support@example.com' };
const oauth2 = {
  tokenUrl: 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
  clientId: 'client',
  clientSecret: 'secret',
  refreshToken: 'refresh',
};

function load(extra: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({ dir: '/nonexistent-config-dir', env, overrides: { ...minimal, ...extra } as never });
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function secretFile(value: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'casemail-secret-')), 'secret');
  writeFileSync(file, `${value}\n`);
  return file;
}

describe('oauth2 configuration', () => {
  it('accepts a mailbox with oauth2 instead of a password', () => {
    const cfg = load({ imap: { mailboxes: [{ ...mailbox, oauth2: { ...oauth2, method: 'XOAUTH2' } }] } });
    expect(cfg.imap.mailboxes[0]?.oauth2).toMatchObject({ ...oauth2, method: 'XOAUTH2' });
    expect(cfg.imap.mailboxes[0]?.password).toBeUndefined();
  });

  it('names the password key when a mailbox has neither password nor oauth2, even beside other errors', () => {
    const problems = problemsOf(() => load({ imap: { mailboxes: [{ ...mailbox, port: 'imap' }] } }));
    expect(problems).toEqual(
      expect.arrayContaining(['imap.mailboxes.0.password: either password or oauth2 is required', expect.stringMatching(/^imap\.mailboxes\.0\.port:/)]),
    );
  });

  it('refuses a mailbox with both a password and oauth2', () => {
    const problems = problemsOf(() => load({ imap: { mailboxes: [{ ...mailbox, password: 'p', oauth2 }] } }));
    expect(problems).toEqual(['imap.mailboxes.0.oauth2: give either password or oauth2, not both']);
  });

  it('lists each missing oauth2 key and a bad method', () => {
    const problems = problemsOf(() => load({ smtpOut: { oauth2: { tokenUrl: 'not a url', method: 'PLAIN' } } }));
    const keys = problems.map((p) => p.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining(['smtpOut.oauth2.tokenUrl', 'smtpOut.oauth2.clientId', 'smtpOut.oauth2.clientSecret', 'smtpOut.oauth2.refreshToken', 'smtpOut.oauth2.method']),
    );
  });

  it('wants an account address for smtpOut oauth2 and refuses it beside a password', () => {
    expect(problemsOf(() => load({ smtpOut: { oauth2 } }))).toEqual(['smtpOut.user: oauth2 needs the account address here or in oauth2.user']);
    expect(problemsOf(() => load({ smtpOut: { user: 'a@example.com', password: 'p', oauth2 } }))).toEqual([
      'smtpOut.oauth2: give either password or oauth2, not both',
    ]);
    expect(load({ smtpOut: { oauth2: { ...oauth2, user: 'a@example.com' } } }).smtpOut.oauth2?.user).toBe('a@example.com');
  });

  it('reads oauth2 secrets for a mailbox and smtpOut from *_FILE variables', () => {
    const cfg = load(
      { imap: { mailboxes: [{ ...mailbox, oauth2: { tokenUrl: oauth2.tokenUrl, clientId: 'client' } }] } },
      {
        CASEMAIL__IMAP__MAILBOXES__0__OAUTH2__CLIENT_SECRET_FILE: secretFile('imap-client-secret'),
        CASEMAIL__IMAP__MAILBOXES__0__OAUTH2__REFRESH_TOKEN_FILE: secretFile('imap-refresh'),
        CASEMAIL__SMTP_OUT__USER: 'support@example.com',
        CASEMAIL__SMTP_OUT__OAUTH2__TOKEN_URL: oauth2.tokenUrl,
        CASEMAIL__SMTP_OUT__OAUTH2__CLIENT_ID: 'client',
        CASEMAIL__SMTP_OUT__OAUTH2__CLIENT_SECRET_FILE: secretFile('smtp-client-secret'),
        CASEMAIL__SMTP_OUT__OAUTH2__REFRESH_TOKEN_FILE: secretFile('smtp-refresh'),
        CASEMAIL__SMTP_OUT__OAUTH2__SCOPE: 'https://outlook.office.com/SMTP.Send offline_access',
      },
    );
    expect(cfg.imap.mailboxes[0]?.oauth2).toMatchObject({ clientSecret: 'imap-client-secret', refreshToken: 'imap-refresh' });
    expect(cfg.smtpOut.oauth2).toEqual({
      tokenUrl: oauth2.tokenUrl,
      clientId: 'client',
      clientSecret: 'smtp-client-secret',
      refreshToken: 'smtp-refresh',
      scope: 'https://outlook.office.com/SMTP.Send offline_access',
    });
  });
});
