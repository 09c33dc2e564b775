/**
 * The catch-all: a contact's new problem. Opening an incident needs an active SWA
 * contract of the sender's account for the product; otherwise the sender is told why
 * (expired with its end date, not covered with the covered products, or which product).
 * Unauthenticated mail may open an incident: everything goes to the address on file.
 */
import { coveredProducts, latestExpired } from '../entitlement.js';
import type { Rule, RuleOutcome } from '../engine.js';
import type { Facts, ProductFact } from '../facts.js';

function forProduct(facts: Facts, product: ProductFact, how: string): RuleOutcome {
  const active = facts.sender.contracts.find((c) => c.active && c.product.id === product.id);
  if (active !== undefined) {
    return { verdict: { kind: 'new-incident', product, linkedIncidentId: null }, note: `${how}; ${active.level} active until ${active.endsOn}` };
  }
  const expired = latestExpired(facts.sender, product.id);
  if (expired !== null) {
    return { verdict: { kind: 'refusal', refusal: { reason: 'contract-expired', product, endsOn: expired.endsOn } }, note: `${how}; contract ended ${expired.endsOn}` };
  }
  return { verdict: { kind: 'refusal', refusal: { reason: 'product-not-covered', requested: product.name } }, note: `${how}; no contract for ${product.code}` };
}

export const newIncidentRule: Rule = {
  name: 'new-incident',
  run(facts) {
    const p = facts.product;
    const covered = coveredProducts(facts.sender).map((c) => c.code).join(', ') || 'none';
    switch (p.kind) {
      case 'resolved':
        return forProduct(facts, p.product, `product ${p.product.code} from ${p.source} (covered: ${covered})`);
      case 'unknown-name':
        return { verdict: { kind: 'refusal', refusal: { reason: 'product-not-covered', requested: p.requested } }, note: `Product: "${p.requested}" is not one of ours (covered: ${covered})` };
      case 'ambiguous':
        return { verdict: { kind: 'refusal', refusal: { reason: 'product-ambiguous', candidates: p.candidates } }, note: `product ambiguous among ${p.candidates.map((c) => c.code).join(', ')}` };
      case 'none': {
        const expired = latestExpired(facts.sender, null);
        if (expired !== null) {
          return { verdict: { kind: 'refusal', refusal: { reason: 'contract-expired', product: expired.product, endsOn: expired.endsOn } }, note: `no active contract; ${expired.product.code} ended ${expired.endsOn}` };
        }
        return { verdict: { kind: 'refusal', refusal: { reason: 'product-not-covered', requested: null } }, note: 'the account has no contract' };
      }
    }
  },
};
