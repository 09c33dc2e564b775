/**
 * Header access that does not depend on mailparser's interpretation. Screening looks at
 * raw fields (every `Received`, a `From` that mailparser reduced to nothing, our loop
 * header), so we keep every occurrence of every field, unfolded (RFC 5322 §2.2.3) but
 * otherwise as the sender wrote it.
 */

export type HeaderMap = Map<string, string[]>;

export interface RawHeaderLine {
  key: string;
  line: string;
}

/** Builds the header map from `Name: value` lines as the parser saw them. */
export function headerMapFromLines(lines: readonly RawHeaderLine[]): HeaderMap {
  const map: HeaderMap = new Map();
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const name = (colon === -1 ? key : line.slice(0, colon)).trim().toLowerCase();
    if (name === '') continue;
    const value = colon === -1 ? '' : unfold(line.slice(colon + 1));
    const values = map.get(name);
    if (values === undefined) map.set(name, [value]);
    else values.push(value);
  }
  return map;
}

/** Unfolding removes the CRLF before folding whitespace; we then trim the ends. */
export function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, '').replace(/[\r\n]/g, '').trim();
}

export function firstHeader(headers: HeaderMap, name: string): string | null {
  return headers.get(name.toLowerCase())?.[0] ?? null;
}

export function allHeaders(headers: HeaderMap, name: string): string[] {
  return headers.get(name.toLowerCase()) ?? [];
}
