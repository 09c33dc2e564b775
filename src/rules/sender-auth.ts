/**
 * Sender authentication from RFC 8601 Authentication-Results fields. A From address is
 * trivially forged, so actions that lean on "this mail comes from the address on file"
 * (revealing a Contact ID, updating an incident by a bare subject reference, close /
 * notify / status, engineer commands) consult the policy here. Only fields stamped by
 * our own receiving servers (trusted authserv-ids) count: anyone can add such a field
 * before the mail reaches us (RFC 8601 §5).
 *
 * What unauthenticated mail from a known address may still do: open a new incident (the
 * confirmation and every later mail go to the address on file, never elsewhere), ask for
 * help, list, profile and knowledge-base answers (all sent to the address on file), and
 * reply through a signed reply address (the tag proves the sender received our mail).
 */

export type AuthResult = 'pass' | 'fail' | 'none';
export type SenderAuthPolicy = 'require' | 'prefer' | 'off';

export interface SenderAuth {
  dkim: AuthResult;
  /** A passing DKIM signature whose d= is the From domain or a parent of it. */
  dkimAligned: boolean;
  spf: AuthResult;
  dmarc: AuthResult;
  /** How many Authentication-Results fields came from trusted servers. */
  trustedFields: number;
}

interface ResInfo {
  method: string;
  result: string;
  props: Map<string, string>;
}

/**
 * RFC 8601 allows comments anywhere: remove them (nested parentheses included). The text
 * outside comments is copied in slices, not character by character: a header can be long.
 */
function stripComments(value: string): string {
  if (!value.includes('(')) return value;
  let depth = 0;
  let out = '';
  let quoted = false;
  let from = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i];
    if (c === '"' && depth === 0) quoted = !quoted;
    if (!quoted && c === '(') {
      if (depth === 0) out += value.slice(from, i);
      depth += 1;
    } else if (!quoted && c === ')' && depth > 0) {
      depth -= 1;
      if (depth === 0) from = i + 1;
    }
  }
  return depth === 0 ? out + value.slice(from) : out;
}

function splitOutsideQuotes(value: string, sep: string): string[] {
  if (!value.includes('"')) return value.split(sep);
  const parts: string[] = [];
  let quoted = false;
  let from = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(value.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(value.slice(from));
  return parts;
}

function parseResInfo(part: string): ResInfo | null {
  const tokens = part.trim().split(/\s+/).filter((t) => t !== '');
  const head = tokens[0];
  if (head === undefined) return null;
  const m = /^([a-z0-9-]+)(?:\/\d+)?=([a-z]+)$/i.exec(head);
  if (m === null) return null;
  const props = new Map<string, string>();
  for (const token of tokens.slice(1)) {
    const eq = token.indexOf('=');
    if (eq > 0) props.set(token.slice(0, eq).toLowerCase(), token.slice(eq + 1).replace(/^"|"$/g, '').toLowerCase());
  }
  return { method: (m[1] ?? '').toLowerCase(), result: (m[2] ?? '').toLowerCase(), props };
}

/** One Authentication-Results field: its authserv-id and its method results. */
export function parseAuthenticationResults(value: string): { authservId: string; results: ResInfo[] } | null {
  const parts = splitOutsideQuotes(stripComments(value), ';');
  const id = parts[0]?.trim().split(/\s+/)[0]?.toLowerCase();
  if (id === undefined || id === '') return null;
  const results = parts.slice(1).map(parseResInfo).filter((r): r is ResInfo => r !== null);
  return { authservId: id, results };
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Relaxed alignment (RFC 7489 §3.1.1) approximated: same domain or a parent of it. */
const aligned = (signer: string, fromDomain: string): boolean =>
  signer !== '' && (fromDomain === signer || fromDomain.endsWith(`.${signer}`));

/** pass if any trusted result passes, fail if some fail and none pass, none otherwise. */
function combine(results: string[]): AuthResult {
  if (results.includes('pass')) return 'pass';
  if (results.some((r) => r === 'fail' || r === 'softfail' || r === 'permerror')) return 'fail';
  return 'none';
}

export function evaluateSenderAuth(fields: readonly string[], trustedAuthservIds: readonly string[], fromAddress: string | null): SenderAuth {
  const trusted = new Set(trustedAuthservIds.map((s) => s.toLowerCase()));
  const infos: ResInfo[] = [];
  let trustedFields = 0;
  for (const field of fields) {
    const parsed = parseAuthenticationResults(field);
    if (parsed === null || !trusted.has(parsed.authservId)) continue;
    trustedFields += 1;
    infos.push(...parsed.results);
  }
  const of = (method: string): ResInfo[] => infos.filter((i) => i.method === method);
  const fromDomain = fromAddress === null ? '' : domainOf(fromAddress);
  const dkimAligned = of('dkim').some((i) => i.result === 'pass' && aligned(i.props.get('header.d') ?? i.props.get('header.i')?.replace(/^.*@/, '') ?? '', fromDomain));
  return {
    dkim: combine(of('dkim').map((i) => i.result)),
    dkimAligned,
    spf: combine(of('spf').map((i) => i.result)),
    dmarc: combine(of('dmarc').map((i) => i.result)),
    trustedFields,
  };
}

export interface AuthCheck {
  ok: boolean;
  why: string;
}

/** Whether an identity-bearing action may proceed under the configured policy. */
export function checkSenderAuth(policy: SenderAuthPolicy, auth: SenderAuth): AuthCheck {
  const seen = `dmarc=${auth.dmarc} dkim=${auth.dkim}${auth.dkimAligned ? ' (aligned)' : ''} spf=${auth.spf}`;
  switch (policy) {
    case 'off':
      return { ok: true, why: 'sender authentication not checked (policy off)' };
    case 'require':
      if (auth.dmarc === 'pass' || auth.dkimAligned) return { ok: true, why: `authenticated: ${seen}` };
      return { ok: false, why: `policy require needs dmarc=pass or aligned dkim; saw ${seen}` };
    case 'prefer':
      if (auth.dmarc === 'fail') return { ok: false, why: `dmarc=fail blocks it (policy prefer); saw ${seen}` };
      if (auth.dkim === 'fail' && auth.spf === 'fail') return { ok: false, why: `dkim and spf both fail (policy prefer); saw ${seen}` };
      return { ok: true, why: `not contradicted (policy prefer); saw ${seen}` };
  }
}
