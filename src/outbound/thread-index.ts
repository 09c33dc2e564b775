/**
 * Outlook's `Thread-Index` header (the MIME form of PidTagConversationIndex,
 * [MS-OXOMSG] 2.2.1.3). Outlook groups a conversation by the 22-byte header block
 * and orders it by the 5-byte child blocks, ignoring References; without it our
 * replies can land in separate conversations for Outlook users.
 *
 * Header block: 0x01, the 5 most significant bytes of a FILETIME (big-endian),
 * then a 16-byte GUID. Each child block: 1 bit delta code, 31 bits of time delta,
 * 4 random bits, 4 sequence bits.
 */
import { createHash } from 'node:crypto';

// FILETIME counts 100 ns intervals since 1601-01-01; the Unix epoch is this many later.
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const MAX_DELTA_31 = (1n << 31n) - 1n;

export function toFiletime(date: Date): bigint {
  return BigInt(date.getTime()) * 10_000n + FILETIME_UNIX_EPOCH;
}

/**
 * The 22-byte header block of a thread. Derived only from the thread's root
 * Message-ID and start time, so every mail of one incident shares it and Outlook
 * keeps them in one conversation, across restarts and instances.
 */
export function threadIndexHeader(rootMessageId: string, startedAt: Date): Buffer {
  const block = Buffer.alloc(22);
  block[0] = 0x01;
  // The 40 high bits of the 64-bit FILETIME: drop the low 24 bits.
  const high40 = toFiletime(startedAt) >> 24n;
  for (let i = 0; i < 5; i += 1) {
    block[1 + i] = Number((high40 >> BigInt(8 * (4 - i))) & 0xffn);
  }
  createHash('sha256').update(rootMessageId).digest().copy(block, 6, 0, 16);
  return block;
}

/**
 * One 5-byte child block for a reply sent `elapsed` after the thread started.
 * The delta code picks the coarser unit (2^23 × 100 ns ≈ 0.84 s) once the fine one
 * (2^18 × 100 ns ≈ 26 ms) no longer fits in 31 bits, i.e. after about 1.8 years.
 */
export function threadIndexChild(elapsed: bigint, seed: number): Buffer {
  const ticks = elapsed < 0n ? 0n : elapsed;
  const fine = ticks >> 18n;
  const coarse = fine > MAX_DELTA_31;
  let delta = coarse ? ticks >> 23n : fine;
  if (delta > MAX_DELTA_31) delta = MAX_DELTA_31;
  const word = ((coarse ? 1n : 0n) << 31n) | delta;
  const block = Buffer.alloc(5);
  block.writeUInt32BE(Number(word), 0);
  block[4] = seed & 0xff;
  return block;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_INDEX_CHARS = 1000;

/**
 * A received Thread-Index, if it is one: base64 of a 22-byte header block starting with
 * 0x01 and whole 5-byte child blocks. Anything else is ignored, never trusted.
 */
export function parseThreadIndex(value: string | undefined): Buffer | null {
  const v = (value ?? '').trim();
  if (v === '' || v.length > MAX_INDEX_CHARS || !BASE64.test(v)) return null;
  const bytes = Buffer.from(v, 'base64');
  return bytes.length >= 22 && (bytes.length - 22) % 5 === 0 && bytes[0] === 0x01 ? bytes : null;
}

/** The instant a header block records (its 40 high FILETIME bits). */
export function headerTime(header: Buffer): Date {
  let high40 = 0n;
  for (let i = 0; i < 5; i += 1) high40 = (high40 << 8n) | BigInt(header[1 + i] ?? 0);
  return new Date(Number(((high40 << 24n) - FILETIME_UNIX_EPOCH) / 10_000n));
}

export interface ThreadIndexInput {
  rootMessageId: string;
  /**
   * The Thread-Index of the incident's first mail (the customer's client sent it): its
   * header block starts ours, so the customer's mail and our answers are one conversation.
   */
  firstIndex?: string;
  threadStartedAt: Date;
  sentAt: Date;
  /** How many of our mails precede this one in the thread; one child block each. */
  depth: number;
}

/**
 * The base64 header value: the shared header block plus `depth` child blocks.
 * Earlier blocks are spread evenly up to this mail's own delta so that the value
 * is a pure function of its inputs yet still sorts after its predecessors.
 */
export function buildThreadIndex(input: ThreadIndexInput): string {
  const first = parseThreadIndex(input.firstIndex);
  const header = first === null ? threadIndexHeader(input.rootMessageId, input.threadStartedAt) : first.subarray(0, 22);
  const startedAt = first === null ? input.threadStartedAt : headerTime(header);
  const total = toFiletime(input.sentAt) - toFiletime(startedAt);
  const blocks: Buffer[] = [header];
  const depth = Math.max(0, Math.floor(input.depth));
  for (let i = 1; i <= depth; i += 1) {
    const elapsed = (total * BigInt(i)) / BigInt(depth);
    blocks.push(threadIndexChild(elapsed, i & 0x0f));
  }
  return Buffer.concat(blocks).toString('base64');
}
