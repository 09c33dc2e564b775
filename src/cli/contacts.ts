/** `casemail contacts …`: customer contacts and their Contact IDs (admins write, engineers read). */
import type { Command } from 'commander';
import type { ContactRecord } from '../domain/directory/port.js';
import * as dir from '../domain/directory/use-cases.js';
import type { GlobalOptions } from './context.js';
import { registerImport } from './imports.js';
import { fields, pageFrom, paging, print, printPage, runStaff, staffOptions, type StaffOptions } from './staff.js';

const contactFields = (c: ContactRecord) =>
  fields([['Contact ID', c.contactId], ['name', c.name], ['email', c.email], ['account', c.accountName], ['locale', c.locale], ['time zone', c.timeZone], ['phone', c.phone], ['active', c.active]]);

export function registerContactCommands(program: Command, globals: () => GlobalOptions): void {
  const g = program.command('contacts').description('customer contacts with their public Contact IDs');
  staffOptions(g.command('create').description('create a contact; a unique 6-digit Contact ID is generated unless given')
    .requiredOption('--account <account>', 'account id or name')
    .requiredOption('--email <email>', 'the contact address (unique)')
    .requiredOption('--name <name>', 'full name')
    .option('--locale <en|fr>', 'language of our mail (default en)')
    .option('--time-zone <zone>', 'IANA time zone (default Europe/Paris)')
    .option('--phone <phone>', 'phone number')
    .option('--contact-id <id>', 'keep an existing 6-digit Contact ID'))
    .action(async (o: StaffOptions & { account: string; email: string; name: string; locale?: string; timeZone?: string; phone?: string; contactId?: string }) =>
      runStaff(globals, o, async (ctx) => {
        const c = await dir.createContact(ctx.stores.directory, ctx.actor, {
          account: o.account, email: o.email, name: o.name, locale: o.locale, timeZone: o.timeZone, phone: o.phone, contactId: o.contactId,
        });
        print(ctx, c, contactFields);
      }));
  paging(staffOptions(g.command('list').description('list contacts').option('--account <account>', 'only this account')))
    .action(async (o: StaffOptions & { account?: string; limit?: number; cursor?: string }) =>
      runStaff(globals, o, async (ctx) => {
        const page = await dir.listContacts(ctx.stores.directory, ctx.actor, pageFrom(o), o.account);
        printPage(ctx, page, [['Contact ID', (c) => c.contactId], ['name', (c) => c.name], ['email', (c) => c.email], ['account', (c) => c.accountName], ['locale', (c) => c.locale]]);
      }));
  staffOptions(g.command('show').description('one contact').argument('<contact>', 'Contact ID or email'))
    .action(async (ref: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => print(ctx, await dir.showContact(ctx.stores.directory, ctx.actor, ref), contactFields)));
  registerImport(g, 'contacts', globals);
}
