// Every template, in every locale and with every sample variant, composed as the outbox
// worker composes it (our headers, the flowed text part, the HTML part) and written by
// nodemailer, is scored by a real SpamAssassin in local mode (-L: no network tests): no
// mail may score above 0.1. The hidden preheader once cost 0.7 on every mail
// (HTML_FONT_LOW_CONTRAST, white text on white). Skipped, saying so, without spamassassin;
// scripts/install-test-servers.sh installs it from Debian's packages.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMail } from '../../../src/outbound/compose.js';
import type { OutboxRow } from '../../../src/outbound/outbox-store.js';
import { hidePreheader } from '../../../src/outbound/preheader.js';
import type { Renderer } from '../../../src/outbound/render.js';
import { LOCALES, TEMPLATE_NAMES, type TemplateName } from '../../../src/outbound/templates/registry.js';
import { samplesOf } from '../../../src/outbound/templates/samples.js';
import { testConfig } from '../../support/config.js';
import { realRenderer } from '../../support/templates.js';

/** Looked up on the PATH, not run: even `--version` makes SpamAssassin create ~/.spamassassin. */
const available = (process.env.PATH ?? '').split(delimiter).some((dir) => {
  try {
    accessSync(join(dir, 'spamassassin'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
const MAX_SCORE = 0.1;

interface Scored { name: string; score: number; rules: string }

let renderer: Renderer;
let home: string;
/**
 * SpamAssassin creates its state directory in the home of the user (from the password
 * database, whatever $HOME says) on every run: removed afterwards when this test made it.
 */
const stateDir = join(userInfo().homedir, '.spamassassin');
const stateDirExisted = existsSync(stateDir);

beforeAll(async () => {
  renderer = await realRenderer();
  // user_prefs and Bayes files go to a home of our own.
  home = mkdtempSync(join(tmpdir(), 'casemail-sa-'));
});
afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  if (!stateDirExisted) rmSync(stateDir, { recursive: true, force: true });
});

const config = testConfig({ http: { publicUrl: 'https://support.example.com' } });
const now = new Date('2026-03-10T09:00:00Z');
const incident = { id: 7, reference: 'INC-000123', title: 'Label printer stops after firmware update', replySecret: 'secret-0123456789', rootMessageId: '<root-1@customer.example>', openedAt: new Date('2026-03-02T08:15:00Z'), status: 'open' };

function row(id: number, template: TemplateName, locale: string): OutboxRow {
  return {
    id, dedupe_key: `k${id}`, template, locale, to_address: 'claire.dubois@morel-transports.example', cc: [], incident_id: incident.id, auto_submitted: 'auto-generated',
    data: {}, threading: { inReplyTo: incident.rootMessageId, references: [incident.rootMessageId] }, message_id: `<m${id}.x@support.example.com>`,
    status: 'pending', attempts: 0, next_attempt_at: now, last_error: null, claimed_by: null, created_at: now, sent_at: null,
  };
}

/** Every template × locale × sample as one mbox, in a known order. */
async function mailbox(): Promise<{ names: string[]; mbox: Buffer }> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const names: string[] = [];
  const parts: Buffer[] = [];
  let id = 0;
  for (const locale of LOCALES) {
    for (const name of TEMPLATE_NAMES) {
      for (const data of samplesOf(name)) {
        id += 1;
        const rendered = renderer.render(name, locale, data);
        const message = composeMail({ row: row(id, name, locale), incident, rendered, cc: [], offerUnsubscribe: true, config, now });
        const info = await transport.sendMail(message);
        const text = (info.message as Buffer).toString('latin1').replace(/\r\n/g, '\n').replace(/^From /gm, '>From ');
        parts.push(Buffer.from(`From support@support.example.com Tue Mar 10 09:00:00 2026\n${text}\n`, 'latin1'));
        names.push(`${locale}/${name}#${id}`);
      }
    }
  }
  return { names, mbox: Buffer.concat(parts) };
}

function score(mbox: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('spamassassin', ['-L', '-t', '-x', '-p', join(home, 'user_prefs'), '--mbox', '--cf=use_bayes 0', '--cf=bayes_auto_learn 0'], { env: { ...process.env, HOME: home }, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
    child.stdin?.end(mbox);
  });
}

function parse(output: string, names: string[]): Scored[] {
  const statuses = [...output.matchAll(/^X-Spam-Status: \w+, score=(-?[\d.]+) required=[\d.]+ tests=([^\n]*(?:\n\t[^\n]*)*)/gm)];
  return statuses.map((m, i) => ({ name: names[i] ?? '?', score: Number(m[1]), rules: (m[2] ?? '').replace(/\s+/g, '') }));
}

describe('the hidden preheader', () => {
  it('is hidden without any colour (no white-on-white text)', () => {
    const mjml = '<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;">Hi</div>';
    expect(hidePreheader(mjml)).toBe('<div style="display:none;max-height:0;max-width:0;overflow:hidden;mso-hide:all;">Hi</div>');
    for (const locale of LOCALES) {
      for (const name of TEMPLATE_NAMES) expect(renderer.render(name, locale, samplesOf(name)[0] as never).html).not.toMatch(/display:none;[^"]*color:/);
    }
  });
});

describe.skipIf(!available)(`SpamAssassin local score of every template${available ? '' : ' (skipped: spamassassin is not installed; run scripts/install-test-servers.sh)'}`, () => {
  it(`no template scores above ${MAX_SCORE}`, async () => {
    const { names, mbox } = await mailbox();
    const scored = parse(await score(mbox), names);
    expect(scored).toHaveLength(names.length);
    expect(scored.filter((s) => s.score > MAX_SCORE)).toEqual([]);
  }, 300_000);
});
