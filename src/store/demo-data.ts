/**
 * Demo data taken from the support portal casemail replaces: the account "Doug's Dogs",
 * its contacts and Contact IDs, the three products with their former names, SWA Premium
 * contracts (one expired), the hardware on file, staff users, support contacts and
 * knowledge-base articles. Plain data; `seed.ts` writes it idempotently.
 */

export const DEMO_USERS = [
  { email: 'pat.partner@partner.example', name: 'Pat Partner', role: 'partner', token: 'demo-partner-token' },
  { email: 'ada.admin@support.example.com', name: 'Ada Admin', role: 'admin', token: 'demo-admin-token' },
  { email: 'erin.engineer@support.example.com', name: 'Erin Engineer', role: 'engineer', token: 'demo-engineer-token' },
] as const;

export const DEMO_PRODUCTS = [
  { code: 'QMS', name: 'Quality Management Suite', formerNames: ['Telrex'] },
  { code: 'CFC', name: 'Console for Cisco', formerNames: ['Arc'] },
  { code: 'EICC', name: 'EI Communications Center', formerNames: ['Zeacom'] },
] as const;

export const DEMO_ACCOUNTS = [{ name: "Doug's Dogs", partnerEmail: 'pat.partner@partner.example' }] as const;

export const DEMO_CONTACTS = [
  { contactId: '100234', account: "Doug's Dogs", email: 'doug@dougsdogs.example', name: 'Doug Dawson', locale: 'en', timeZone: 'America/Chicago', phone: '+1 312 555 0142' },
  { contactId: '100235', account: "Doug's Dogs", email: 'martine@dougsdogs.example', name: 'Martine Lefèvre', locale: 'fr', timeZone: 'Europe/Paris', phone: '+33 1 55 55 01 23' },
  { contactId: '100236', account: "Doug's Dogs", email: 'sam.keller@dougsdogs.example', name: 'Sam Keller', locale: 'en', timeZone: 'America/Chicago', phone: null },
] as const;

export const DEMO_CONTRACTS = [
  { account: "Doug's Dogs", product: 'QMS', level: 'SWA Premium', startsOn: '2024-01-01', endsOn: '2028-12-31' },
  { account: "Doug's Dogs", product: 'CFC', level: 'SWA Premium', startsOn: '2024-01-01', endsOn: '2028-12-31' },
  { account: "Doug's Dogs", product: 'EICC', level: 'SWA Premium', startsOn: '2023-07-01', endsOn: '2026-06-30' },
] as const;

export const DEMO_HARDWARE = [
  { account: "Doug's Dogs", model: 'HP DL370 G6', serialNumber: 'CZ2040ABCD', operatingSystem: 'Windows Server 2019', notes: 'Primary CT server, rack 2' },
] as const;

export const DEMO_SUPPORT_CONTACTS = [
  { account: "Doug's Dogs", email: 'pat.partner@partner.example', viaUser: true },
  { account: "Doug's Dogs", email: 'it-support@dougsdogs.example', viaUser: false },
] as const;

export const DEMO_KB_CATEGORIES = [
  { product: 'CFC', name: 'Directories' },
  { product: 'CFC', name: 'Call control' },
  { product: 'CFC', name: 'Installation' },
  { product: 'QMS', name: 'Database' },
  { product: 'EICC', name: 'Administration' },
] as const;

export const DEMO_KB_ARTICLES = [
  {
    slug: 'no-operator-directory',
    product: 'CFC',
    category: 'Directories',
    language: 'en',
    title: 'No Operator Directory',
    body: `Symptom: the attendant console starts but the Operator Directory pane stays empty, and searching for a colleague returns no results.

Cause: the directory synchronisation service cannot read the directory source. This usually follows a password change on the service account or a firewall change between the CT server and the LDAP server.

Resolution:
1. On the CT server, open Services and check that "Arc Directory Sync" is running under the directory service account.
2. In the console configuration, test the LDAP connection; correct the bind password if the test fails.
3. Trigger a full synchronisation from the administration tool and restart the console.
If the directory is still empty, send us the DirectorySync log from the server's log folder.`,
  },
  {
    slug: 'arc-ct-server-call-transfer-modes',
    product: 'CFC',
    category: 'Call control',
    language: 'en',
    title: 'Arc CT server Call Transfer modes',
    body: `The CT server supports three call transfer modes: blind transfer, consultative (supervised) transfer and camp-on.

Blind transfer releases the call to the destination immediately. Consultative transfer holds the caller while the operator speaks to the destination first; if the destination refuses, the operator retrieves the call. Camp-on queues the call on a busy extension and returns it to the operator after the recall timeout.

The default mode is set per console profile under Call Control > Transfers. Transfers to external numbers always use consultative mode because the CUCM route pattern may reject a blind transfer.`,
  },
  {
    slug: 'arc-windows-directory-registry-permissions',
    product: 'CFC',
    category: 'Installation',
    language: 'en',
    title: 'Arc Windows Directory/Registry Permissions',
    body: `The console and the CT server need write access to their program data folder and to their registry keys. Installations on locked-down Windows servers often fail silently when those permissions are missing.

Grant the service account Modify rights on the program data folder of the CT server, and Full Control on the HKLM\\SOFTWARE\\Arc registry key and its sub-keys. On 64-bit Windows also grant it on the WOW6432Node copy of the key. Restart the CT server service after changing permissions.`,
  },
  {
    slug: 'hostname-changes-replicated-database',
    product: 'QMS',
    category: 'Database',
    language: 'en',
    title: 'Hostname Changes to a Replicated Database Setup',
    body: `Renaming a server that takes part in a replicated Quality Management Suite database breaks replication, because the publication and the subscriptions record the old hostname.

Before renaming: stop the recording services, script out the replication publications, then remove replication. Rename the host and reboot. Update the server name inside SQL Server (sp_dropserver / sp_addserver with local), restart SQL Server, re-create the publication from the script and re-initialise the subscriptions. Finally update the hostname in the QMS server configuration and start the services.`,
  },
  {
    slug: 'qms-recording-storage-full',
    product: 'QMS',
    category: 'Database',
    language: 'en',
    title: 'Recording storage full: calls are no longer recorded',
    body: `When the recording storage volume fills up, new calls are no longer recorded and the recorder logs "insufficient disk space". Configure the archive job to move recordings older than the retention period to the archive location, and set a disk space alert at 80%.`,
  },
  {
    slug: 'eicc-transferts-appels-files-attente',
    product: 'EICC',
    category: 'Administration',
    language: 'fr',
    title: "Transferts d'appels entre files d'attente",
    body: `Pour transférer un appel d'une file d'attente vers une autre, l'agent utilise le bouton Transférer puis choisit la file de destination. Les transferts échouent lorsque la file de destination est fermée selon son calendrier : vérifiez les horaires d'ouverture dans l'outil d'administration.`,
  },
] as const;
