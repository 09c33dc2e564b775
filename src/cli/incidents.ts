/**
 * `casemail incidents …`: engineers work incidents from the command line through the same
 * incident work service as engineer mail and the API (rights of the user named by `--as`).
 * The outbox rows are committed with the change; the running service's worker sends them.
 * Text comes from the arguments, or `--file FILE` (`-` for standard input).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { INCIDENT_STATUSES, type IncidentStatus, type Level } from '../domain/incidents/types.js';
import { listIncidents, showIncident, workIncident, type IncidentQuery, type StaffIncidentAction } from '../pipeline/incident-work.js';
import { AppError } from '../platform/errors.js';
import type { GlobalOptions } from './context.js';
import { incidentColumns, incidentLines, outcomeLines } from './incidents-format.js';
import { pageFrom, paging, print, printPage, readTextFile, runStaff, staffOptions, type StaffOptions } from './staff.js';

const LEVELS: readonly Level[] = ['low', 'normal', 'high', 'critical'];

interface FilterOptions extends StaffOptions {
  reference?: string;
  account?: string;
  product?: string;
  status?: string;
  engineer?: string;
  limit?: number;
  cursor?: string;
}

interface TextOptions extends StaffOptions {
  file?: string;
  internal?: boolean;
  customerMessage?: string;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const v = value.trim().toLowerCase();
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new AppError('VALIDATION', `unknown ${what} "${value}"; one of ${allowed.join(', ')}`, { [what]: value });
  return found;
}

function onOff(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  throw new AppError('VALIDATION', `outage is on or off, not "${value}"`, { outage: value });
}

/** The text of a note, reply…: the arguments, else `--file` (`-` reads standard input). */
function textOf(words: string[], o: TextOptions): string {
  // A file's final newline is not part of the note.
  if (o.file !== undefined) return (o.file === '-' ? readFileSync(0, 'utf8') : readTextFile(o.file)).trimEnd();
  return words.join(' ');
}

function queryOf(o: FilterOptions, text?: string): IncidentQuery {
  const q: IncidentQuery = {};
  if (o.reference !== undefined) q.reference = o.reference;
  if (o.account !== undefined) q.account = o.account;
  if (o.product !== undefined) q.product = o.product;
  if (o.engineer !== undefined) q.engineer = o.engineer;
  if (o.status !== undefined) q.status = o.status.split(',').map((s): IncidentStatus => oneOf(s, INCIDENT_STATUSES, 'status'));
  if (text !== undefined && text.trim() !== '') q.text = text;
  return q;
}

const filters = (cmd: Command): Command =>
  paging(staffOptions(cmd))
    .option('--reference <part>', 'references containing this')
    .option('--account <account>', 'account id or name')
    .option('--product <product>', 'product code, name or former name')
    .option('--status <list>', `comma-separated statuses (${INCIDENT_STATUSES.join(', ')})`)
    .option('--engineer <email>', 'assigned engineer, or none');

function registerReads(inc: Command, globals: () => GlobalOptions): void {
  filters(inc.command('list').description('list incidents, newest first (partners: those of their accounts)'))
    .action(async (o: FilterOptions) =>
      runStaff(globals, o, async (ctx) => printPage(ctx, await listIncidents(ctx.db, ctx.actor, queryOf(o), pageFrom(o)), incidentColumns)));
  filters(inc.command('search').description('search title, description and timeline for words (internal notes for engineers and admins)')
    .argument('<words...>', 'every word must appear'))
    .action(async (words: string[], o: FilterOptions) =>
      runStaff(globals, o, async (ctx) => printPage(ctx, await listIncidents(ctx.db, ctx.actor, queryOf(o, words.join(' ')), pageFrom(o)), incidentColumns)));
  staffOptions(inc.command('show').description('one incident with its subscribers and full timeline').argument('<reference>', 'e.g. INC-000123'))
    .action(async (reference: string, o: StaffOptions) =>
      runStaff(globals, o, async (ctx) => print(ctx, await showIncident(ctx.db, ctx.actor, reference), incidentLines)));
}

/** One action command: `<reference>` and `[value]`/`[text...]`, carried out and printed. */
function act(globals: () => GlobalOptions, reference: string, o: StaffOptions, action: () => StaffIncidentAction): Promise<void> {
  return runStaff(globals, o, async (ctx) => {
    const outcome = await workIncident({ db: ctx.db, config: ctx.config }, ctx.actor, reference, action());
    print(ctx, outcome, outcomeLines);
  });
}

type ValueAction = (value: string) => StaffIncidentAction;

const VALUE_COMMANDS: [string, string, string, ValueAction][] = [
  ['assign', '<engineer>', 'assign an engineer (email, me, or none to unassign)', (v) => ({ kind: 'assign', engineer: v })],
  ['status', '<status>', `change the status (${INCIDENT_STATUSES.join(', ')})`, (v) => ({ kind: 'status', status: oneOf(v, INCIDENT_STATUSES, 'status') })],
  ['priority', '<level>', `set the priority (${LEVELS.join(', ')})`, (v) => ({ kind: 'priority', level: oneOf(v, LEVELS, 'priority') })],
  ['urgency', '<level>', `set the urgency (${LEVELS.join(', ')})`, (v) => ({ kind: 'urgency', level: oneOf(v, LEVELS, 'urgency') })],
  ['outage', '<on|off>', 'mark or unmark the incident as an outage', (v) => ({ kind: 'outage', outage: onOff(v) })],
  ['category', '<category>', 'set the category (none clears it)', (v) => ({ kind: 'category', category: v.trim().toLowerCase() === 'none' ? null : v })],
];

type TextAction = (text: string, o: TextOptions) => StaffIncidentAction;

const TEXT_COMMANDS: [string, string, TextAction][] = [
  ['note', 'add a journal note, customer-visible (subscribers told) unless --internal', (t, o) => ({ kind: 'note', text: t, visibility: o.internal === true ? 'internal' : 'customer' })],
  ['reply', 'reply to the customer: mailed to the subscribers who chose updates', (t) => ({ kind: 'reply', text: t })],
  ['escalate', 'escalate to R&D, with an optional internal reason (never mailed); --customer-message adds a sentence for the customer',
    (t, o) => ({ kind: 'escalate', reason: t, ...(o.customerMessage === undefined ? {} : { customerMessage: o.customerMessage }) })],
  ['workaround', 'provide a workaround (its text is mailed to subscribers who chose it)', (t) => ({ kind: 'workaround', text: t })],
  ['close', 'close the incident, with an optional resolution (mailed to the subscribers)', (t) => ({ kind: 'close', resolution: t })],
  ['reopen', 'reopen a closed incident, with an optional reason (mailed to the subscribers)', (t) => ({ kind: 'reopen', reason: t })],
];

function registerActions(inc: Command, globals: () => GlobalOptions): void {
  for (const [name, arg, description, toAction] of VALUE_COMMANDS) {
    staffOptions(inc.command(name).description(description).argument('<reference>', 'e.g. INC-000123').argument(arg))
      .action(async (reference: string, value: string, o: StaffOptions) => act(globals, reference, o, () => toAction(value)));
  }
  for (const [name, description, toAction] of TEXT_COMMANDS) {
    const cmd = staffOptions(inc.command(name).description(description).argument('<reference>', 'e.g. INC-000123').argument('[text...]', 'the text (or --file)'))
      .option('--file <file>', 'read the text from a file (- for standard input)');
    if (name === 'note') cmd.option('--internal', 'keep the note internal: no customer ever sees or is mailed it');
    if (name === 'escalate') cmd.option('--customer-message <text>', 'what the customer reads in the escalation mail, besides the standard wording');
    cmd.action(async (reference: string, words: string[], o: TextOptions) => act(globals, reference, o, () => toAction(textOf(words, o), o)));
  }
}

export function registerIncidentCommands(program: Command, globals: () => GlobalOptions): void {
  const inc = program.command('incidents').description('work incidents: list, search, show, assign, status, notes, replies, escalate, workaround, close, reopen');
  registerReads(inc, globals);
  registerActions(inc, globals);
}
