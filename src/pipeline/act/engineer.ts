/**
 * Engineer mail carried out through the same incident work service the CLI and API use:
 * a plain reply reaches the customer; `#note` stays internal (no customer mail at all);
 * `#escalate`, `#workaround`, `#close`, `#assign me`, `#priority` act on the incident.
 */
import type { IncidentAction } from '../../domain/incidents/actions.js';
import type { EngineerCommand } from '../../rules/decision.js';
import { carryOut } from '../incident-work.js';
import { senderActor, type ActContext } from './context.js';

/** The text after the command line (or the whole visible text for a plain reply). */
const rest = (ctx: ActContext): string => ctx.facts.visibleText.split('\n').slice(1).join('\n').trim();

function actionFor(ctx: ActContext, cmd: EngineerCommand): IncidentAction {
  switch (cmd.name) {
    case 'reply': return { kind: 'reply', text: ctx.facts.visibleText };
    case 'note': return { kind: 'note', text: rest(ctx), visibility: 'internal' };
    case 'escalate': return { kind: 'escalate', reason: rest(ctx) };
    case 'workaround': return { kind: 'workaround', text: [cmd.text, rest(ctx)].filter((t) => t !== '').join('\n') };
    case 'close': return { kind: 'close', resolution: rest(ctx) };
    case 'assign-me': return { kind: 'assign', engineerId: ctx.facts.sender.staff?.id ?? null };
    case 'priority': return { kind: 'priority', level: cmd.level };
  }
}

export async function actEngineer(ctx: ActContext, cmd: EngineerCommand): Promise<number> {
  await carryOut(ctx.trx, ctx.config, cmd.incidentId, actionFor(ctx, cmd), senderActor(ctx.facts), ctx.origin);
  return cmd.incidentId;
}
