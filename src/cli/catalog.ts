/** `casemail contracts|products|hardware …`: SWA contracts, products with former names, hardware. */
import type { Command } from 'commander';
import * as dir from '../domain/directory/use-cases.js';
import type { GlobalOptions } from './context.js';
import { registerImport } from './imports.js';
import { collect, fields, pageFrom, paging, print, printPage, runStaff, staffOptions, type StaffOptions } from './staff.js';

type Paged = StaffOptions & { limit?: number; cursor?: string; account?: string };

function registerContracts(program: Command, globals: () => GlobalOptions): void {
  const g = program.command('contracts').description('software-assurance (SWA) contracts per account and product');
  staffOptions(g.command('add').description('add a contract')
    .requiredOption('--account <account>', 'account id or name')
    .requiredOption('--product <product>', 'product code, name or former name')
    .requiredOption('--starts-on <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--ends-on <date>', 'last day, YYYY-MM-DD')
    .option('--level <level>', 'contract level (default SWA Premium)'))
    .action(async (o: StaffOptions & { account: string; product: string; startsOn: string; endsOn: string; level?: string }) =>
      runStaff(globals, o, async (ctx) => {
        const c = await dir.addContract(ctx.stores.directory, ctx.actor, { account: o.account, product: o.product, level: o.level, startsOn: o.startsOn, endsOn: o.endsOn });
        print(ctx, c, (v) => fields([['id', v.id], ['account', v.accountName], ['product', v.productCode], ['level', v.level], ['from', v.startsOn], ['to', v.endsOn]]));
      }));
  paging(staffOptions(g.command('list').description('list contracts').option('--account <account>', 'only this account')))
    .action(async (o: Paged) =>
      runStaff(globals, o, async (ctx) => {
        const page = await dir.listContracts(ctx.stores.directory, ctx.actor, pageFrom(o), o.account);
        printPage(ctx, page, [['id', (c) => c.id], ['account', (c) => c.accountName], ['product', (c) => c.productCode], ['level', (c) => c.level], ['from', (c) => c.startsOn], ['to', (c) => c.endsOn]]);
      }));
  registerImport(g, 'contracts', globals);
}

function registerProducts(program: Command, globals: () => GlobalOptions): void {
  const g = program.command('products').description('products, with the names they were sold under before');
  staffOptions(g.command('add').description('add a product')
    .argument('<code>', 'short code such as QMS').argument('<name>', 'current name')
    .option('--former-name <name>', 'a former name customers may still use (repeat for several)', collect, []))
    .action(async (code: string, name: string, o: StaffOptions & { formerName: string[] }) =>
      runStaff(globals, o, async (ctx) => {
        const p = await dir.addProduct(ctx.stores.directory, ctx.actor, { code, name, formerNames: o.formerName });
        print(ctx, p, (v) => fields([['code', v.code], ['name', v.name], ['formerly', v.formerNames]]));
      }));
  staffOptions(g.command('rename').description('rename a product; the old name is kept as a former name')
    .argument('<code>', 'product code').argument('<name>', 'the new name'))
    .action(async (code: string, name: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => {
        const p = await dir.renameProduct(ctx.stores.directory, ctx.actor, code, name);
        print(ctx, p, (v) => fields([['code', v.code], ['name', v.name], ['formerly', v.formerNames]]));
      }));
  paging(staffOptions(g.command('list').description('list products')))
    .action(async (o: Paged) =>
      runStaff(globals, o, async (ctx) => {
        const page = await dir.listProducts(ctx.stores.directory, ctx.actor, pageFrom(o));
        printPage(ctx, page, [['code', (p) => p.code], ['name', (p) => p.name], ['formerly', (p) => p.formerNames]]);
      }));
}

function registerHardware(program: Command, globals: () => GlobalOptions): void {
  const g = program.command('hardware').description('hardware profiles on file per account');
  staffOptions(g.command('add').description('add a hardware profile')
    .requiredOption('--account <account>', 'account id or name')
    .requiredOption('--model <model>', 'model, e.g. HP DL370 G6')
    .option('--serial-number <serial>', 'serial number')
    .option('--operating-system <os>', 'operating system')
    .option('--notes <text>', 'free notes'))
    .action(async (o: StaffOptions & { account: string; model: string; serialNumber?: string; operatingSystem?: string; notes?: string }) =>
      runStaff(globals, o, async (ctx) => {
        const h = await dir.addHardware(ctx.stores.directory, ctx.actor, o);
        print(ctx, h, (v) => fields([['id', v.id], ['account', v.accountName], ['model', v.model], ['serial', v.serialNumber], ['OS', v.operatingSystem], ['notes', v.notes]]));
      }));
  paging(staffOptions(g.command('list').description('list hardware profiles').option('--account <account>', 'only this account')))
    .action(async (o: Paged) =>
      runStaff(globals, o, async (ctx) => {
        const page = await dir.listHardware(ctx.stores.directory, ctx.actor, pageFrom(o), o.account);
        printPage(ctx, page, [['id', (h) => h.id], ['account', (h) => h.accountName], ['model', (h) => h.model], ['serial', (h) => h.serialNumber], ['OS', (h) => h.operatingSystem]]);
      }));
  registerImport(g, 'hardware', globals);
}

export function registerCatalogCommands(program: Command, globals: () => GlobalOptions): void {
  registerContracts(program, globals);
  registerProducts(program, globals);
  registerHardware(program, globals);
}
