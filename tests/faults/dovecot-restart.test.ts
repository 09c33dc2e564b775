/**
 * Dovecot restarted in the middle of a run loses nothing and doubles nothing: the service
 * (in-process, reading the mailbox over IMAP) has its connection cut while it reads,
 * moves and idles; it reconnects, re-reads what it had not yet moved (recognised as
 * already processed), and picks up the mail that arrived after the restart.
 * Short: 150 messages, 1 restart; FAULT_SCALE=long: 1,000 messages, 5 restarts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { appendReports, countRows, ingestCounts } from '../support/fault-mail.js';
import { reportCounts, scaled } from '../support/fault-scale.js';
import { eventually } from '../support/inbound.js';
import { mailboxConfig, startTestService, type TestService } from '../support/service.js';

const MESSAGES = scaled(150, 1000);
const RESTARTS = scaled(1, 5);

let dovecot: Dovecot;
let svc: TestService;

beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await svc?.stop();
  await dovecot?.stop();
});

it(`${RESTARTS} Dovecot restart(s) during ${MESSAGES} messages: each processed once`, async () => {
  const firstHalf = Math.floor(MESSAGES / 2);
  await appendReports(dovecot, 'imap-restart', 1, firstHalf);
  svc = await startTestService({
    imap: { mailboxes: [mailboxConfig(dovecot, 'support', { batchSize: 25 })] },
    // One customer opens every incident within the hour: each still gets its confirmation.
    limits: { autoRepliesPerAddressPerHour: 1_000_000 },
  });
  for (let r = 1; r <= RESTARTS; r += 1) {
    const target = Math.floor((firstHalf * r) / (RESTARTS + 1));
    await eventually(async () => expect(await countRows(svc.db, 'inbound_messages')).toBeGreaterThanOrEqual(target), 60_000, 20);
    await dovecot.restart();
  }
  // The rest arrives after the restarts: the reconnected source must notice it.
  await appendReports(dovecot, 'imap-restart', firstHalf + 1, MESSAGES);
  await eventually(async () => {
    expect(await countRows(svc.db, 'inbound_messages')).toBe(MESSAGES);
    expect(await dovecot.list('support', 'INBOX')).toHaveLength(0);
  }, scaled(60_000, 300_000), 200);

  const counts = await ingestCounts(svc.db);
  const processedFolder = (await dovecot.list('support', 'casemail.processed')).length;
  reportCounts('dovecot-restart', { messages: MESSAGES, restarts: RESTARTS, ...counts, processedFolder });
  expect(counts).toEqual({ inbound: MESSAGES, processed: MESSAGES, incidents: MESSAGES, distinctRoots: MESSAGES, confirmations: MESSAGES });
  expect(processedFolder).toBe(MESSAGES);
}, scaled(90_000, 600_000));
