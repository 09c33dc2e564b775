/**
 * Which product a new problem is about. In order: the mailbox's configured product, a
 * `Product:` line, a product code, name or former name (Telrex, Arc, Zeacom…) in the
 * subject, or the account's only covered product. Customers still use the old names
 * years after a rename, so former names count as much as current ones.
 */
import type { ProductFact } from './facts.js';

export type ProductSource = 'mailbox' | 'product-line' | 'subject' | 'only-covered';

export type ProductResolution =
  | { kind: 'resolved'; product: ProductFact; source: ProductSource }
  | { kind: 'unknown-name'; requested: string }
  | { kind: 'ambiguous'; candidates: ProductFact[] }
  | { kind: 'none' };

const norm = (s: string): string => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();

function names(p: ProductFact): string[] {
  return [p.code, p.name, ...p.formerNames].map(norm);
}

/** Products named in free text as whole words. */
export function productsMentioned(text: string, catalogue: readonly ProductFact[]): ProductFact[] {
  const t = ` ${norm(text).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  return catalogue.filter((p) => names(p).some((n) => n !== '' && t.includes(` ${n.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `)));
}

function byName(value: string, catalogue: readonly ProductFact[]): ProductFact | null {
  const v = norm(value);
  return catalogue.find((p) => names(p).includes(v)) ?? productsMentioned(value, catalogue)[0] ?? null;
}

export interface ProductInputs {
  mailboxProduct: string | null;
  productLine: string | undefined;
  subject: string;
  catalogue: readonly ProductFact[];
  covered: readonly ProductFact[];
}

export function resolveProduct(input: ProductInputs): ProductResolution {
  if (input.mailboxProduct !== null) {
    const p = byName(input.mailboxProduct, input.catalogue);
    if (p !== null) return { kind: 'resolved', product: p, source: 'mailbox' };
  }
  if (input.productLine !== undefined) {
    const p = byName(input.productLine, input.catalogue);
    return p === null ? { kind: 'unknown-name', requested: input.productLine } : { kind: 'resolved', product: p, source: 'product-line' };
  }
  const mentioned = productsMentioned(input.subject, input.catalogue);
  const first = mentioned[0];
  if (mentioned.length === 1 && first !== undefined) return { kind: 'resolved', product: first, source: 'subject' };
  const only = input.covered[0];
  if (input.covered.length === 1 && only !== undefined) return { kind: 'resolved', product: only, source: 'only-covered' };
  if (mentioned.length > 1) return { kind: 'ambiguous', candidates: mentioned };
  if (input.covered.length > 1) return { kind: 'ambiguous', candidates: [...input.covered] };
  return { kind: 'none' };
}
