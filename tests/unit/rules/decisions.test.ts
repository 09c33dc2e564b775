import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/rules/decide.js';
import { AR, CFC, closedDaysAgo, DOUG, EICC, ERIN, IT_SUPPORT, MARTINE, NOOBS, OPEN_INC, OTHER_CUSTOMER, QMS, STRANGER, buildFacts, type Case } from './facts-builder.js';

interface Row {
  name: string;
  facts: Case;
  decision: unknown;
  /** [rule, text the rule's trace line must contain (saw or concluded)] */
  trace?: [string, string][];
}

const bySubject = { subjectIncident: OPEN_INC };
const byMessageId = { messageIdIncident: OPEN_INC };
const signed = (verified: boolean) => ({ signed: { incident: OPEN_INC, verified, address: 'support+inc-000100.abcdefabcdef@support.example.com' } });
const customer = (command: unknown) => ({ kind: 'command', actor: 'customer', command });
const engineer = (command: unknown) => ({ kind: 'command', actor: 'engineer', command });
const refusal = (refusal: unknown) => ({ kind: 'refusal', refusal });
const held = { kind: 'quarantine', hold: 'sender-auth' };

const ROWS: Row[] = [
  // Screening
  { name: 'auto-reply is ignored', facts: { screen: { kind: 'auto-reply', reason: 'Auto-Submitted: auto-replied' } }, decision: { kind: 'ignore', reason: 'auto-reply' }, trace: [['screened', 'Auto-Submitted']] },
  { name: 'list mail is ignored', facts: { screen: { kind: 'list', reason: 'List-Id: x' } }, decision: { kind: 'ignore', reason: 'list' } },
  { name: 'our own mail is ignored', facts: { screen: { kind: 'loop', reason: 'X-Casemail-Loop: casemail-1' } }, decision: { kind: 'ignore', reason: 'loop' } },
  { name: 'a bounce is recorded, never answered', facts: { screen: { kind: 'bounce', reason: 'DSN', report: null, failures: [{ recipient: 'a@b.example', severity: 'hard', cause: 'user-unknown', status: '5.1.1', source: 'report' }], severity: 'hard', cause: 'user-unknown', returned: null, outboxId: null } }, decision: { kind: 'ignore', reason: 'bounce-recorded' }, trace: [['screened', 'a@b.example']] },
  { name: 'a message already on a timeline changes nothing', facts: { alreadyHandled: 7, subject: 'Telrex down' }, decision: { kind: 'ignore', reason: 'already-processed' } },
  { name: 'no From address', facts: { sender: { ...STRANGER, email: null } }, decision: { kind: 'ignore', reason: 'no-sender' } },

  // New incidents and entitlement
  { name: 'former name in the subject picks the product', facts: { subject: 'Telrex recorder crash' }, decision: { kind: 'new-incident', product: QMS, linkedIncidentId: null }, trace: [['new-incident', 'product QMS from subject']] },
  { name: 'Product: line wins over the subject', facts: { subject: 'Telrex and Arc', text: 'Product: Console for Cisco\nIt fails.' }, decision: { kind: 'new-incident', product: CFC }, trace: [['new-incident', 'from product-line']] },
  { name: 'French Produit: line', facts: { subject: 'Problème', text: 'Produit : Arc\nÇa plante.' }, decision: { kind: 'new-incident', product: CFC } },
  { name: 'the mailbox product comes first', facts: { subject: 'Telrex?', mailboxProduct: 'CFC' }, decision: { kind: 'new-incident', product: CFC }, trace: [['new-incident', 'from mailbox']] },
  { name: 'the only covered product is assumed', facts: { sender: OTHER_CUSTOMER, subject: 'It is broken' }, decision: { kind: 'new-incident', product: CFC }, trace: [['new-incident', 'only-covered']] },
  { name: 'refusal: product ambiguous lists the covered products', facts: { subject: 'It is broken' }, decision: refusal({ reason: 'product-ambiguous', candidates: [QMS, CFC] }) },
  { name: 'refusal: contract expired, with its end date', facts: { subject: 'Zeacom queues down' }, decision: refusal({ reason: 'contract-expired', product: EICC, endsOn: '2026-06-30' }), trace: [['new-incident', 'ended 2026-06-30']] },
  { name: 'refusal: product not covered by the account', facts: { sender: OTHER_CUSTOMER, subject: 'Telrex recorder' }, decision: refusal({ reason: 'product-not-covered', requested: QMS.name }) },
  { name: 'refusal: unknown product name', facts: { text: 'Product: Frobnicator\nhelp me' , subject: 'issue' }, decision: refusal({ reason: 'product-not-covered', requested: 'Frobnicator' }) },
  { name: 'refusal: an account without any contract', facts: { sender: NOOBS, subject: 'Arc console broken' }, decision: refusal({ reason: 'product-not-covered', requested: CFC.name }) },
  { name: 'refusal: unknown sender', facts: { sender: STRANGER, subject: 'Telrex broken' }, decision: refusal({ reason: 'unknown-sender' }), trace: [['unknown-sender', 'no contact']] },
  { name: 'Reply-To spoofing grants nothing', facts: { sender: STRANGER, replyTo: ['doug@dougsdogs.example'], subject: 'Telrex broken' }, decision: refusal({ reason: 'unknown-sender' }), trace: [['unknown-sender', 'Reply-To doug@dougsdogs.example grants nothing']] },
  { name: 'a support contact who is no contact cannot open incidents', facts: { sender: IT_SUPPORT, subject: 'Telrex broken' }, decision: refusal({ reason: 'unknown-sender' }) },
  { name: 'unauthenticated mail may still open an incident (require)', facts: { subject: 'Telrex broken', policy: 'require' }, decision: { kind: 'new-incident', product: QMS } },
  { name: 'refusals are rate-limited', facts: { sender: STRANGER, subject: 'x', autoReplies: 5 }, decision: refusal({ reason: 'rate-limited', wouldHave: 'unknown-sender' }), trace: [['rate-limit', '5 automatic answers']] },

  // Contact ID
  ...['Contact ID', 'Contact ID?', 'Request ID', 'What is my Contact ID', "what's my contact id?", 'Identifiant de contact', 'Quel est mon numéro de contact ?'].map((subject): Row => ({ name: `Contact ID request "${subject}"`, facts: { subject }, decision: { kind: 'contact-id', known: true } })),
  { name: 'Contact ID request on the first line', facts: { subject: 'hello', text: 'What is my Contact ID?\nThanks' }, decision: { kind: 'contact-id', known: true } },
  { name: 'Contact ID request from an unknown address', facts: { sender: STRANGER, subject: 'Contact ID?' }, decision: { kind: 'contact-id', known: false } },
  { name: 'Contact ID over the hourly limit', facts: { subject: 'Contact ID?', autoReplies: 9 }, decision: refusal({ reason: 'rate-limited', wouldHave: 'contact-id' }) },
  { name: 'Contact ID, DMARC fail, policy prefer: held for review', facts: { subject: 'Contact ID?', auth: [AR.dmarcFail], policy: 'prefer' }, decision: held, trace: [['forged-sender', 'dmarc=fail for doug@dougsdogs.example (contact 100234)']] },
  { name: 'Contact ID, DMARC fail, policy require: held for review', facts: { subject: 'Contact ID?', auth: [AR.dmarcFail], policy: 'require' }, decision: held },
  { name: 'Contact ID, DMARC fail, policy off', facts: { subject: 'Contact ID?', auth: [AR.dmarcFail], policy: 'off' }, decision: { kind: 'contact-id', known: true } },
  { name: 'Contact ID, no results, policy require', facts: { subject: 'Contact ID?', policy: 'require' }, decision: refusal({ reason: 'auth-required', what: 'Contact ID request' }) },
  { name: 'Contact ID, results from an untrusted server do not count', facts: { subject: 'Contact ID?', policy: 'require', auth: [AR.untrustedPass] }, decision: refusal({ reason: 'auth-required', what: 'Contact ID request' }) },
  { name: 'Contact ID, DMARC pass, policy require', facts: { subject: 'Contact ID?', policy: 'require', auth: [AR.dmarcPass] }, decision: { kind: 'contact-id', known: true } },
  { name: 'Contact ID, aligned DKIM, policy require', facts: { subject: 'Contact ID?', policy: 'require', auth: [AR.dkimAligned] }, decision: { kind: 'contact-id', known: true } },

  // Customer commands, English and French
  ...['help', 'aide'].map((w): Row => ({ name: w, facts: { subject: w }, decision: customer({ name: 'help', unknown: null }) })),
  ...['list', 'liste'].map((w): Row => ({ name: w, facts: { subject: w }, decision: customer({ name: 'list' }) })),
  ...['profile', 'profil'].map((w): Row => ({ name: w, facts: { subject: w }, decision: customer({ name: 'profile' }) })),
  ...['status INC-000100', 'statut INC-000100'].map((w): Row => ({ name: w, facts: { subject: w, thread: bySubject }, decision: customer({ name: 'status', incidentId: 100 }) })),
  { name: 'status on the first line', facts: { subject: 'question', text: 'status INC-000100', thread: bySubject }, decision: customer({ name: 'status', incidentId: 100 }) },
  { name: 'status of another account’s incident is refused', facts: { sender: OTHER_CUSTOMER, subject: 'status INC-000100', thread: bySubject }, decision: refusal({ reason: 'not-entitled', what: 'status INC-000100' }) },
  { name: 'status of an unknown incident', facts: { subject: 'status INC-000999' }, decision: refusal({ reason: 'unknown-incident', reference: 'INC-000999' }) },
  { name: 'status, DMARC fail, policy prefer: held for review', facts: { subject: 'status INC-000100', thread: bySubject, auth: [AR.dmarcFail] }, decision: held },
  ...['close', 'fermer', 'clore'].map((w): Row => ({ name: `${w} in a reply`, facts: { subject: 'Re: [INC-000100] recorder', text: `${w}\n\nOn Monday, Support wrote:\n> hi`, thread: byMessageId }, decision: customer({ name: 'close', incidentId: 100 }) })),
  { name: 'close by a mere support contact is refused', facts: { sender: IT_SUPPORT, subject: 'Re: [INC-000100]', text: 'close', thread: byMessageId }, decision: refusal({ reason: 'not-entitled', what: 'close INC-000100' }) },
  { name: 'close through a verified signed address, DMARC fail: held, the tag does not outweigh the failure', facts: { subject: 'Re: x', text: 'close', auth: [AR.dmarcFail], thread: signed(true) }, decision: held },
  { name: 'close through a verified signed address, DMARC fail, policy off', facts: { subject: 'Re: x', text: 'close', auth: [AR.dmarcFail], thread: signed(true), policy: 'off' }, decision: customer({ name: 'close', incidentId: 100 }) },
  { name: 'notify updated closed', facts: { subject: 'Re: [INC-000100]', text: 'notify updated closed', thread: byMessageId }, decision: customer({ name: 'notify', incidentId: 100, options: { updated: true, escalated: false, workaround: false, closed: true } }) },
  { name: 'notifier aucun', facts: { subject: 'Re: [INC-000100]', text: 'notifier aucun', thread: byMessageId }, decision: customer({ name: 'notify', incidentId: 100, options: { updated: false, escalated: false, workaround: false, closed: false } }) },
  { name: 'notify with unknown words gets help', facts: { subject: 'Re: [INC-000100]', text: 'notify sometimes', thread: byMessageId }, decision: customer({ name: 'help', unknown: 'notify sometimes' }) },
  { name: 'kb words', facts: { subject: 'kb operator directory' }, decision: customer({ name: 'kb', query: { kind: 'search', text: 'operator directory' } }) },
  { name: 'base recherche mots', facts: { subject: 'base recherche transferts appels' }, decision: customer({ name: 'kb', query: { kind: 'search', text: 'transferts appels' } }) },
  { name: '"Base de données …" as a subject is a problem report, not a search', facts: { subject: 'Base de données inaccessible', text: 'Produit : Arc\nLa console ne démarre plus.' }, decision: { kind: 'new-incident', product: CFC } },
  { name: 'kb article id', facts: { subject: 'kb 12' }, decision: customer({ name: 'kb', query: { kind: 'article', idOrSlug: '12' } }) },
  { name: 'kb alone', facts: { subject: 'kb' }, decision: customer({ name: 'kb', query: { kind: 'index' } }) },
  { name: 'an unknown one-word command gets help', facts: { subject: 'frobnicate' }, decision: customer({ name: 'help', unknown: 'frobnicate' }) },
  { name: 'a sentence starting with "Close" is no command', facts: { subject: 'Telrex', text: 'Close to the limit, the disk fills.' }, decision: { kind: 'new-incident', product: QMS } },
  { name: 'commands from unknown addresses are refused as unknown sender', facts: { sender: STRANGER, subject: 'list' }, decision: refusal({ reason: 'unknown-sender' }) },

  // Replies and threading
  { name: 'reply from the reporter by Message-ID', facts: { subject: 'Re: [INC-000100] recorder', text: 'more', thread: byMessageId }, decision: { kind: 'update', incidentId: 100, reopen: false }, trace: [['reply', 'sender is reporter']] },
  { name: 'reply by subject alone from a colleague', facts: { sender: MARTINE, subject: 'RE : [INC-000100] recorder', text: 'more', thread: bySubject }, decision: { kind: 'update', incidentId: 100, reopen: false }, trace: [['reply', 'contact of the same account']] },
  { name: 'reply from a support contact of the account', facts: { sender: IT_SUPPORT, subject: 'Re: [INC-000100]', text: 'more', thread: bySubject }, decision: { kind: 'update', incidentId: 100, reopen: false } },
  { name: 'a stranger copying a reference gets the unknown-sender answer', facts: { sender: STRANGER, subject: 'Re: [INC-000100] recorder', text: 'send logs', thread: bySubject }, decision: refusal({ reason: 'unknown-sender' }), trace: [['reply', 'not entitled to INC-000100: handled as a new mail']] },
  { name: 'another customer copying a reference opens their own incident', facts: { sender: OTHER_CUSTOMER, subject: 'Re: [INC-000100] Arc', text: 'me too', thread: bySubject }, decision: { kind: 'new-incident', product: CFC, linkedIncidentId: null }, trace: [['reply', 'not entitled']] },
  { name: 'subject-only update, DMARC fail, policy require: held', facts: { subject: 'Re: [INC-000100]', text: 'more', thread: bySubject, auth: [AR.dmarcFail], policy: 'require' }, decision: held },
  { name: 'subject-only update, DMARC fail, policy prefer: held', facts: { subject: 'Re: [INC-000100]', text: 'more', thread: bySubject, auth: [AR.dmarcFail], policy: 'prefer' }, decision: held, trace: [['forged-sender', 'acts on nothing until released']] },
  { name: 'In-Reply-To names our mail, DMARC fail: held', facts: { subject: 'Re: x', text: 'more', thread: byMessageId, auth: [AR.dmarcFail] }, decision: held },
  { name: 'a verified signed address, DMARC fail: held', facts: { subject: 'anything', text: 'more', thread: signed(true), auth: [AR.dmarcFail] }, decision: held },
  { name: 'a new problem, DMARC fail: held, no incident opened in the contact’s name', facts: { subject: 'Telrex broken', auth: [AR.dmarcFail] }, decision: held },
  { name: 'DMARC fail from an unknown address: nothing to impersonate, the usual refusal', facts: { sender: STRANGER, subject: 'Telrex broken', auth: [AR.dmarcFail] }, decision: refusal({ reason: 'unknown-sender' }), trace: [['forged-sender', 'nothing to impersonate']] },
  { name: 'released after review: the In-Reply-To update goes through', facts: { subject: 'Re: x', text: 'more', thread: byMessageId, auth: [AR.dmarcFail], releasedBy: 'erin.engineer@support.example.com' }, decision: { kind: 'update', incidentId: 100, reopen: false }, trace: [['forged-sender', 'released by erin.engineer@support.example.com']] },
  { name: 'released after review: a subject-only update goes through', facts: { subject: 'Re: [INC-000100]', text: 'more', thread: bySubject, auth: [AR.dmarcFail], releasedBy: 'erin.engineer@support.example.com' }, decision: { kind: 'update', incidentId: 100, reopen: false } },
  { name: 'subject-only update, DMARC fail, policy off', facts: { subject: 'Re: [INC-000100]', text: 'more', thread: bySubject, auth: [AR.dmarcFail], policy: 'off' }, decision: { kind: 'update', incidentId: 100, reopen: false } },
  { name: 'subject-only update, no results, policy prefer', facts: { subject: 'Re: [INC-000100]', text: 'more', thread: bySubject, policy: 'prefer' }, decision: { kind: 'update', incidentId: 100, reopen: false } },
  { name: 'Message-ID proves the incident: no authentication needed', facts: { subject: 'Re: x', text: 'more', thread: byMessageId, policy: 'require' }, decision: { kind: 'update', incidentId: 100, reopen: false } },
  { name: 'a verified signed address proves the sender under require', facts: { subject: 'anything', text: 'more', thread: signed(true), policy: 'require' }, decision: { kind: 'update', incidentId: 100, reopen: false }, trace: [['reply', 'verifies for the sender']] },
  { name: 'an unverified signed address is ignored', facts: { sender: STRANGER, subject: 'anything', text: 'more', thread: signed(false) }, decision: refusal({ reason: 'unknown-sender' }), trace: [['reply', 'no incident reference']] },
  { name: 'closed incident, policy reopen', facts: { subject: 'Re: [INC-000100]', text: 'again', thread: { messageIdIncident: closedDaysAgo(60) }, closed: { policy: 'reopen', days: 14 } }, decision: { kind: 'update', incidentId: 100, reopen: true }, trace: [['reply', 'policy reopen']] },
  { name: 'closed incident, new-after 14, closed 3 days ago: reopen', facts: { subject: 'Re: [INC-000100]', text: 'again', thread: { messageIdIncident: closedDaysAgo(3) } }, decision: { kind: 'update', incidentId: 100, reopen: true } },
  { name: 'closed incident, new-after 14, closed 30 days ago: new linked incident', facts: { subject: 'Re: [INC-000100]', text: 'again', thread: { messageIdIncident: closedDaysAgo(30) } }, decision: { kind: 'new-incident', product: QMS, linkedIncidentId: 100 }, trace: [['reply', 'new incident linked to INC-000100']] },

  // Engineers
  { name: 'engineer plain reply', facts: { sender: ERIN, subject: 'Re: [INC-000100]', text: 'Please restart.', thread: byMessageId }, decision: engineer({ name: 'reply', incidentId: 100 }) },
  { name: 'engineer #note', facts: { sender: ERIN, subject: 'Re: [INC-000100]', text: '#note\ninternal', thread: byMessageId }, decision: engineer({ name: 'note', incidentId: 100 }) },
  { name: 'engineer #escalate', facts: { sender: ERIN, text: '#escalate\nneeds R&D', thread: byMessageId }, decision: engineer({ name: 'escalate', incidentId: 100 }) },
  { name: 'engineer #workaround', facts: { sender: ERIN, text: '#workaround restart the service', thread: byMessageId }, decision: engineer({ name: 'workaround', incidentId: 100, text: 'restart the service' }) },
  { name: 'engineer #close', facts: { sender: ERIN, text: '#close', thread: byMessageId }, decision: engineer({ name: 'close', incidentId: 100 }) },
  { name: 'engineer #assign me', facts: { sender: ERIN, text: '#assign me', thread: byMessageId }, decision: engineer({ name: 'assign-me', incidentId: 100 }) },
  { name: 'engineer #priority high', facts: { sender: ERIN, text: '#priority high', thread: byMessageId }, decision: engineer({ name: 'priority', incidentId: 100, level: 'high' }) },
  { name: 'engineer unknown #command', facts: { sender: ERIN, text: '#frob', thread: byMessageId }, decision: refusal({ reason: 'unknown-command', word: '#frob' }) },
  { name: 'engineer mail without an incident is not a customer mail', facts: { sender: ERIN, subject: 'Telrex question' }, decision: { kind: 'ignore', reason: 'staff-without-incident' } },
  { name: 'engineer command, DMARC fail, policy prefer: held', facts: { sender: ERIN, text: '#close', thread: bySubject, auth: [AR.dmarcFail] }, decision: held },
  { name: 'engineer command through a signed address, DMARC fail: held', facts: { sender: ERIN, text: '#close', thread: signed(true), auth: [AR.dmarcFail] }, decision: held },
  { name: 'engineer command, no results, policy require', facts: { sender: ERIN, text: '#close', thread: byMessageId, policy: 'require' }, decision: refusal({ reason: 'auth-required', what: 'engineer command' }) },
];

describe('decisions', () => {
  it.each(ROWS)('$name', (row) => {
    const { decision, trace } = decide(buildFacts(row.facts));
    expect(decision).toMatchObject(row.decision as object);
    for (const [rule, text] of row.trace ?? []) {
      const line = trace.find((t) => t.rule === rule);
      expect(line, `trace has no line for ${rule}: ${JSON.stringify(trace)}`).toBeDefined();
      expect(`${line?.saw} → ${line?.concluded}`).toContain(text);
    }
  });

  it('every consulted rule leaves a trace line, the deciding one last before the guards', () => {
    const { trace } = decide(buildFacts({ subject: 'Telrex crash' }));
    expect(trace.map((t) => t.rule)).toEqual(['already-processed', 'screened', 'no-sender', 'forged-sender', 'engineer', 'contact-id', 'customer-command', 'reply', 'unknown-sender', 'new-incident', 'rate-limit', 'machine-conversation']);
    expect(trace.at(-3)?.concluded).toBe('new-incident:QMS');
  });

  it('the same Doug contact sees his EICC contract as expired', () => {
    expect(DOUG.contracts.find((c) => c.product.code === 'EICC')?.active).toBe(false);
  });
});
