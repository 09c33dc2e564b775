/**
 * Realistic sample data for every template, typed by the registry. Previews,
 * snapshot tests and the render benchmark all use it, so a template change is
 * seen the same way everywhere.
 */
import type { CommonData, IncidentDetails, TemplateData, TemplateName } from './registry.js';

export const SAMPLE_COMMON: CommonData = {
  recipientName: 'Claire Dubois',
  timeZone: 'Europe/Paris',
  supportAddress: 'support@casemail.example',
  brand: 'casemail support',
};

const INCIDENT: IncidentDetails = {
  reference: 'INC-000123',
  title: 'Label printer stops after firmware update',
  product: 'LabelJet 4200',
  status: 'open',
  openedAt: '2026-03-02T08:15:00Z',
  outage: true,
  engineer: 'Marc Lefèvre',
  priority: 'high',
  urgency: 'high',
  customerTicket: 'HD-88412',
  category: 'Hardware / printing',
  version: '4.2',
  build: '4.2.1187',
};

const REF = { reference: INCIDENT.reference, title: INCIDENT.title };

export const SAMPLES: { [N in TemplateName]: TemplateData[N] } = {
  'incident-created': {
    ...REF,
    product: INCIDENT.product,
    suggestions: [
      {
        id: 'KB-1042', title: 'Printer goes offline after a firmware update', url: 'https://kb.casemail.example/KB-1042',
        snippet: [{ text: 'After a ' }, { text: 'firmware', match: true }, { text: ' ' }, { text: 'update', match: true }, { text: ', reset the network settings from the front panel, then reinstall the driver.' }],
      },
      { id: 'KB-0977', title: 'Downgrading LabelJet firmware', snippet: [{ text: 'How to return to the previous ' }, { text: 'firmware', match: true }, { text: ' while a fix is prepared.' }] },
    ],
  },
  'update-received': { ...REF, receivedAt: '2026-03-02T09:40:00Z', attachmentNames: ['printer-log.txt', 'front-panel.jpg'] },
  'incident-updated': {
    ...REF,
    status: 'pending_customer',
    updatedBy: 'Marc Lefèvre',
    at: '2026-03-03T14:05:00Z',
    message: 'Thank you for the log.\nCould you tell us which firmware version was installed before the update?',
  },
  'incident-escalated': {
    ...REF,
    product: INCIDENT.product,
    version: '4.2',
    at: '2026-03-04T10:00:00Z',
    customerMessage: 'Our developers have reproduced the problem and are preparing a fix.',
  },
  'workaround-provided': {
    ...REF,
    engineer: 'Marc Lefèvre',
    workaround: '1. Open Settings > Media.\n2. Set the label width to 99 mm.\n3. Restart the print queue.',
  },
  'incident-closed': {
    ...REF, closedAt: '2026-03-10T16:30:00Z', resolution: 'Fixed in firmware 4.2.1203, installed on your printers on 10 March.',
    closedBy: 'staff', replyPolicy: 'new-after', reopenUntil: '2026-03-24T16:30:00Z',
  },
  'incident-reopened': { ...REF, reopenedBy: 'Marc Lefèvre', at: '2026-03-12T08:02:00Z', cause: 'staff', reason: 'The problem came back this morning on the second printer.' },
  'journal-note': { ...REF, author: 'Marc Lefèvre', at: '2026-03-05T11:20:00Z', note: 'The fix is being tested and should be released next week.' },
  'contact-id': { contactId: 'C-204-7781', contactName: 'Claire Dubois', accountName: 'Transports Morel SA' },
  'contact-id-unknown': { senderAddress: 'claire.dubois@gmail.example', tscPhone: '+33 1 84 88 00 00' },
  'unknown-sender': { senderAddress: 'j.martin@morel-transports.example', tscPhone: '+33 1 84 88 00 00' },
  'contract-expired': {
    product: 'RouteMaster Fleet',
    endDate: '2025-12-31',
    accountName: 'Transports Morel SA',
    supportContacts: [
      { name: 'Paul Morel', email: 'paul.morel@morel-transports.example', phone: '+33 4 72 00 11 22' },
      { name: 'Inès Garnier', email: 'ines.garnier@morel-transports.example' },
    ],
  },
  'product-not-covered': { requestedProduct: 'ScanPad 300', accountName: 'Transports Morel SA', coveredProducts: ['LabelJet 4200', 'RouteMaster Fleet'] },
  'product-ambiguous': { originalSubject: 'Cannot log in since this morning', candidates: ['LabelJet 4200', 'RouteMaster Fleet', 'DockView'] },
  'attachment-too-large': {
    reference: INCIDENT.reference,
    files: [{ name: 'full-memory-dump.zip', size: 48_234_496 }],
    limitBytes: 20 * 1024 * 1024,
    ftpInstructions: 'Upload the file to ftp.casemail.example with the login "support" and the password "upload".\nPut the incident reference in the file name.',
  },
  'command-help': {},
  'command-list': {
    accountName: 'Transports Morel SA',
    groups: [
      {
        product: 'LabelJet 4200',
        incidents: [
          { reference: 'INC-000123', title: INCIDENT.title, status: 'open', openedAt: '2026-03-02T08:15:00Z' },
          { reference: 'INC-000131', title: 'Blurred barcodes on thermal labels', status: 'pending_customer', openedAt: '2026-03-06T13:45:00Z' },
        ],
      },
      { product: 'RouteMaster Fleet', incidents: [{ reference: 'INC-000140', title: 'Route export to CSV is empty', status: 'new', openedAt: '2026-03-09T07:30:00Z' }] },
    ],
  },
  'command-status': {
    incident: INCIDENT,
    entries: [
      { kind: 'email', author: 'Claire Dubois', at: '2026-03-02T08:15:00Z', text: 'Since last night\'s update, the printer stops after the first label.' },
      { kind: 'note', author: 'Marc Lefèvre', at: '2026-03-03T14:05:00Z', text: 'Reproduced in our lab. Escalated to R&D.' },
    ],
  },
  'command-profile': {
    accountName: 'Transports Morel SA',
    contactName: 'Claire Dubois',
    contracts: [
      { product: 'LabelJet 4200', active: true, endDate: '2026-12-31' },
      { product: 'RouteMaster Fleet', active: false, endDate: '2025-12-31' },
    ],
    hardware: [
      { model: 'LabelJet 4200', serial: 'LJ42-00981', location: 'Lyon warehouse, dock 3' },
      { model: 'LabelJet 4200', serial: 'LJ42-01022' },
    ],
    openIncidents: [{ reference: 'INC-000123', title: INCIDENT.title, status: 'open', openedAt: '2026-03-02T08:15:00Z' }],
  },
  'subscription-changed': { ...REF, level: 'closure' },
  'kb-results': {
    query: 'printer offline',
    results: [
      {
        id: 'KB-1042', title: 'Printer goes offline after a firmware update', url: 'https://kb.casemail.example/KB-1042',
        snippet: [{ text: 'The ' }, { text: 'printer', match: true }, { text: ' shows "' }, { text: 'offline', match: true }, { text: '" after an update: reset the network settings from the front panel.' }],
      },
      { id: 'KB-0815', title: 'Printer shows "offline" on Windows 11', snippet: [{ text: 'Disable SNMP status in the port settings of the ' }, { text: 'printer', match: true }, { text: ' driver.' }] },
    ],
  },
  'kb-article': {
    id: 'KB-1042',
    title: 'Printer goes offline after a firmware update',
    category: 'Printing',
    updatedAt: '2026-02-20T10:00:00Z',
    body: 'Symptoms\nAfter a firmware update the printer shows "offline" and no label is printed.\n\nSolution\n1. On the front panel, open Settings > Network > Reset.\n2. Reinstall the driver from the download area.\n3. Print a test label.',
    url: 'https://kb.casemail.example/KB-1042',
  },
  'kb-index': {
    categories: [
      {
        name: 'Printing',
        mostViewed: [{ id: 'KB-1042', title: 'Printer goes offline after a firmware update', snippet: '' }],
        recent: [{ id: 'KB-1101', title: 'Printing labels wider than 100 mm', snippet: '' }],
      },
      {
        name: 'Fleet management',
        mostViewed: [{ id: 'KB-0702', title: 'Importing vehicles from a spreadsheet', snippet: '' }],
        recent: [{ id: 'KB-1099', title: 'New route optimiser settings', snippet: '' }],
      },
    ],
  },
  'problem-report': {
    incident: INCIDENT,
    accountName: 'Transports Morel SA',
    reporter: { name: 'Claire Dubois', email: 'claire.dubois@morel-transports.example', phone: '+33 4 72 00 11 35' },
    description: 'Since last night\'s update, the printer stops after the first label.\nRestarting it does not help.',
    attachments: [{ name: 'printer-log.txt', size: 18_432 }],
  },
  'command-refused': { command: 'status INC-000999', reason: 'Incident INC-000999 belongs to another account, so we cannot show it to you.' },
  'sender-held': { receivedAt: '2026-11-21T09:59:00Z' },
  'incident-reminder': { ...REF, pendingSince: '2026-03-03T14:05:00Z', closesAt: '2026-03-17T14:05:00Z' },
  'contract-expiring': { product: 'RouteMaster Fleet', level: 'SWA Premium', endDate: '2026-12-31', daysLeft: 30, accountName: 'Transports Morel SA' },
  'support-digest': {
    date: '2026-03-10',
    total: 3,
    accounts: [
      {
        accountName: 'Transports Morel SA',
        incidents: [
          { reference: 'INC-000123', title: INCIDENT.title, status: 'open', product: 'LabelJet 4200', openedAt: '2026-03-02T08:15:00Z' },
          { reference: 'INC-000140', title: 'Route export to CSV is empty', status: 'new', product: 'RouteMaster Fleet', openedAt: '2026-03-09T07:30:00Z' },
        ],
      },
      {
        accountName: 'Vins Garnier & Fils',
        incidents: [{ reference: 'INC-000138', title: 'Scanner <ScanPad> & dock not paired', status: 'pending_customer', product: 'ScanPad 300', openedAt: '2026-03-08T10:00:00Z' }],
      },
    ],
  },
};

/**
 * Other branches of templates whose wording depends on their data (who closed, the reply
 * policy, a reopening by the recipient's own reply, a linked incident): rendered by the
 * locale tests and previews beside SAMPLES, so every sentence a recipient can get is seen.
 */
export const VARIANTS: { [N in TemplateName]?: TemplateData[N][] } = {
  'incident-created': [{ ...SAMPLES['incident-created'], suggestions: [], linkedIncident: { reference: 'INC-000098', title: 'Label printer stops', closedAt: '2026-01-20T10:00:00Z', reopenDays: 14 } }],
  'incident-escalated': [{ ...REF, product: INCIDENT.product, at: '2026-03-04T10:00:00Z' }],
  'incident-closed': [
    { ...REF, closedAt: '2026-03-10T16:30:00Z', resolution: '', closedBy: 'customer-request', replyPolicy: 'reopen' },
    { ...REF, closedAt: '2026-03-10T16:30:00Z', resolution: '', closedBy: 'no-answer', noAnswerDays: 7, replyPolicy: 'new-after', reopenUntil: '2026-03-10T16:30:00Z' },
  ],
  'incident-reopened': [
    { ...REF, reopenedBy: 'Claire Dubois', at: '2026-03-12T08:02:00Z', cause: 'customer-reply', yourReply: true, attachmentNames: ['printer-log.txt'] },
    { ...REF, reopenedBy: 'Claire Dubois', at: '2026-03-12T08:02:00Z', cause: 'customer-reply', message: 'The problem came back this morning on the second printer.', attachmentNames: [] },
  ],
};

/** Every sample of `name`: the main one, then its variants. */
export function samplesOf<N extends TemplateName>(name: N): (CommonData & TemplateData[N])[] {
  const variants = (VARIANTS[name] ?? []) as TemplateData[N][];
  return [SAMPLES[name], ...variants].map((d) => ({ ...SAMPLE_COMMON, ...d }));
}

/** The full data `render` takes for one template: common data plus its sample. */
export function sampleData<N extends TemplateName>(name: N): CommonData & TemplateData[N] {
  return { ...SAMPLE_COMMON, ...SAMPLES[name] };
}
