/**
 * Attachment names come from the sender and end up in download headers, on disk and in
 * agents' file managers. Names like `../../etc/passwd`, `.htaccess`, `CON`, or
 * `invoice\u202Efdp.exe` (right-to-left override hiding `.exe`) must never reach those
 * places unchanged (architecture invariant 7: attachment names never become paths).
 */

const MAX_LENGTH = 180;
const MAX_EXTENSION = 16;
/** C0/C1 controls and Unicode bidi overrides/isolates (spoofed extensions). */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Characters that Windows forbids or shells interpret. */
const RESERVED_CHARS = /[<>:"|?*]/g;
/** Device names that Windows treats specially whatever the extension. */
const DEVICE_NAMES = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)/i;

function capLength(name: string): string {
  if (name.length <= MAX_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION ? name.slice(dot) : '';
  return name.slice(0, MAX_LENGTH - extension.length) + extension;
}

/** A display- and storage-safe file name; `attachment-<index+1>` when nothing usable is left. */
export function safeFilename(name: string | undefined, index: number): string {
  const fallback = `attachment-${index + 1}`;
  if (name === undefined) return fallback;
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let clean = base.replace(UNSAFE_CHARS, '').replace(RESERVED_CHARS, '_').trim();
  // Leading dots hide files or climb directories; trailing dots and spaces are dropped by Windows.
  // The lookbehind tries a trailing run from its start only, so a long run costs its length once.
  clean = clean.replace(/^[.\s]+/, '').replace(/(?<![.\s])[.\s]+$/, '');
  if (DEVICE_NAMES.test(clean)) clean = `_${clean}`;
  clean = capLength(clean);
  return clean === '' ? fallback : clean;
}
