/**
 * Engineer mail carried out through the same incident use cases the CLI and API use:
 * a plain reply reaches the customer; `#note` stays internal (no customer mail at all);
 * `#escalate`, `#workaround`, `#close`, `#assign me`, `#priority` act on the incident.
 */
import { addNote, assign, close, escalate, provideWorkaround, reply, setPriority, type WorkResult } from '../../domain/incidents/work.js';
import type { EngineerCommand } from '../../rules/decision.js';
import { planNotifications } from '../../outbound/planner.js';
import { incidentRepository } from '../../store/incidents.js';
import { senderActor, type ActContext } from './context.js';

/** The text after the command line (or the whole visible text for a plain reply). */
const rest = (ctx: ActContext): string => ctx.facts.visibleText.split('\n').slice(1).join('\n').trim();

export async function actEngineer(ctx: ActContext, cmd: EngineerCommand): Promise<number> {
  const repo = incidentRepository(ctx.trx);
  const actor = senderActor(ctx.facts);
  const staffId = ctx.facts.sender.staff?.id ?? null;
  let result: WorkResult;
  switch (cmd.name) {
    case 'reply':
      result = await reply(repo, cmd.incidentId, ctx.facts.visibleText, actor, ctx.origin);
      break;
    case 'note':
      result = await addNote(repo, cmd.incidentId, rest(ctx), 'internal', actor, ctx.origin);
      break;
    case 'escalate':
      result = await escalate(repo, cmd.incidentId, rest(ctx), actor, ctx.origin);
      break;
    case 'workaround':
      result = await provideWorkaround(repo, cmd.incidentId, [cmd.text, rest(ctx)].filter((t) => t !== '').join('\n'), actor, ctx.origin);
      break;
    case 'close':
      result = await close(repo, cmd.incidentId, rest(ctx), actor, ctx.origin);
      break;
    case 'assign-me':
      result = await assign(repo, cmd.incidentId, staffId, actor, ctx.origin);
      break;
    case 'priority':
      result = await setPriority(repo, cmd.incidentId, cmd.level, actor, ctx.origin);
      break;
  }
  await planNotifications(ctx.trx, ctx.config, result.events);
  return cmd.incidentId;
}
