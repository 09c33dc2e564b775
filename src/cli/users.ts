/**
 * `casemail users …`: staff users and their API tokens (admins). A token is printed once,
 * when issued. On a database without an admin, `users create --role admin` needs no `--as`.
 */
import type { Command } from 'commander';
import * as users from '../domain/users/use-cases.js';
import type { GlobalOptions } from './context.js';
import { fields, pageFrom, paging, print, printPage, runStaff, staffOptions, type StaffOptions } from './staff.js';

const issued = (v: users.IssuedToken): string[] => [
  ...fields([['user', v.user.email], ['name', v.user.name], ['role', v.user.role]]),
  '',
  `API token (shown only now, store it safely): ${v.token}`,
];

export function registerUserCommands(program: Command, globals: () => GlobalOptions): void {
  const g = program.command('users').description('staff users (partner, admin, engineer) and their API tokens');
  staffOptions(g.command('create').description('create a staff user and issue their API token')
    .argument('<email>', 'the user address')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--role <role>', 'partner, admin or engineer'), { asRequired: false })
    .action(async (email: string, o: StaffOptions & { name: string; role: string }) =>
      runStaff(globals, o, async (ctx) => print(ctx, await users.createUser(ctx.stores.users, ctx.maybeActor, { email, name: o.name, role: o.role }), issued), {
        optionalActor: true,
      }));
  paging(staffOptions(g.command('list').description('list staff users')))
    .action(async (o: StaffOptions & { limit?: number; cursor?: string }) =>
      runStaff(globals, o, async (ctx) => {
        const page = await users.listUsers(ctx.stores.users, ctx.actor, pageFrom(o));
        printPage(ctx, page, [['id', (u) => u.id], ['email', (u) => u.email], ['name', (u) => u.name], ['role', (u) => u.role], ['active', (u) => u.active], ['token', (u) => (u.hasToken ? 'yes' : 'no')]]);
      }));
  staffOptions(g.command('token').description("issue a new API token for a user (the old one stops working)").argument('<email>', 'the user'))
    .action(async (email: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => print(ctx, await users.issueToken(ctx.stores.users, ctx.actor, email), issued)));
}
