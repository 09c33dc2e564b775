/**
 * Email addresses as casemail stores them: trimmed, lower-case, one plain addr-spec
 * (RFC 5321 sizes: 64 octets local part, 254 in all). Display names, comments and
 * CR/LF are refused rather than guessed at, since support contacts receive our mail.
 */
import { AppError } from '../../platform/errors.js';

// Dot-atom local part (RFC 5322 §3.4.1 without quoted strings) and a dotted host name.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The address in canonical form, or null when it is not a valid address. */
export function canonicalAddress(raw: string): string | null {
  const s = raw.trim().toLowerCase();
  if (s.length === 0 || s.length > 254) return null;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at > 64) return null;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (!LOCAL.test(local)) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return null;
  return s;
}

/** The address in canonical form; VALIDATION with the offending value otherwise. */
export function normalizeAddress(raw: string, field = 'email'): string {
  const a = canonicalAddress(raw);
  if (a === null) throw new AppError('VALIDATION', `"${raw.trim()}" is not a valid email address`, { field, value: raw });
  return a;
}
