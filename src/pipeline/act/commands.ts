/**
 * Customer commands carried out: help, list, status, close, notify, profile, kb. Every
 * answer goes to the sender's address (never Reply-To); knowledge-base answers are
 * limited to the products the account's active contracts cover.
 */
import { close } from '../../domain/incidents/work.js';
import type { NotifyOptions } from '../../rules/text/commands.js';
import type { CustomerCommand } from '../../rules/decision.js';
import { coveredProducts } from '../../rules/entitlement.js';
import { closingFacts } from '../../outbound/closing.js';
import { planNotifications } from '../../outbound/planner.js';
import type { NotifyLevel } from '../../outbound/templates/registry.js';
import { customerHistory, hardwareOf, incidentDetails, openIncidentsByProduct } from '../../store/incident-views.js';
import { incidentRepository } from '../../store/incidents.js';
import { answer, senderActor, type ActContext } from './context.js';

function levelOf(o: NotifyOptions): NotifyLevel {
  const on = [o.updated, o.escalated, o.workaround, o.closed].filter(Boolean).length;
  if (on === 0) return 'none';
  if (on === 4) return 'all';
  return on === 1 && o.closed ? 'closure' : 'updates';
}

async function actKb(ctx: ActContext, cmd: Extract<CustomerCommand, { name: 'kb' }>): Promise<void> {
  const productIds = coveredProducts(ctx.facts.sender).map((p) => p.id);
  const q = cmd.query;
  switch (q.kind) {
    case 'search': {
      const hits = await ctx.kb.search(ctx.trx, { text: q.text, productIds, limit: 10 });
      await answer(ctx, 'kb-results', { query: q.text, results: hits.map((h) => ({ id: String(h.id), title: h.title, snippet: h.excerpt })) });
      return;
    }
    case 'article': {
      const a = await ctx.kb.get(ctx.trx, { idOrSlug: q.idOrSlug, productIds, countView: true });
      if (a === null) {
        await answer(ctx, 'kb-results', { query: q.idOrSlug, results: [] });
        return;
      }
      await answer(ctx, 'kb-article', { id: String(a.id), title: a.title, category: a.category ?? a.productName, updatedAt: a.publishedAt ?? ctx.origin.at, body: a.body });
      return;
    }
    case 'index': {
      const index = await ctx.kb.index(ctx.trx, { productIds, perList: 5 });
      // A product without a published article would show as a heading over empty lists.
      const categories = index.filter((p) => p.mostViewed.length + p.recent.length > 0).map((p) => ({
        name: p.productName,
        mostViewed: p.mostViewed.map((m) => ({ id: String(m.id), title: m.title, snippet: '' })),
        recent: p.recent.map((r) => ({ id: String(r.id), title: r.title, snippet: '' })),
      }));
      await answer(ctx, 'kb-index', { categories });
      return;
    }
  }
}

async function actProfile(ctx: ActContext): Promise<void> {
  const s = ctx.facts.sender;
  if (s.contact === null || s.account === null) return;
  const groups = await openIncidentsByProduct(ctx.trx, s.account.id);
  await answer(ctx, 'command-profile', {
    accountName: s.account.name, contactName: s.contact.name,
    contracts: s.contracts.map((c) => ({ product: c.product.name, active: c.active, endDate: c.endsOn })),
    hardware: await hardwareOf(ctx.trx, s.account.id), openIncidents: groups.flatMap((g) => g.incidents),
  });
}

/** Returns the incident the command concerned, if any. */
export async function actCustomerCommand(ctx: ActContext, cmd: CustomerCommand): Promise<number | null> {
  const repo = incidentRepository(ctx.trx);
  switch (cmd.name) {
    case 'help':
      await answer(ctx, 'command-help', {});
      return null;
    case 'list': {
      const account = ctx.facts.sender.account;
      if (account === null) return null;
      await answer(ctx, 'command-list', { accountName: account.name, groups: await openIncidentsByProduct(ctx.trx, account.id) });
      return null;
    }
    case 'status': {
      const incident = await repo.get(cmd.incidentId);
      if (incident === null) return null;
      await answer(ctx, 'command-status', { incident: await incidentDetails(ctx.trx, incident), entries: await customerHistory(ctx.trx, incident.id) }, { incidentId: incident.id });
      return incident.id;
    }
    case 'close': {
      const cause = { kind: 'customer-request' } as const;
      const { incident, events } = await close(repo, cmd.incidentId, ctx.facts.visibleText.split('\n').slice(1).join('\n').trim(), senderActor(ctx.facts), ctx.origin, cause);
      await planNotifications(ctx.trx, ctx.config, events);
      await answer(ctx, 'incident-closed', {
        reference: incident.reference, title: incident.title, closedAt: ctx.origin.at, resolution: '', ...closingFacts(cause, ctx.origin.at, ctx.config.rules.closedIncident),
      }, { incidentId: incident.id });
      return incident.id;
    }
    case 'notify': {
      const incident = await repo.get(cmd.incidentId);
      const email = ctx.facts.sender.email;
      if (incident === null || email === null) return null;
      const o = cmd.options;
      await repo.subscribe(incident.id, ctx.facts.sender.contact?.id ?? null, email, { onUpdated: o.updated, onEscalated: o.escalated, onWorkaround: o.workaround, onClosed: o.closed });
      await answer(ctx, 'subscription-changed', { reference: incident.reference, title: incident.title, level: levelOf(o) }, { incidentId: incident.id });
      return incident.id;
    }
    case 'profile':
      await actProfile(ctx);
      return null;
    case 'kb':
      await actKb(ctx, cmd);
      return null;
  }
}
