/**
 * Loads the configuration once at boot: JSON files from config/ (default.json, then
 * <NODE_ENV>.json, then local.json, then an explicit file), then environment variables.
 * Environment variables are the only place process.env is read in casemail.
 *
 * Env mapping: CASEMAIL__SMTP_OUT__HOST=… sets smtpOut.host (segments separated by "__",
 * matched to keys ignoring case and "_"; array items by index: CASEMAIL__IMAP__MAILBOXES__0__PASSWORD).
 * Any such variable ending in _FILE reads the value from that file (Docker/K8s secrets).
 * DATABASE_URL is accepted as a shorthand for CASEMAIL__DATABASE__URL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface LoadOptions {
  /** Folder holding default.json etc.; default: ./config */
  dir?: string;
  /** An extra file applied last (e.g. --config). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values applied after files and env (tests, CLI flags). */
  overrides?: JsonObject;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Json, over: Json): Json {
  if (Array.isArray(base) && Array.isArray(over)) {
    const out = [...base];
    over.forEach((v, i) => {
      out[i] = i < base.length ? deepMerge(base[i] as Json, v) : v;
    });
    return out;
  }
  if (!isObject(base) || !isObject(over)) return over;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k] as Json, v) : v;
  return out;
}

function readJson(path: string, problems: string[]): JsonObject {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isObject(parsed)) throw new Error('top level must be an object');
    return parsed;
  } catch (err) {
    problems.push(`${path}: ${(err as Error).message}`);
    return {};
  }
}

const norm = (s: string) => s.toLowerCase().replace(/_/g, '');

/** Sets a value at a path already mapped onto schema keys, creating objects/arrays on the way. */
function setPath(target: JsonObject, segments: string[], value: string): void {
  let node: Json = target;
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (Array.isArray(node)) {
      const idx = Number(seg);
      if (last) node[idx] = value;
      else node = node[idx] ?? (node[idx] = /^\d+$/.test(segments[i + 1] ?? '') ? [] : {});
      return;
    }
    const obj = node as JsonObject;
    const key = Object.keys(obj).find((k) => norm(k) === norm(seg)) ?? seg;
    if (last) obj[key] = value;
    else node = obj[key] ?? (obj[key] = /^\d+$/.test(segments[i + 1] ?? '') ? [] : {});
  });
}

const camel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Known key spellings so env paths map onto the schema's camelCase keys; arrays as [item]. */
function skeletonOf(t: unknown): Json {
  type Node = { shape?: Record<string, unknown>; def?: { innerType?: unknown; in?: unknown; element?: unknown } };
  let cur = t as Node | undefined;
  for (let i = 0; cur && i < 8; i++) {
    if (cur.shape) {
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(cur.shape)) out[k] = skeletonOf(v);
      return out;
    }
    if (cur.def?.element) return [skeletonOf(cur.def.element)];
    cur = (cur.def?.innerType ?? cur.def?.in) as Node | undefined;
  }
  return null;
}

function envLayer(env: NodeJS.ProcessEnv, problems: string[]): JsonObject {
  const layer: JsonObject = {};
  const skeleton = skeletonOf(configSchema);
  const entries = Object.entries(env).filter(([k]) => k.startsWith('CASEMAIL__') || k === 'DATABASE_URL' || k === 'DATABASE_URL_FILE');
  for (const [rawKey, rawValue] of entries) {
    if (rawValue === undefined) continue;
    let key = rawKey === 'DATABASE_URL' || rawKey === 'DATABASE_URL_FILE' ? rawKey.replace('DATABASE_URL', 'CASEMAIL__DATABASE__URL') : rawKey;
    let value = rawValue;
    if (key.endsWith('_FILE')) {
      key = key.slice(0, -'_FILE'.length);
      try {
        value = readFileSync(rawValue, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        problems.push(`${rawKey}: cannot read secret file ${rawValue}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        continue;
      }
    }
    const segments = key.slice('CASEMAIL__'.length).split('__').filter(Boolean);
    // Resolve key spellings against the schema skeleton first, so SMTP_OUT finds smtpOut.
    const mapped = mapSegments(skeleton, segments);
    setPath(layer, mapped, value);
  }
  return layer;
}

function mapSegments(skeleton: Json, segments: string[]): string[] {
  let node: Json | undefined = skeleton;
  return segments.map((seg) => {
    if (/^\d+$/.test(seg)) {
      node = Array.isArray(node) ? node[0] : undefined;
      return seg;
    }
    const keys = isObject(node) ? Object.keys(node) : [];
    const found = keys.find((k) => norm(k) === norm(seg));
    node = found && isObject(node) ? node[found] : undefined;
    return found ?? camel(seg);
  });
}

/** Array values from env arrive as strings; accept JSON or comma lists for those. */
function parseListStrings(v: Json): Json {
  if (Array.isArray(v)) return v.map(parseListStrings);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, parseListStrings(x)]));
  return v;
}

function formatIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string[] {
  return issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  const dir = resolve(opts.dir ?? 'config');
  const problems: string[] = [];
  const files = [join(dir, 'default.json')];
  if (env.NODE_ENV) files.push(join(dir, `${env.NODE_ENV}.json`));
  files.push(join(dir, 'local.json'));
  const explicit = opts.file ?? env.CASEMAIL_CONFIG;
  let merged: Json = {};
  for (const f of files) if (existsSync(f)) merged = deepMerge(merged, readJson(f, problems));
  if (explicit) {
    if (existsSync(explicit)) merged = deepMerge(merged, readJson(explicit, problems));
    else problems.push(`CASEMAIL_CONFIG/--config: file not found: ${explicit}`);
  }
  merged = deepMerge(merged, envLayer(env, problems));
  if (opts.overrides) merged = deepMerge(merged, opts.overrides);
  merged = coerceLists(parseListStrings(merged));
  const result = configSchema.safeParse(merged);
  if (!result.success) problems.push(...formatIssues(result.error.issues));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze(result.data);
}

/** Known list-valued keys given as "a,b" in env become arrays. */
function coerceLists(v: Json): Json {
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' && ['acceptedDomains', 'trustedAuthservIds'].includes(k)) {
      out[k] = x.trim().startsWith('[') ? (JSON.parse(x) as Json) : x.split(',').map((s) => s.trim()).filter(Boolean);
    } else out[k] = coerceLists(x);
  }
  return out;
}

export function deepFreeze<T>(obj: T): Readonly<T> {
  if (obj && typeof obj === 'object') {
    for (const v of Object.values(obj)) deepFreeze(v);
    Object.freeze(obj);
  }
  return obj;
}
