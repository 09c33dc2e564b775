/**
 * One-click unsubscribe (RFC 8058). Mail clients POST `List-Unsubscribe=One-Click` to the
 * signed link of our List-Unsubscribe header; that switches off every notification of the
 * incident's subscription for the address the link was made for. A GET only shows a page
 * with a button: link scanners and previewers fetch URLs in mail, and a GET that
 * unsubscribed would silently unsubscribe the customers whose mail is scanned.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import type { Config } from '../config/schema.js';
import type { Logger } from '../platform/logger.js';
import { verifyUnsubscribeToken, type UnsubscribeTarget } from '../outbound/unsubscribe-link.js';
import { readLimitedBody } from './body.js';
import type { Route } from './server.js';

export { makeUnsubscribeToken, makeUnsubscribeUrl, verifyUnsubscribeToken } from '../outbound/unsubscribe-link.js';

export interface UnsubscribeDeps {
  db: Knex;
  config: Readonly<Config>;
  log: Logger;
}

const MAX_BODY = 16 * 1024;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendHtml(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem">${body}</body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

function invalidLink(res: ServerResponse): void {
  sendHtml(res, 400, 'Invalid link', '<h1>Invalid link</h1><p>This unsubscribe link is not valid. Please use the link from the mail you received.</p>');
}

/** RFC 8058 §3.1: the body is `List-Unsubscribe=One-Click`, form-urlencoded or multipart. */
export function isOneClickBody(body: string, contentType: string | undefined): boolean {
  if ((contentType ?? '').toLowerCase().startsWith('multipart/form-data')) {
    // The whitespace between the field name and its value holds the blank line: read it in one
    // greedy run and look for the blank line in it (two \s* around it backtrack quadratically).
    const gap = /name="?List-Unsubscribe"?(\s*)One-Click\b/i.exec(body)?.[1];
    return gap !== undefined && /\n\r?\n/.test(gap);
  }
  return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
}

async function referenceOf(db: Knex, incidentId: number): Promise<string | null> {
  const row = (await db('incidents').where({ id: incidentId }).first('reference')) as { reference: string } | undefined;
  return row?.reference ?? null;
}

/** Switches off the four options; returns whether a subscription was there to change. */
export async function unsubscribe(db: Knex, target: UnsubscribeTarget, now: Date): Promise<boolean> {
  const changed = await db('subscriptions')
    .where({ incident_id: target.incidentId })
    .whereRaw('lower(email) = ?', [target.address])
    .update({ on_updated: false, on_escalated: false, on_workaround: false, on_closed: false, updated_at: now });
  return changed > 0;
}

export function unsubscribeRoutes(deps: UnsubscribeDeps): Route[] {
  const secret = deps.config.security.linkSecret;
  const targetOf = (url: URL): UnsubscribeTarget | null => verifyUnsubscribeToken(url.searchParams.get('t') ?? '', secret);

  const showPage = async (_req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const target = targetOf(url);
    if (!target) return invalidLink(res);
    const reference = (await referenceOf(deps.db, target.incidentId)) ?? 'this incident';
    const action = `?t=${encodeURIComponent(url.searchParams.get('t') ?? '')}`;
    sendHtml(
      res,
      200,
      'Unsubscribe',
      `<h1>Unsubscribe</h1><p>Stop all notifications about ${escapeHtml(reference)} to ${escapeHtml(target.address)}?</p>` +
        `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
        `<button type="submit">Unsubscribe</button></form>`,
    );
  };

  const oneClick = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const target = targetOf(url);
    if (!target) return invalidLink(res);
    const raw = await readLimitedBody(req, res, MAX_BODY);
    if (raw === null) {
      sendHtml(res, 413, 'Request too large', '<h1>Request too large</h1><p>Expected List-Unsubscribe=One-Click.</p>');
      return;
    }
    const body = raw.toString('utf8');
    if (!isOneClickBody(body, req.headers['content-type'])) {
      sendHtml(res, 400, 'Bad request', '<h1>Bad request</h1><p>Expected List-Unsubscribe=One-Click.</p>');
      return;
    }
    const found = await unsubscribe(deps.db, target, new Date());
    deps.log.info({ msg: 'unsubscribed', incident: target.incidentId, found });
    // The same answer whether or not a subscription existed: the link proves nothing more.
    sendHtml(res, 200, 'Unsubscribed', '<h1>Unsubscribed</h1><p>You will no longer receive notifications about this incident.</p>');
  };

  return [
    { method: 'GET', path: '/unsubscribe', handler: showPage },
    { method: 'POST', path: '/unsubscribe', handler: oneClick },
  ];
}
