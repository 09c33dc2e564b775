/**
 * `casemail accounts …` and `casemail addresses search`: the partner console on the
 * command line. Rights are those of the user named by `--as`.
 */
import type { Command } from 'commander';
import type { KnownAddress, SupportContactRecord } from '../domain/accounts/port.js';
import * as accounts from '../domain/accounts/use-cases.js';
import type { GlobalOptions } from './context.js';
import { collect, fields, pageFrom, paging, print, printPage, runStaff, staffOptions, table, type StaffContext, type StaffOptions } from './staff.js';

const supportColumns: [string, (s: SupportContactRecord) => string | null][] = [
  ['email', (s) => s.email],
  ['partner user', (s) => s.userName],
];

function showAccount(ctx: StaffContext, a: accounts.AccountView): void {
  print(ctx, a, (v) => [
    ...fields([['id', v.id], ['name', v.name], ['created by', v.createdByEmail], ['created', v.createdAt]]),
    '',
    'support contacts:',
    ...table(v.supportContacts, supportColumns).map((l) => `  ${l}`),
  ]);
}

function registerSupportContacts(parent: Command, globals: () => GlobalOptions): void {
  const sc = parent.command('support-contacts').description("an account's support contacts: partner users or plain addresses kept informed");
  staffOptions(sc.command('list').description('list the support contacts of an account').argument('<account>', 'account id or name'))
    .action(async (account: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => {
        const list = await accounts.listSupportContacts(ctx.stores.accounts, ctx.actor, account);
        print(ctx, list, (l) => table(l, supportColumns));
      }));
  staffOptions(sc.command('add').description('add a support contact (partner on own accounts, admin on partner accounts)')
    .argument('<account>', 'account id or name').argument('<email>', 'a partner user or any valid address'))
    .action(async (account: string, email: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => {
        const added = await accounts.addSupportContact(ctx.stores.accounts, ctx.actor, account, email);
        print(ctx, added, (s) => [`added ${s.email} to account #${s.accountId}${s.userId ? ' (partner user)' : ''}`]);
      }));
  staffOptions(sc.command('remove').description('remove a support contact (never the last one)')
    .argument('<account>', 'account id or name').argument('<email>', 'the address to remove'))
    .action(async (account: string, email: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => {
        const removed = await accounts.removeSupportContact(ctx.stores.accounts, ctx.actor, account, email);
        print(ctx, removed, (s) => [`removed ${s.email} from account #${s.accountId}`]);
      }));
}

export function registerAccountCommands(program: Command, globals: () => GlobalOptions): void {
  const acc = program.command('accounts').description('customer accounts and their support contacts');
  staffOptions(acc.command('create').description('create a customer account (partners only); give at least one support contact')
    .argument('<name>', 'account name')
    .option('-s, --support-contact <email>', 'a support contact (repeat for several)', collect, []))
    .action(async (name: string, o: StaffOptions & { supportContact: string[] }) =>
      runStaff(globals, o, async (ctx) => showAccount(ctx, await accounts.createAccount(ctx.stores.accounts, ctx.actor, { name, supportContacts: o.supportContact }))));
  paging(staffOptions(acc.command('list').description('list accounts (partners see the accounts they created)')))
    .action(async (o: StaffOptions & { limit?: number; cursor?: string }) =>
      runStaff(globals, o, async (ctx) => {
        const page = await accounts.listAccounts(ctx.stores.accounts, ctx.actor, pageFrom(o));
        printPage(ctx, page, [['id', (a) => a.id], ['name', (a) => a.name], ['created by', (a) => a.createdByEmail], ['created', (a) => a.createdAt]]);
      }));
  staffOptions(acc.command('show').description('one account with its support contacts').argument('<account>', 'account id or name'))
    .action(async (account: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => showAccount(ctx, await accounts.showAccount(ctx.stores.accounts, ctx.actor, account))));
  registerSupportContacts(acc, globals);

  const addresses = program.command('addresses').description('known addresses (staff users and contacts)');
  staffOptions(addresses.command('search').description('addresses starting with a prefix, to choose a support contact from')
    .argument('<prefix>', `at least ${accounts.MIN_PREFIX} characters`)
    .option('--limit <n>', 'at most this many (default 20)', (v) => Number(v)))
    .action(async (prefix: string, o: StaffOptions & { limit?: number }) =>
      runStaff(globals, o, async (ctx) => {
        const found = await accounts.searchAddresses(ctx.stores.accounts, ctx.actor, prefix, o.limit);
        print(ctx, found, (l) => table<KnownAddress>(l, [['email', (a) => a.email], ['name', (a) => a.name], ['kind', (a) => a.kind], ['role / account', (a) => a.detail]]));
      }));
}
